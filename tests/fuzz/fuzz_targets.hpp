#pragma once
// The fuzz targets' bodies, one function each, so that libFuzzer (each *_fuzz.cpp defines
// LLVMFuzzerTestOneInput around its function) and the replay test (replay_test.cpp, every
// recorded input through every target under gcc and the sanitizers) run the same checks.
// A broken invariant prints what broke and aborts: that is a finding.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace illhub::fuzz {

/// Arbitrary bytes as one APDU and as a stream: decode, render, re-encode (decode_fuzz.cpp).
void run_decode(std::span<const std::uint8_t> input);
/// Arbitrary bytes through StreamFramer in input-chosen pieces and limits (framer_fuzz.cpp).
void run_framer(std::span<const std::uint8_t> input);
/// The input as the EXTERNAL or ANY content of a valid APDU (any_payload_fuzz.cpp).
void run_any_payload(std::span<const std::uint8_t> input);
/// A script of APDUs from known peers through framer, decoder and the hub's engine against
/// an in-memory record of transactions (session_fuzz.cpp).
void run_session(std::span<const std::uint8_t> input);

/// Aborts with a message when an invariant does not hold.
inline void require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace illhub::fuzz

/// Defines libFuzzer's entry point for one target, except in the replay test.
#ifdef ILLHUB_FUZZ_REPLAY
#define ILLHUB_FUZZ_ENTRY(run)
#else
#define ILLHUB_FUZZ_ENTRY(run)                                                            \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {    \
    run(std::span<const std::uint8_t>(data, size));                                       \
    return 0;                                                                             \
  }
#endif
