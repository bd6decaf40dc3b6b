// The Envelope's view of the extension payloads illhub compiles (APDU-Delivery-Info, OCLC's
// ILL-Request extension): plain values for the hub, read from the decoded items.
#include "codec/envelope_parts.hpp"
#include "codec/extension_item.hpp"

namespace illhub::codec {
namespace {

// sender-info, recipient-info and transponder-info: one shape, three asn1c struct names.
template <class List>
std::vector<ApduDeliveryParameters> parameters(const List& list) {
  std::vector<ApduDeliveryParameters> out;
  for (int i = 0; i < list.list.count; ++i) {
    const APDU_Delivery_Parameters_t& p = *list.list.array[i];
    ApduDeliveryParameters d;
    for (int k = 0; k < p.encoding.list.count; ++k)
      d.encodings.push_back(static_cast<ApduEncoding>(*p.encoding.list.array[k]));
    d.telecom_service_identifier = read_ill_string(p.transport.telecom_service_identifier);
    d.telecom_service_address = read_ill_string(p.transport.telecom_service_address);
    if (p.aliases)
      for (int k = 0; k < p.aliases->list.count; ++k)
        d.aliases.push_back(read_system_id(p.aliases->list.array[k]));
    out.push_back(std::move(d));
  }
  return out;
}

ApduDeliveryInfo delivery_info(const APDU_Delivery_Info_t& v) {
  ApduDeliveryInfo out;
  out.sender = parameters(v.sender_info);
  out.recipient = parameters(v.recipient_info);
  if (v.transponder_info) out.transponder = parameters(*v.transponder_info);
  return out;
}

OclcIllRequest oclc_request(const OCLCILLRequestExtension_t& v) {
  return OclcIllRequest{read_ill_string(v.clientDepartment), read_ill_string(v.paymentMethod),
                        read_ill_string(v.uniformTitle),     read_ill_string(v.dissertation),
                        read_ill_string(v.issueNumber),      read_ill_string(v.volume),
                        read_ill_string(v.affiliations),     read_ill_string(v.source)};
}

}  // namespace

void read_extension_payloads(const ILL_APDU_t& apdu, Envelope& e) {
  for (const Extension_t* ext : asn1::extensions_of(apdu)) {
    const asn1::ExtensionItem item = asn1::read_extension_item(*ext);
    if (const auto* v = item.as<APDU_Delivery_Info_t>(&asn_DEF_APDU_Delivery_Info);
        v && !e.delivery_info)
      e.delivery_info = delivery_info(*v);
    if (const auto* v = item.as<OCLCILLRequestExtension_t>(&asn_DEF_OCLCILLRequestExtension);
        v && !e.oclc_request)
      e.oclc_request = oclc_request(*v);
  }
}

}  // namespace illhub::codec
