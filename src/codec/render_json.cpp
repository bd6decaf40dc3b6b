#include <nlohmann/json.hpp>

#include <OBJECT_IDENTIFIER.h>

#include "codec/asn1_walk.hpp"
#include "codec/json_tree.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::codec {
namespace asn1 {
namespace {

bool is_utf8(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n;) {
    const std::uint8_t c = p[i];
    std::size_t extra = 0;
    if (c < 0x80) extra = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2) extra = 1;
    else if ((c & 0xF0) == 0xE0) extra = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4) extra = 3;
    else return false;
    if (n - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

nlohmann::ordered_json hex(const std::uint8_t* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(digits[p[i] >> 4]);
    s.push_back(digits[p[i] & 0xF]);
  }
  return nlohmann::ordered_json{{"hex", s}};
}

nlohmann::ordered_json oid(const OBJECT_IDENTIFIER_t* o) {
  unsigned long arcs[32];
  const int n = OBJECT_IDENTIFIER_get_arcs(o, arcs, sizeof arcs[0], 32);
  if (n <= 0 || n > 32) return hex(o->buf, static_cast<std::size_t>(o->size));
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "." : "") + std::to_string(arcs[i]);
  return s;
}

nlohmann::ordered_json value(asn_TYPE_descriptor_t* td, void* p) {
  // An Extension's item may be a payload type illhub knows: render_extension.cpp decodes it.
  if (td == &asn_DEF_Extension) return extension_json(*static_cast<const Extension_t*>(p));
  switch (kind_of_type(td)) {
    case TypeKind::kSequence: {
      nlohmann::ordered_json obj = nlohmann::ordered_json::object();
      for (int i = 0; i < td->elements_count; ++i)
        if (void* m = member_ptr(td->elements[i], p))
          obj[td->elements[i].name] = value(td->elements[i].type, m);
      return obj;
    }
    case TypeKind::kChoice: {
      const int i = choice_index(td, p);
      if (i < 0) return nullptr;
      const asn_TYPE_member_t& m = td->elements[i];
      nlohmann::ordered_json v = value(m.type, member_ptr(m, p));
      // ILL-String is nearly always GeneralString: show it as the plain string it is.
      if (td == &asn_DEF_ILL_String && i == 0 && v.is_string()) return v;
      return nlohmann::ordered_json{{m.name, std::move(v)}};
    }
    case TypeKind::kSequenceOf: {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (void* item : sequence_items(p)) arr.push_back(value(td->elements[0].type, item));
      return arr;
    }
    case TypeKind::kBoolean: return *static_cast<BOOLEAN_t*>(p) != 0;
    case TypeKind::kNull: return nullptr;
    case TypeKind::kInteger: return *static_cast<long*>(p);
    case TypeKind::kEnumerated: {
      const long v = *static_cast<long*>(p);
      if (const char* name = enum_name(td, v)) return name;
      return v;
    }
    case TypeKind::kText: {
      auto* s = static_cast<OCTET_STRING_t*>(p);
      const auto n = static_cast<std::size_t>(s->size);
      if (is_utf8(s->buf, n)) return std::string(reinterpret_cast<char*>(s->buf), n);
      return hex(s->buf, n);
    }
    case TypeKind::kObjectIdentifier: return oid(static_cast<OBJECT_IDENTIFIER_t*>(p));
    case TypeKind::kOctets:
    case TypeKind::kAny:
    case TypeKind::kBitString: {
      auto* s = static_cast<OCTET_STRING_t*>(p);  // BIT STRING and ANY share its layout
      return hex(s->buf, static_cast<std::size_t>(s->size));
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::ordered_json to_json_value(asn_TYPE_descriptor_t* td, void* p) { return value(td, p); }

nlohmann::ordered_json to_json_tree(const ILL_APDU_t& apdu) {
  resolve_descriptors();
  return value(&asn_DEF_ILL_APDU, const_cast<ILL_APDU_t*>(&apdu));
}

}  // namespace asn1

std::string to_json(const Apdu& apdu, int indent) {
  // Replace, not throw, should a string pass is_utf8 but not the JSON library's stricter check.
  return asn1::to_json_tree(apdu.raw()).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace illhub::codec
