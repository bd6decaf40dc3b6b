// Fuzz target: StreamFramer alone, with limits and read sizes chosen by the input.
// Input: byte 0 picks the limits (small ones, so the size and depth checks are reached),
// byte 1 seeds the sizes of the pieces fed and when frames are collected, the rest is the
// stream. Checks, beyond never crashing:
//  - every frame is one whole TLV of at most max_apdu_bytes;
//  - the frames, concatenated, are a prefix of the stream, and that prefix plus buffered()
//    is everything fed (nothing lost, nothing invented);
//  - after collecting every frame, buffered() < max_apdu_bytes (the framer never holds more
//    than one APDU's worth) unless the stream broke;
//  - an error offset lies within what the framer has seen or the limit's reach;
//  - the frames and whether the stream broke do not depend on how the bytes were split (a
//    second framer fed the whole stream at once gives the same).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz/fuzz_targets.hpp"
#include "illhub/codec/ber_scan.hpp"
#include "illhub/codec/framer.hpp"

namespace {

using illhub::codec::CodecLimits;
using illhub::codec::StreamFramer;
using illhub::fuzz::require;

struct Framed {
  std::vector<std::vector<std::uint8_t>> frames;
  bool broken = false;
};

/// Collects frames until next() has none; checks each frame and the stream offset.
void drain(StreamFramer& framer, const CodecLimits& limits, std::span<const std::uint8_t> stream,
           std::size_t fed, std::size_t& framed, Framed& out) {
  for (int guard = 0; guard < 100000; ++guard) {
    auto frame = framer.next();
    if (!frame) break;
    require(!frame->empty() && frame->size() <= limits.max_apdu_bytes, "a frame is 1..max_apdu_bytes long");
    const auto scan = illhub::codec::scan_tlv(*frame, limits);
    require(scan.status == illhub::codec::TlvScan::Status::kComplete && scan.size == frame->size(),
            "a frame is exactly one complete TLV");
    require(framed + frame->size() <= fed && std::equal(frame->begin(), frame->end(), stream.begin() + framed),
            "frames are the stream's bytes in order");
    framed += frame->size();
    out.frames.push_back(std::move(*frame));
  }
  if (framer.error()) {
    out.broken = true;
    require(!framer.next(), "a broken framer returns no more frames");
    const std::uint64_t at = framer.error()->stream_offset;
    require(at >= framed && at <= framed + std::max(fed - framed, limits.max_apdu_bytes),
            "the error offset is within the pending APDU or the limit");
  } else {
    require(framed + framer.buffered() == fed, "framed + buffered == fed");
  }
}

}  // namespace

void illhub::fuzz::run_framer(std::span<const std::uint8_t> input) {
  if (input.size() < 2) return;
  CodecLimits limits;
  limits.max_apdu_bytes = 2 + (input[0] & 0x0Fu) * 23u;  // 2..347: small, so reachable
  limits.max_depth = 1 + (input[0] >> 4);                  // 1..16
  std::uint32_t rng = input[1] * 2654435761u + 1;
  const std::span<const std::uint8_t> stream = input.subspan(2);

  StreamFramer framer(limits);
  Framed pieces;
  std::size_t fed = 0, framed = 0;
  while (fed < stream.size() && !pieces.broken) {
    rng = rng * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>((rng >> 16) % 40, stream.size() - fed);  // 0..39
    framer.feed(stream.subspan(fed, n));
    fed += n;
    if ((rng >> 8) & 3) drain(framer, limits, stream, fed, framed, pieces);  // not after every read
  }
  if (!pieces.broken) {
    drain(framer, limits, stream, fed, framed, pieces);
    if (!pieces.broken)
      require(framer.buffered() < limits.max_apdu_bytes, "an intact framer holds less than one APDU limit");
  }

  // The same stream in one piece.
  StreamFramer whole(limits);
  Framed at_once;
  std::size_t whole_framed = 0;
  whole.feed(stream.first(fed));
  drain(whole, limits, stream, fed, whole_framed, at_once);
  require(at_once.frames == pieces.frames, "frames do not depend on how the stream was split");
  require(at_once.broken == pieces.broken, "a broken stream is broken however it was split");
}

ILLHUB_FUZZ_ENTRY(illhub::fuzz::run_framer)
