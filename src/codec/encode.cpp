#include "codec/asn1_walk.hpp"
#include "codec/encode_raw.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec {
namespace asn1 {
namespace {

int append(const void* buffer, size_t size, void* app_key) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(app_key);
  const auto* p = static_cast<const std::uint8_t*>(buffer);
  out->insert(out->end(), p, p + size);
  return 0;
}

}  // namespace

Result<std::vector<std::uint8_t>, EncodeError> encode_raw(const ILL_APDU_t& apdu) {
  asn1::resolve_descriptors();
  auto* raw = const_cast<ILL_APDU_t*>(&apdu);  // asn1c's API is not const-correct
  const char* kind = to_string(kind_of(apdu)).data();
  char why[256];
  std::size_t why_len = sizeof why;
  if (asn_check_constraints(&asn_DEF_ILL_APDU, raw, why, &why_len) != 0)
    return unexpected(EncodeError{std::string(kind) + ": " + why});
  std::vector<std::uint8_t> out;
  out.reserve(512);
  const asn_enc_rval_t rv = der_encode(&asn_DEF_ILL_APDU, raw, append, &out);
  if (rv.encoded < 0)
    return unexpected(EncodeError{std::string(kind) + ": cannot encode " +
                                  (rv.failed_type ? rv.failed_type->name : "value")});
  return out;
}

}  // namespace asn1

Result<std::vector<std::uint8_t>, EncodeError> encode(const Apdu& apdu) {
  // Decoded and built APDUs always carry their DEFAULT fields (decode() and the builders fill
  // them in), so every field present is written, as YAZ-based peers need.
  return asn1::encode_raw(apdu.raw());
}

}  // namespace illhub::codec
