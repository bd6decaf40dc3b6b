#pragma once
#include <cstdint>
#include <vector>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec::asn1 {

/// Checks constraints and DER-encodes an asn1c APDU structure (definite lengths; the DEFAULT
/// fields present in the structure are written).
Result<std::vector<std::uint8_t>, EncodeError> encode_raw(const ILL_APDU_t& apdu);

}  // namespace illhub::codec::asn1
