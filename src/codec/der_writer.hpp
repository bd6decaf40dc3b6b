#pragma once
// A one-pass DER writer over asn1c's type descriptors, byte-for-byte the encoding asn1c's own
// der_encode produces (tests and the fuzzer compare the two on every input), without its cost:
// asn1c 0.9.28 re-measures every subtree at every level before writing it. This measures each
// value once, keeps the lengths, then writes into a buffer of exactly the right size.

#include <cstdint>
#include <vector>

#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

/// DER of the structure `sptr` of type `td` (tagged as a PDU). The caller has checked the
/// constraints. Returns false (and leaves `out` unspecified) for a value asn1c could not
/// encode either (a CHOICE with no alternative, a missing mandatory member).
bool write_der(asn_TYPE_descriptor_t* td, void* sptr, std::vector<std::uint8_t>& out);

}  // namespace illhub::codec::asn1
