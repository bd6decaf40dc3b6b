#pragma once
// Apdu: one ISO 10161 APDU, decoded and owned, together with the exact bytes it came from.
// The hub relays bytes(), unchanged; the decoded form is only read.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "illhub/codec/apdu_kind.hpp"

struct ILL_APDU;  // asn1c's generated structure (src/codec/asn1_types.hpp)

namespace illhub::codec {

class Apdu {
 public:
  /// Takes ownership of a decoded structure (freed with asn1c's free routine) and its bytes.
  Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes);
  Apdu(Apdu&&) noexcept;
  Apdu& operator=(Apdu&&) noexcept;
  ~Apdu();

  ApduKind kind() const;
  /// The bytes as received (or as encoded, for an APDU the hub built).
  std::span<const std::uint8_t> bytes() const { return bytes_; }

  /// The asn1c structure, for src/codec, tests and tools. Never null.
  const ILL_APDU& raw() const { return *decoded_; }
  ILL_APDU& raw() { return *decoded_; }

 private:
  struct Free {
    void operator()(ILL_APDU* p) const;
  };
  std::unique_ptr<ILL_APDU, Free> decoded_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace illhub::codec
