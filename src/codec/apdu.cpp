#include "illhub/codec/apdu.hpp"

#include "codec/asn1_types.hpp"
#include "codec/decode_arena.hpp"

namespace illhub::codec {

void Apdu::Free::operator()(ILL_APDU* p) const { asn1::Free<&asn_DEF_ILL_APDU>{}(p); }

Apdu::Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes)
    : decoded_(decoded), bytes_(std::move(bytes)) {}
Apdu::Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes, DecodeArenaPtr arena)
    : arena_(std::move(arena)), decoded_(decoded), bytes_(std::move(bytes)) {}
Apdu::Apdu(Apdu&&) noexcept = default;

Apdu& Apdu::operator=(Apdu&& other) noexcept {
  if (this != &other) {
    drop();
    arena_ = std::move(other.arena_);
    decoded_ = std::move(other.decoded_);
    bytes_ = std::move(other.bytes_);
    changed_ = other.changed_;
  }
  return *this;
}

Apdu::~Apdu() { drop(); }

void Apdu::drop() noexcept {
  // Decoded and never changed, every block is in the arena: releasing the arena frees them
  // all, and asn1c's free routine would only walk the tree to mark each one freed. Under
  // AddressSanitizer it walks anyway, so that the arena can check that asn1c frees every
  // block exactly once.
  if (arena_ && !changed_ && !kArenaChecksBlocks)
    (void)decoded_.release();
  else
    decoded_.reset();
  arena_.reset();  // after the structure: its free routine reads the arena's blocks
}

ApduKind Apdu::kind() const { return asn1::kind_of(*decoded_); }

}  // namespace illhub::codec
