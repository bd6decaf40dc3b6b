#include "codec/asn1_walk.hpp"
#include "codec/der_writer.hpp"
#include "codec/encode_raw.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec {
namespace asn1 {
Result<std::vector<std::uint8_t>, EncodeError> encode_raw(const ILL_APDU_t& apdu) {
  asn1::resolve_descriptors();
  auto* raw = const_cast<ILL_APDU_t*>(&apdu);  // asn1c's API is not const-correct
  const char* kind = to_string(kind_of(apdu)).data();
  char why[256];
  std::size_t why_len = sizeof why;
  if (asn_check_constraints(&asn_DEF_ILL_APDU, raw, why, &why_len) != 0)
    return unexpected(EncodeError{std::string(kind) + ": " + why});
  std::vector<std::uint8_t> out;
  if (!write_der(&asn_DEF_ILL_APDU, raw, out))
    return unexpected(EncodeError{std::string(kind) + ": a mandatory component is missing"});
  return out;
}

}  // namespace asn1

Result<std::vector<std::uint8_t>, EncodeError> encode(const Apdu& apdu) {
  // Decoded and built APDUs always carry their DEFAULT fields (decode() and the builders fill
  // them in), so every field present is written, as YAZ-based peers need.
  return asn1::encode_raw(apdu.raw());
}

}  // namespace illhub::codec
