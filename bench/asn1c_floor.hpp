#pragma once
// asn1c alone, without illhub's wrapping (no TLV scan, normalisation, ANY check, constraint
// check, DEFAULT filling or byte copy): the floor any decode()/encode() built on asn1c 0.9.28
// can reach. In its own translation unit because asn1c's `struct ILL_APDU` and YAZ's
// `ILL_APDU` are both global names and cannot meet in one file.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace illhub::bench {

/// ber_decode of a definite-length APDU, then asn1c's free. False if asn1c refuses it.
/// asn1c's allocations go to the heap (through the allocation hooks, as outside decode()).
bool asn1c_decode_and_free(std::span<const std::uint8_t> definite_ber);

/// The same with asn1c's allocations served by a DecodeArena, as decode() does.
bool asn1c_decode_and_free_in_arena(std::span<const std::uint8_t> definite_ber);

/// Holds one APDU decoded by asn1c, to encode it again and again.
class Asn1cEncoder {
 public:
  /// definite_ber: an APDU with definite lengths only. ok() is false if asn1c refuses it.
  explicit Asn1cEncoder(std::span<const std::uint8_t> definite_ber);
  ~Asn1cEncoder();
  Asn1cEncoder(const Asn1cEncoder&) = delete;
  Asn1cEncoder& operator=(const Asn1cEncoder&) = delete;

  bool ok() const { return apdu_ != nullptr; }
  /// der_encode into `out` (cleared first, capacity kept); the encoded size, or -1.
  long encode(std::vector<std::uint8_t>& out) const;

 private:
  void* apdu_ = nullptr;  // ILL_APDU_t*
};

}  // namespace illhub::bench
