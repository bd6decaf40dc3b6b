#pragma once
// StreamFramer: turns the bytes of an ISO ILL TCP stream (BER APDUs back to back, no length
// prefix) into whole APDU frames, however the bytes were split into reads.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "illhub/codec/ber_scan.hpp"
#include "illhub/codec/limits.hpp"

namespace illhub::codec {

/// The framer cannot go on: the stream has no recoverable APDU boundary any more, so the
/// connection should get an error report and be closed.
struct FramingError {
  BerProblem problem = BerProblem::kNone;
  /// Offset of the problem in the stream, counted from the first byte ever fed.
  std::uint64_t stream_offset = 0;
};

class StreamFramer {
 public:
  explicit StreamFramer(CodecLimits limits = {}) : limits_(limits) {}

  /// Appends bytes as they arrive. Cheap: nothing is parsed until next() is called.
  void feed(std::span<const std::uint8_t> bytes);

  /// The next complete frame (one whole TLV, as received), or nothing when more bytes are
  /// needed. After an error every call returns the same error; the framer stays broken.
  /// A frame's size never exceeds limits.max_apdu_bytes: a longer one is an error as soon
  /// as its header says so, before the rest is buffered.
  std::optional<std::vector<std::uint8_t>> next();

  /// Set once the stream cannot be framed; next() then returns nothing.
  const std::optional<FramingError>& error() const { return error_; }

  /// Bytes received but not yet returned in a frame (a started APDU).
  std::size_t buffered() const { return buffer_.size() - start_; }
  /// Those bytes themselves; after an error, the bytes it refused (from the start of the frame
  /// it could not read; bytes fed after the error are not kept). Valid until the next feed().
  std::span<const std::uint8_t> pending() const { return {buffer_.data() + start_, buffered()}; }

 private:
  CodecLimits limits_;
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;          // first byte of the next frame inside buffer_
  std::size_t need_ = 1;           // buffered() must reach this before scanning again
  std::uint64_t consumed_ = 0;     // stream offset of buffer_[start_]
  std::optional<FramingError> error_;
};

}  // namespace illhub::codec
