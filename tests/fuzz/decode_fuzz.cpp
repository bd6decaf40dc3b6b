// Fuzz target: arbitrary bytes through the stream framer and the decoder, as a peer's TCP
// stream would arrive. Must never crash, hang or leak. Every APDU that decodes must also
// encode, decode again, and encode to the same bytes, and its renderings must not fail.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/framer.hpp"
#include "illhub/codec/render.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "unit/codec/asn1c_der.hpp"

namespace {

illhub::codec::CodecLimits fuzz_limits() {
  illhub::codec::CodecLimits limits;
  limits.max_apdu_bytes = 64 * 1024;  // keeps each run fast; the logic does not depend on it
  return limits;
}

void check_apdu(std::span<const std::uint8_t> frame) {
  using namespace illhub::codec;
  auto apdu = decode(frame, fuzz_limits());
  if (!apdu) return;
  (void)read_envelope(*apdu);
  (void)to_json(*apdu);
  auto encoded = encode(*apdu);
  illhub::fuzz::require(encoded.has_value(), "a decoded APDU encodes");
  // Our DER writer must write exactly what asn1c's own encoder writes.
  const std::vector<std::uint8_t> reference = testing::asn1c_der(apdu->raw());
  illhub::fuzz::require(reference == *encoded, "our DER equals asn1c's DER");
  auto again = decode(*encoded, fuzz_limits());
  illhub::fuzz::require(again.has_value(), "our own encoding decodes");
  auto encoded_again = encode(*again);
  illhub::fuzz::require(encoded_again && *encoded_again == *encoded, "re-encoding is stable");
}

}  // namespace

void illhub::fuzz::run_decode(std::span<const std::uint8_t> input) {
  const std::uint8_t* data = input.data();
  const std::size_t size = input.size();
  // The whole input as one APDU.
  check_apdu(input);
  // The input as a stream, fed in pieces whose sizes come from the input itself, so the
  // fuzzer also explores where reads split an APDU.
  illhub::codec::StreamFramer framer(fuzz_limits());
  std::size_t pos = 0;
  std::size_t step = size ? (data[0] % 17) + 1 : 1;
  while (pos < size) {
    const std::size_t n = std::min(step, size - pos);
    framer.feed(input.subspan(pos, n));
    pos += n;
    step = (step * 7 + 3) % 31 + 1;
    while (auto frame = framer.next()) check_apdu(*frame);
  }
}

ILLHUB_FUZZ_ENTRY(illhub::fuzz::run_decode)
