#pragma once
// The YAZ side of the OCLC extension interop test, in its own translation unit: YAZ's C
// types (ILL_APDU, ILL_String, ...) share names with asn1c's and cannot meet them in one file.

#include <cstdint>
#include <optional>
#include <vector>

#include "illhub/codec/envelope.hpp"

namespace illhub::testing {

/// YAZ encodes v with its OCLCILLRequestExtension encoder and wraps it, with its EXTERNAL
/// encoder, as EXTERNAL {direct-reference 1.0.10161.13.2, single-ASN1-type value}: the item
/// of an Extension as YAZ's ILL client builds it.
std::vector<std::uint8_t> yaz_oclc_external(const codec::OclcIllRequest& v);

/// YAZ's sample ILL-Request (yaz_encode_sample(1)) with one Extension {identifier 1, critical
/// FALSE, item}, decoded, changed and encoded again by YAZ.
std::vector<std::uint8_t> yaz_request_with_extension(const std::vector<std::uint8_t>& item);

/// YAZ decodes ber as an OCLCILLRequestExtension; nullopt if it cannot or bytes are left over.
std::optional<codec::OclcIllRequest> yaz_read_oclc(const std::vector<std::uint8_t>& ber);

}  // namespace illhub::testing
