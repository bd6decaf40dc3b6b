#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "illhub/codec/ber_scan.hpp"

namespace illhub::codec {

/// ISO 10161 General-Problem values, the answer a peer gets in a Status-Or-Error-Report
/// (error-report, provider-error-report general-problem) when its APDU cannot be used.
enum class GeneralProblem : std::uint8_t {
  kUnrecognizedApdu = 1,
  kMistypedApdu = 2,
  kBadlyStructuredApdu = 3,
  kProtocolVersionNotSupported = 4,
  kOther = 5,
};

/// Why decode() refused a byte sequence.
enum class DecodeProblem : std::uint8_t {
  /// No bytes, or fewer than the APDU's own length says.
  kTruncated,
  /// The bytes are not well-formed BER (see DecodeError::ber for which rule).
  kBadBer,
  /// More bytes after the end of the APDU.
  kTrailingBytes,
  /// Well-formed BER, but the outer tag is not one of ISO 10161's [APPLICATION 1..20].
  kUnrecognizedApdu,
  /// The APDU's structure does not match ISO 10161 (missing mandatory fields, unexpected
  /// tags, a primitive where a constructed value is due, ...).
  kStructure,
  /// A value breaks a constraint of the module (SIZE, permitted alphabet, value range).
  kConstraint,
  /// protocol-version-num is not 1 or 2.
  kUnsupportedVersion,
  /// Larger than CodecLimits::max_apdu_bytes.
  kTooLarge,
  /// Nested deeper than the limits allow (CodecLimits::max_depth or the decoder's stack).
  kTooDeep,
};

struct DecodeError {
  DecodeProblem problem = DecodeProblem::kStructure;
  /// Byte offset of the problem when known (BER-level problems), else 0.
  std::size_t offset = 0;
  /// For kBadBer: which BER rule was broken.
  BerProblem ber = BerProblem::kNone;
  /// One line for an operator or a peer's note, e.g. "ILL-Request: iLL-service-type has 6
  /// entries, at most 5 are allowed".
  std::string detail;
};

/// The General-Problem to report to a peer for a decode failure.
GeneralProblem general_problem(const DecodeError& error);

/// "badly-structured-APDU" etc., the ISO 10161 spelling.
const char* to_string(GeneralProblem problem);

}  // namespace illhub::codec
