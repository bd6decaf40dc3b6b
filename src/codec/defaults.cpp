#include "codec/defaults.hpp"

#include <ANY.h>

#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codec/asn1_walk.hpp"
#include "illhub/codec/ber_scan.hpp"

namespace illhub::codec::asn1 {
namespace {

/// Every DEFAULT in the ISO 10161 module: (type, component, default value). asn1c 0.9.28
/// keeps no record of BER defaults, so they are listed here, in module order.
struct DefaultValue {
  const asn_TYPE_descriptor_t* type;
  const char* component;
  long value;  // BOOLEAN: 0 or 1; ENUMERATED/INTEGER: the value
};

const std::array<DefaultValue, 16> kDefaults = {{
    {&asn_DEF_ILL_Request, "transaction-type", 1},  // simple
    {&asn_DEF_ILL_Request, "place-on-hold", 3},     // according-to-responder-policy
    {&asn_DEF_ILL_Request, "retry-flag", 0},
    {&asn_DEF_ILL_Request, "forward-flag", 0},
    {&asn_DEF_Shipped, "transaction-type", 1},
    {&asn_DEF_Extension, "critical", 0},
    {&asn_DEF_Cost_Info_Type, "reciprocal-agreement", 0},
    {&asn_DEF_Cost_Info_Type, "will-pay-fee", 0},
    {&asn_DEF_Cost_Info_Type, "payment-provided", 0},
    {&asn_DEF_Date_Due, "renewable", 1},
    {&asn_DEF_Search_Type, "expiry-flag", 3},  // no-Expiry
    {&asn_DEF_Third_Party_Info_Type, "permission-to-forward", 0},
    {&asn_DEF_Third_Party_Info_Type, "permission-to-chain", 0},
    {&asn_DEF_Third_Party_Info_Type, "permission-to-partition", 0},
    {&asn_DEF_Third_Party_Info_Type, "permission-to-change-send-to-list", 0},
    {&asn_DEF_Third_Party_Info_Type, "preference", 2},  // unordered
}};

/// What the walk needs to know of a type, computed once from the descriptors.
struct TypeFacts {
  TypeKind kind = TypeKind::kNull;
  /// A DEFAULT component or an ANY value can occur in this type or below it.
  bool worth_visiting = false;
  /// (member index, default value) of this SEQUENCE's DEFAULT components.
  std::vector<std::pair<int, long>> defaults;
  /// Facts of each element's type, parallel to the descriptor's elements, so the walk needs
  /// no look-up per value.
  std::vector<const TypeFacts*> members;
};

using FactsMap = std::unordered_map<const asn_TYPE_descriptor_t*, TypeFacts>;

/// Fills facts[td] and those of every type below it. Map values have stable addresses.
const TypeFacts* compute(const asn_TYPE_descriptor_t* td, FactsMap& facts) {
  if (auto it = facts.find(td); it != facts.end()) return &it->second;
  TypeFacts& f = facts[td];
  f.kind = kind_of_type(td);
  f.worth_visiting = true;  // provisional, in case the module were recursive
  for (const DefaultValue& d : kDefaults)
    if (d.type == td)
      for (int i = 0; i < td->elements_count; ++i)
        if (std::strcmp(td->elements[i].name, d.component) == 0) f.defaults.emplace_back(i, d.value);
  bool worth = f.kind == TypeKind::kAny || !f.defaults.empty();
  const bool constructed = f.kind == TypeKind::kSequence || f.kind == TypeKind::kChoice ||
                           f.kind == TypeKind::kSequenceOf;
  if (constructed)
    for (int i = 0; i < td->elements_count; ++i) {
      const TypeFacts* member = compute(td->elements[i].type, facts);
      f.members.push_back(member);
      worth = worth || member->worth_visiting;
    }
  f.worth_visiting = worth;
  return &f;
}

const FactsMap& all_facts() {
  static FactsMap facts;
  static std::once_flag once;
  std::call_once(once, [] {
    resolve_descriptors();
    compute(&asn_DEF_ILL_APDU, facts);
  });
  return facts;
}

void* allocate_default(TypeKind kind, long value) {
  if (kind == TypeKind::kBoolean) {
    auto* b = make<BOOLEAN_t>();
    *b = static_cast<BOOLEAN_t>(value);
    return b;
  }
  auto* l = make<long>();
  *l = value;
  return l;
}

struct Walk {
  const CodecLimits& limits;
  bool any_ok = true;

  void visit(const asn_TYPE_descriptor_t* td, const TypeFacts& f, void* sptr) {
    if (!f.worth_visiting) return;
    switch (f.kind) {
      case TypeKind::kSequence:
        for (const auto& [i, value] : f.defaults) {
          const asn_TYPE_member_t& m = td->elements[i];
          void** slot = reinterpret_cast<void**>(static_cast<char*>(sptr) + m.memb_offset);
          if (!*slot) *slot = allocate_default(f.members[static_cast<std::size_t>(i)]->kind, value);
        }
        for (int i = 0; i < td->elements_count; ++i) {
          const TypeFacts& member = *f.members[static_cast<std::size_t>(i)];
          if (!member.worth_visiting) continue;
          if (void* m = member_ptr(td->elements[i], sptr)) visit(td->elements[i].type, member, m);
        }
        break;
      case TypeKind::kChoice:
        if (const int i = choice_index(td, sptr); i >= 0)
          if (void* m = member_ptr(td->elements[i], sptr))
            visit(td->elements[i].type, *f.members[static_cast<std::size_t>(i)], m);
        break;
      case TypeKind::kSequenceOf:
        for (void* item : sequence_items(sptr))
          if (item) visit(td->elements[0].type, *f.members[0], item);
        break;
      case TypeKind::kAny: {
        const auto* any = static_cast<const ANY_t*>(sptr);
        const std::span<const std::uint8_t> bytes(any->buf, static_cast<std::size_t>(any->size));
        const TlvScan scan = scan_tlv(bytes, limits);
        // asn1c rewrites an ANY it found in constructed form with definite lengths; an
        // indefinite length left in the bytes means the ANY came in a primitive tag (an
        // EXPLICIT tag must be constructed), whose re-encoding would decode differently.
        any_ok = any_ok && scan.status == TlvScan::Status::kComplete && scan.size == bytes.size() &&
                 !scan.has_indefinite;
        break;
      }
      default:
        break;
    }
  }
};

}  // namespace

bool complete_and_check(ILL_APDU_t& apdu, const CodecLimits& limits) {
  const FactsMap& facts = all_facts();
  Walk walk{limits};
  walk.visit(&asn_DEF_ILL_APDU, facts.at(&asn_DEF_ILL_APDU), &apdu);
  return walk.any_ok;
}

int known_default_count() { return static_cast<int>(kDefaults.size()); }

}  // namespace illhub::codec::asn1
