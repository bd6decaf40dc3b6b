#include "codec/extension_item.hpp"

#include <OBJECT_IDENTIFIER.h>

#include <array>

#include "codec/asn1_walk.hpp"
#include "illhub/codec/limits.hpp"

namespace illhub::codec::asn1 {
namespace {

// ISO 10161-1 Amendment 1 (and the Maintenance Agency's clarification 02): identifier 1 means
// "implementor extension", whose item is an EXTERNAL naming its type by direct-reference.
// YAZ's ILL client sends every extension this way.
constexpr long kImplementorExtension = 1;

const std::array<KnownExtensionType, 2> kKnown{{
    {"1.0.10161.13.3", "APDU-Delivery-Info", &asn_DEF_APDU_Delivery_Info},
    {"1.0.10161.13.2", "OCLCILLRequestExtension", &asn_DEF_OCLCILLRequestExtension},
}};

// Decodes exactly `bytes` as `type`, constraints included; on failure says why in `problem`.
std::unique_ptr<void, FreeValue> decode_exactly(asn_TYPE_descriptor_t* type,
                                                std::span<const std::uint8_t> bytes,
                                                std::string& problem) {
  void* raw = nullptr;
  asn_codec_ctx_t ctx{CodecLimits{}.max_decoder_stack};
  const asn_dec_rval_t rv = ber_decode(&ctx, type, &raw, bytes.data(), bytes.size());
  std::unique_ptr<void, FreeValue> owned(raw, FreeValue{type});  // owned whatever rv says
  if (rv.code != RC_OK) {
    problem = "not a valid BER " + std::string(type->name) + " (decoding stopped at byte " +
              std::to_string(rv.consumed) + " of " + std::to_string(bytes.size()) + ")";
    return nullptr;
  }
  if (rv.consumed != bytes.size()) {
    problem = std::to_string(bytes.size() - rv.consumed) + " bytes after the " +
              std::string(type->name) + " value";
    return nullptr;
  }
  char message[128] = {};
  std::size_t size = sizeof message;
  if (asn_check_constraints(type, owned.get(), message, &size) != 0) {
    problem = message[0] ? std::string(message) : "a value breaks a constraint";
    return nullptr;
  }
  return owned;
}

}  // namespace

std::span<const KnownExtensionType> known_extension_types() { return kKnown; }

std::string dotted_oid(const OBJECT_IDENTIFIER_t& oid) {
  unsigned long arcs[32];
  const int n = OBJECT_IDENTIFIER_get_arcs(&oid, arcs, sizeof arcs[0], 32);
  if (n <= 0 || n > 32) return {};
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "." : "") + std::to_string(arcs[i]);
  return s;
}

ExtensionItem read_extension_item(const Extension_t& extension) {
  resolve_descriptors();
  ExtensionItem out;
  if (extension.identifier != kImplementorExtension) return out;

  std::string ignored;
  const auto external = decode_exactly(
      &asn_DEF_External,
      {extension.item.buf, static_cast<std::size_t>(extension.item.size)}, ignored);
  if (!external) return out;
  const auto& ext = *static_cast<const External_t*>(external.get());
  if (!ext.direct_reference) return out;
  out.direct_reference = dotted_oid(*ext.direct_reference);
  for (const auto& k : kKnown)
    if (k.oid == out.direct_reference) out.known = &k;
  if (!out.known) return out;

  // single-ASN1-type holds the value's own TLV; octet-aligned its encoding as octets.
  std::span<const std::uint8_t> payload;
  switch (ext.encoding.present) {
    case External__encoding_PR_single_ASN1_type:
      payload = {ext.encoding.choice.single_ASN1_type.buf,
                 static_cast<std::size_t>(ext.encoding.choice.single_ASN1_type.size)};
      break;
    case External__encoding_PR_octet_aligned:
      payload = {ext.encoding.choice.octet_aligned.buf,
                 static_cast<std::size_t>(ext.encoding.choice.octet_aligned.size)};
      break;
    default:
      out.problem = "the EXTERNAL's encoding is a BIT STRING (arbitrary), which no profile uses";
      return out;
  }
  out.value = decode_exactly(out.known->type, payload, out.problem);
  return out;
}

std::vector<const Extension_t*> extensions_of(const ILL_APDU_t& apdu) {
  resolve_descriptors();
  std::vector<const Extension_t*> out;
  auto* apdu_td = &asn_DEF_ILL_APDU;
  auto* self = const_cast<ILL_APDU_t*>(&apdu);
  const int arm = choice_index(apdu_td, self);
  if (arm < 0) return out;
  const asn_TYPE_member_t& kind = apdu_td->elements[arm];
  void* body = member_ptr(kind, self);
  if (!body) return out;
  // Every APDU type has one [49] SEQUENCE OF Extension member; find it by its element type.
  for (int i = 0; i < kind.type->elements_count; ++i) {
    const asn_TYPE_member_t& m = kind.type->elements[i];
    if (kind_of_type(m.type) != TypeKind::kSequenceOf || m.type->elements_count != 1 ||
        m.type->elements[0].type != &asn_DEF_Extension)
      continue;
    if (void* list = member_ptr(m, body))
      for (void* item : sequence_items(list)) out.push_back(static_cast<const Extension_t*>(item));
  }
  return out;
}

}  // namespace illhub::codec::asn1
