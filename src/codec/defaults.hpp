#pragma once
#include "codec/asn1_types.hpp"
#include "illhub/codec/limits.hpp"

namespace illhub::codec::asn1 {

/// Materialises every absent DEFAULT component of the APDU with its default value, so readers
/// never need to know defaults and encode() writes them out (YAZ requires them), and checks
/// that every ANY value (EXTERNAL single-ASN1-type, Extension item, e-delivery parameters) is
/// exactly one well-formed BER value within `limits`, in definite-length form: asn1c stores
/// whatever bytes it found, and re-encoding malformed ones would produce an APDU that no longer
/// decodes, or decodes differently.
/// One walk, pruned to the parts of the module that can hold a DEFAULT or an ANY.
/// Returns false when an ANY value is malformed (defaults are filled regardless).
bool complete_and_check(ILL_APDU_t& apdu, const CodecLimits& limits);

/// complete_and_check for APDUs the hub builds itself (no ANY values to check).
inline void fill_defaults(ILL_APDU_t& apdu) { (void)complete_and_check(apdu, CodecLimits{}); }

/// Number of DEFAULT components the filler knows; a test compares it with asn1/ill.asn.
int known_default_count();

}  // namespace illhub::codec::asn1
