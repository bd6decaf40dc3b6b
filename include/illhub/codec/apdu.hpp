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

class DecodeArena;  // src/codec/decode_arena.hpp: memory of a decoded structure
/// Owns a DecodeArena made by DecodeArena::create.
struct DecodeArenaDelete {
  void operator()(DecodeArena* arena) const;
};
using DecodeArenaPtr = std::unique_ptr<DecodeArena, DecodeArenaDelete>;

class Apdu {
 public:
  /// Takes ownership of a decoded structure (freed with asn1c's free routine) and its bytes.
  Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes);
  /// The same for a structure decoded into `arena` (every block of it from that arena), which
  /// is released after the structure.
  Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes, DecodeArenaPtr arena);
  Apdu(Apdu&&) noexcept;
  Apdu& operator=(Apdu&&) noexcept;
  ~Apdu();

  ApduKind kind() const;
  /// The bytes as received (or as encoded, for an APDU the hub built).
  std::span<const std::uint8_t> bytes() const { return bytes_; }

  /// The asn1c structure, for src/codec, tests and tools. Never null.
  const ILL_APDU& raw() const { return *decoded_; }
  /// The same, to change it. Marks the structure as changed: it may now hold heap blocks, so
  /// asn1c's free routine walks it when the Apdu goes. An unchanged decoded structure is all
  /// in its arena and goes with the arena, without that walk.
  ILL_APDU& raw() {
    changed_ = true;
    return *decoded_;
  }

 private:
  struct Free {
    void operator()(ILL_APDU* p) const;
  };
  /// Frees the structure (walking it only if it may hold heap blocks), then the arena.
  void drop() noexcept;

  DecodeArenaPtr arena_;  // null for an APDU built or read from XER: all heap blocks
  std::unique_ptr<ILL_APDU, Free> decoded_;
  bool changed_ = false;  // raw() was called for writing
  std::vector<std::uint8_t> bytes_;
};

}  // namespace illhub::codec
