#pragma once
#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

/// Materialises every absent DEFAULT component of the APDU with its default value, so
/// readers never need to know defaults and encode() writes them out (YAZ requires them).
void fill_defaults(ILL_APDU_t& apdu);

/// Number of DEFAULT components the filler knows; a test compares it with asn1/ill.asn.
int known_default_count();

}  // namespace illhub::codec::asn1
