#pragma once
// Generic access to asn1c-generated structures through their type descriptors, so that the
// renderers (JSON, text) and the DEFAULT filler are written once for all ~120 types.

#include <cstddef>
#include <span>

#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

enum class TypeKind {
  kSequence,
  kChoice,
  kSequenceOf,
  kBoolean,
  kNull,
  kInteger,
  kEnumerated,
  kText,         // GeneralString, VisibleString, PrintableString, ObjectDescriptor
  kOctets,       // OCTET STRING
  kAny,          // ANY: a whole encoded TLV, kept as bytes
  kObjectIdentifier,
  kBitString,
};

/// Resolves every descriptor reachable from ILL-APDU and the extension payload types once (asn1c fills in a derived type's
/// function pointers lazily on first use, which would race between threads and hide the
/// type's kind from the walker), and keeps each type's own constraint check, which asn1c's
/// lazy fill-in would replace by the base type's. Every codec entry point calls it before
/// touching asn1c. Thread-safe; cheap after the first call.
void resolve_descriptors();

TypeKind kind_of_type(const asn_TYPE_descriptor_t* td);

/// Address of member i inside the structure at sptr, or nullptr when an optional member is
/// absent. For pointer members this dereferences the pointer.
void* member_ptr(const asn_TYPE_member_t& m, void* sptr);

/// Index of the CHOICE alternative present in the structure, or -1 when none.
int choice_index(const asn_TYPE_descriptor_t* td, const void* sptr);

/// Items of a SEQUENCE OF / SET OF.
std::span<void*> sequence_items(void* sptr);

/// The name of an ENUMERATED value ("will-supply"), or nullptr when it has none.
const char* enum_name(const asn_TYPE_descriptor_t* td, long value);

}  // namespace illhub::codec::asn1

