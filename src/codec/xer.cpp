#include "codec/asn1_types.hpp"
#include "codec/asn1_walk.hpp"
#include "codec/defaults.hpp"
#include "codec/encode_raw.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::codec {
namespace {

int append(const void* buffer, size_t size, void* app_key) {
  static_cast<std::string*>(app_key)->append(static_cast<const char*>(buffer), size);
  return 0;
}

}  // namespace

Result<std::string, EncodeError> to_xer(const Apdu& apdu) {
  std::string out;
  const asn_enc_rval_t rv = xer_encode(&asn_DEF_ILL_APDU, const_cast<ILL_APDU_t*>(&apdu.raw()),
                                       XER_F_BASIC, append, &out);
  if (rv.encoded < 0) return unexpected(EncodeError{"cannot render as XER"});
  return out;
}

Result<Apdu, DecodeError> from_xer(std::string_view xer) {
  asn1::resolve_descriptors();
  ILL_APDU_t* raw = nullptr;
  asn_codec_ctx_t ctx{CodecLimits{}.max_decoder_stack};
  const asn_dec_rval_t rv = xer_decode(&ctx, &asn_DEF_ILL_APDU, reinterpret_cast<void**>(&raw),
                                       xer.data(), xer.size());
  asn1::ApduPtr owned(raw);
  if (rv.code != RC_OK || !owned || owned->present == ILL_APDU_PR_NOTHING)
    return unexpected(DecodeError{DecodeProblem::kStructure, rv.consumed, BerProblem::kNone,
                                  "not an ISO 10161 APDU in XER (parsing stopped at byte " +
                                      std::to_string(rv.consumed) + ")"});
  asn1::fill_defaults(*owned);
  auto bytes = asn1::encode_raw(*owned);
  if (!bytes)
    return unexpected(
        DecodeError{DecodeProblem::kConstraint, 0, BerProblem::kNone, bytes.error().detail});
  return Apdu(owned.release(), std::move(*bytes));
}

}  // namespace illhub::codec
