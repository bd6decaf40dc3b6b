#pragma once
// Standard base64 (RFC 4648 section 4, with '=' padding): recordings carry each APDU's exact bytes
// in a JSON string this way (docs/RECORDING.md).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::record {

/// Encodes BYTES; the result's length is a multiple of 4. Never fails.
std::string base64_encode(std::span<const std::uint8_t> bytes);

/// Decodes TEXT strictly: only the standard alphabet, a length that is a multiple of 4, at most
/// two '=' and only at the end, and no stray bits in the last character (so each byte string has
/// exactly one spelling). The error names what is wrong and at which character.
Result<std::vector<std::uint8_t>, std::string> base64_decode(std::string_view text);

}  // namespace illhub::record
