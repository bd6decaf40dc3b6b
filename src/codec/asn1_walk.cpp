#include "codec/asn1_walk.hpp"

#include <BIT_STRING.h>
#include <BOOLEAN.h>
#include <NULL.h>
#include <NativeEnumerated.h>
#include <NativeInteger.h>
#include <OBJECT_IDENTIFIER.h>
#include <OCTET_STRING.h>

#include <APDU-Delivery-Info.h>
#include <OCLCILLRequestExtension.h>

#include <mutex>
#include <unordered_set>

namespace illhub::codec::asn1 {
namespace {

void resolve(asn_TYPE_descriptor_t* td, std::unordered_set<asn_TYPE_descriptor_t*>& seen) {
  if (!seen.insert(td).second) return;
  // A derived type's wrapper copies its base type's routines into td on any call; freeing a
  // null pointer is a harmless call that every base routine accepts. asn1c 0.9.28 copies the
  // base's constraint check too, which would silently drop the derived type's own constraint
  // (EDIFACTString's alphabet, AmountString's digits) from then on: keep the type's own check.
  const auto own_check = td->check_constraints;
  td->free_struct(td, nullptr, 1);
  td->check_constraints = own_check;
  for (int i = 0; i < td->elements_count; ++i) resolve(td->elements[i].type, seen);
}

}  // namespace

void resolve_descriptors() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::unordered_set<asn_TYPE_descriptor_t*> seen;
    resolve(&asn_DEF_ILL_APDU, seen);
    // The extension payload types are reached through an Extension's item, not the module.
    resolve(&asn_DEF_APDU_Delivery_Info, seen);
    resolve(&asn_DEF_OCLCILLRequestExtension, seen);
  });
}

TypeKind kind_of_type(const asn_TYPE_descriptor_t* td) {
  auto print = td->print_struct;
  if (print == SEQUENCE_print) return TypeKind::kSequence;
  if (print == CHOICE_print) return TypeKind::kChoice;
  if (print == SET_OF_print) return TypeKind::kSequenceOf;
  if (print == BOOLEAN_print) return TypeKind::kBoolean;
  if (print == NULL_print) return TypeKind::kNull;
  if (print == NativeInteger_print)
    return td->xer_encoder == NativeEnumerated_encode_xer ? TypeKind::kEnumerated
                                                          : TypeKind::kInteger;
  if (print == OBJECT_IDENTIFIER_print) return TypeKind::kObjectIdentifier;
  if (print == BIT_STRING_print) return TypeKind::kBitString;
  if (td->tags_count == 0) return TypeKind::kAny;
  switch (BER_TAG_VALUE(td->tags[0])) {
    case 7:   // ObjectDescriptor
    case 19:  // PrintableString
    case 26:  // VisibleString
    case 27:  // GeneralString
      return TypeKind::kText;
    default:
      return TypeKind::kOctets;
  }
}

void* member_ptr(const asn_TYPE_member_t& m, void* sptr) {
  char* base = static_cast<char*>(sptr) + m.memb_offset;
  if (m.flags & ATF_POINTER) return *reinterpret_cast<void**>(base);
  return base;
}

int choice_index(const asn_TYPE_descriptor_t* td, const void* sptr) {
  auto* specs = static_cast<const asn_CHOICE_specifics_t*>(td->specifics);
  const char* p = static_cast<const char*>(sptr) + specs->pres_offset;
  int present = 0;
  switch (specs->pres_size) {
    case sizeof(int): present = *reinterpret_cast<const int*>(p); break;
    case sizeof(short): present = *reinterpret_cast<const short*>(p); break;
    case sizeof(char): present = *reinterpret_cast<const signed char*>(p); break;
    default: return -1;
  }
  return (present >= 1 && present <= td->elements_count) ? present - 1 : -1;
}

std::span<void*> sequence_items(void* sptr) {
  auto* list = static_cast<asn_anonymous_sequence_*>(sptr);
  return {list->array, static_cast<std::size_t>(list->count)};
}

const char* enum_name(const asn_TYPE_descriptor_t* td, long value) {
  auto* specs = static_cast<asn_INTEGER_specifics_t*>(const_cast<void*>(td->specifics));
  if (!specs) return nullptr;
  const asn_INTEGER_enum_map_t* e = INTEGER_map_value2enum(specs, value);
  return e ? e->enum_name : nullptr;
}

}  // namespace illhub::codec::asn1
