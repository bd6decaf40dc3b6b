#include "illhub/codec/apdu.hpp"

#include "codec/asn1_types.hpp"

namespace illhub::codec {

void Apdu::Free::operator()(ILL_APDU* p) const { asn1::Free<&asn_DEF_ILL_APDU>{}(p); }

Apdu::Apdu(ILL_APDU* decoded, std::vector<std::uint8_t> bytes)
    : decoded_(decoded), bytes_(std::move(bytes)) {}
Apdu::Apdu(Apdu&&) noexcept = default;
Apdu& Apdu::operator=(Apdu&&) noexcept = default;
Apdu::~Apdu() = default;

ApduKind Apdu::kind() const { return asn1::kind_of(*decoded_); }

}  // namespace illhub::codec
