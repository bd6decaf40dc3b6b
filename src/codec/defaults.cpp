#include "codec/defaults.hpp"

#include <array>
#include <cstring>

#include "codec/asn1_walk.hpp"

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

const DefaultValue* find_default(const asn_TYPE_descriptor_t* type, const char* component) {
  for (const auto& d : kDefaults)
    if (d.type == type && d.component && std::strcmp(d.component, component) == 0) return &d;
  return nullptr;
}

void* allocate_default(const asn_TYPE_member_t& m, long value) {
  if (kind_of_type(m.type) == TypeKind::kBoolean) {
    auto* b = make<BOOLEAN_t>();
    *b = static_cast<BOOLEAN_t>(value);
    return b;
  }
  auto* l = make<long>();
  *l = value;
  return l;
}

/// Gives every absent DEFAULT component of one SEQUENCE its default value.
void fill_sequence(asn_TYPE_descriptor_t* td, void* sptr) {
  for (int i = 0; i < td->elements_count; ++i) {
    const asn_TYPE_member_t& m = td->elements[i];
    if (!(m.flags & ATF_POINTER) || member_ptr(m, sptr)) continue;
    if (const DefaultValue* d = find_default(td, m.name))
      *reinterpret_cast<void**>(static_cast<char*>(sptr) + m.memb_offset) =
          allocate_default(m, d->value);
  }
}

}  // namespace

void fill_defaults(ILL_APDU_t& apdu) {
  resolve_descriptors();
  for_each_value(&asn_DEF_ILL_APDU, &apdu, [](asn_TYPE_descriptor_t* td, void* value) {
    if (kind_of_type(td) == TypeKind::kSequence) fill_sequence(td, value);
    return true;
  });
}

int known_default_count() {
  int n = 0;
  for (const auto& d : kDefaults) n += d.type != nullptr;
  return n;
}

}  // namespace illhub::codec::asn1
