#pragma once
// Walking BER tag-length-value structure without decoding values: finds where an APDU ends in a
// byte stream (definite and indefinite lengths, nested end-of-contents), enforces size and
// depth limits before anything is buffered or decoded, and rewrites indefinite lengths as
// definite ones (asn1c 0.9.28 cannot decode an indefinite outer tag around a definite inner
// one, which YAZ emits).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "illhub/codec/limits.hpp"

namespace illhub::codec {

/// What is wrong with a byte sequence as BER, independent of the ISO 10161 schema.
enum class BerProblem : std::uint8_t {
  kNone,
  /// Longer than CodecLimits::max_apdu_bytes (or declares a length that would be).
  kTooLarge,
  /// Constructed values nested deeper than CodecLimits::max_depth.
  kTooDeep,
  /// A tag number longer than 4 octets.
  kBadTag,
  /// A length in the reserved form 0xFF, or with more than 8 length octets.
  kBadLength,
  /// Indefinite length (0x80) on a primitive value.
  kIndefinitePrimitive,
  /// An end-of-contents (00 00) where no indefinite value is open.
  kStrayEndOfContents,
  /// 00 followed by a non-zero octet where an end-of-contents was due.
  kMalformedEndOfContents,
  /// A value whose length runs past the end of the value that contains it.
  kOverrun,
};

/// Human-readable description of a BerProblem.
const char* describe(BerProblem problem);

/// Result of scanning the start of a buffer for one complete TLV.
struct TlvScan {
  enum class Status : std::uint8_t { kComplete, kNeedMore, kError };
  Status status = Status::kNeedMore;
  /// kComplete: bytes taken by the TLV. kNeedMore: the buffer must hold at least this many
  /// bytes before scanning again can make progress.
  std::size_t size = 0;
  /// kComplete: at least one length in the TLV is indefinite.
  bool has_indefinite = false;
  /// kError: what is wrong, and at which byte offset.
  BerProblem problem = BerProblem::kNone;
  std::size_t offset = 0;
  /// The outermost tag, once its identifier octets are in the buffer.
  std::uint8_t tag_class = 0;  // 0 universal, 1 application, 2 context, 3 private
  bool constructed = false;
  std::uint32_t tag_number = 0;
};

/// Scans buf for one TLV starting at offset 0. Never reads past buf; O(size of the TLV).
TlvScan scan_tlv(std::span<const std::uint8_t> buf, const CodecLimits& limits);

/// Re-encodes a complete TLV (scan_tlv said kComplete) with definite lengths only, every
/// length in its shortest form; values and tags are copied unchanged.
std::vector<std::uint8_t> to_definite(std::span<const std::uint8_t> tlv);

/// scan_tlv and to_definite in one pass, for decode(): scans buf like scan_tlv and, when the
/// TLV is complete and has at least one indefinite length, writes its definite form (as
/// to_definite would) into `definite`, reusing its capacity. Otherwise `definite` is left
/// empty: a definite input needs no rewriting.
TlvScan scan_to_definite(std::span<const std::uint8_t> buf, const CodecLimits& limits,
                         std::vector<std::uint8_t>& definite);

}  // namespace illhub::codec
