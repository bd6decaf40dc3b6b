#include "asn1c_floor.hpp"

#include "codec/asn1_types.hpp"
#include "codec/decode_arena.hpp"

namespace illhub::bench {
namespace {

int append(const void* buffer, size_t size, void* app_key) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(app_key);
  const auto* p = static_cast<const std::uint8_t*>(buffer);
  out->insert(out->end(), p, p + size);
  return 0;
}

ILL_APDU_t* decode(std::span<const std::uint8_t> ber) {
  ILL_APDU_t* raw = nullptr;
  const asn_dec_rval_t rv = ber_decode(nullptr, &asn_DEF_ILL_APDU, reinterpret_cast<void**>(&raw),
                                       ber.data(), ber.size());
  codec::asn1::ApduPtr owned(raw);  // freed on every path
  if (rv.code != RC_OK || rv.consumed != ber.size() || !owned) return nullptr;
  return owned.release();
}

}  // namespace

bool asn1c_decode_and_free(std::span<const std::uint8_t> definite_ber) {
  codec::asn1::ApduPtr apdu(decode(definite_ber));
  return apdu != nullptr;
}

bool asn1c_decode_and_free_in_arena(std::span<const std::uint8_t> definite_ber) {
  codec::DecodeArenaPtr arena = codec::DecodeArena::for_apdu(definite_ber.size());  // outlives the structure
  if (!arena) return false;
  ILL_APDU_t* raw = nullptr;
  asn_dec_rval_t rv;
  {
    const codec::DecodeArenaScope scope(*arena);
    rv = ber_decode(nullptr, &asn_DEF_ILL_APDU, reinterpret_cast<void**>(&raw), definite_ber.data(),
                    definite_ber.size());
  }
  codec::asn1::ApduPtr owned(raw);
  return rv.code == RC_OK && rv.consumed == definite_ber.size() && owned;
}

Asn1cEncoder::Asn1cEncoder(std::span<const std::uint8_t> definite_ber)
    : apdu_(decode(definite_ber)) {}

Asn1cEncoder::~Asn1cEncoder() {
  codec::asn1::ApduPtr owned(static_cast<ILL_APDU_t*>(apdu_));
}

long Asn1cEncoder::encode(std::vector<std::uint8_t>& out) const {
  out.clear();
  const asn_enc_rval_t rv = der_encode(&asn_DEF_ILL_APDU, apdu_, append, &out);
  return rv.encoded < 0 ? -1 : static_cast<long>(rv.encoded);
}

}  // namespace illhub::bench
