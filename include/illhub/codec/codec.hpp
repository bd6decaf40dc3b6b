#pragma once
// decode and encode of ISO 10161 APDUs (BER), on top of the asn1c-generated codec.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/decode_error.hpp"
#include "illhub/codec/limits.hpp"
#include "illhub/util/result.hpp"

namespace illhub::codec {

/// Decodes exactly one APDU that fills `ber` completely (a frame from StreamFramer, or a file).
/// Accepts definite and indefinite lengths, absent or present DEFAULT fields. Checks the
/// module's constraints and protocol-version-num (1 or 2). Never crashes, hangs or leaks on
/// any input; cost is bounded by `limits`. The returned Apdu keeps a copy of `ber` as is.
/// DEFAULT fields absent on the wire are filled in on the decoded form, so readers never
/// need to know a default.
Result<Apdu, DecodeError> decode(std::span<const std::uint8_t> ber, const CodecLimits& limits = {});

struct EncodeError {
  std::string detail;
};

/// Encodes the decoded form of `apdu` as BER with definite lengths, writing DEFAULT fields
/// out (YAZ-based peers treat them as mandatory). Fails when a value breaks a constraint.
/// Does not consult apdu.bytes().
Result<std::vector<std::uint8_t>, EncodeError> encode(const Apdu& apdu);

}  // namespace illhub::codec
