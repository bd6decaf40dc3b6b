#include "app/illctl/apdu_summary.hpp"

#include "illhub/codec/envelope.hpp"

namespace illhub::app {
namespace {

std::string party(const codec::SystemId& id) {
  if (id.empty()) return "(absent)";
  if (id.name.empty()) return id.symbol;
  if (id.symbol.empty()) return id.name;
  return id.symbol + " (" + id.name + ")";
}

std::string label(const codec::TransactionId& t) {
  return (t.initial_requester.empty() ? "" : party(t.initial_requester) + "/") + t.group_qualifier + "/" +
         t.qualifier + (t.sub_qualifier.empty() ? "" : "/" + t.sub_qualifier);
}

}  // namespace

std::string transaction_label(const codec::Apdu& apdu) {
  return label(codec::read_envelope(apdu).transaction_id);
}

std::string apdu_summary(const codec::Apdu& apdu) {
  const codec::Envelope e = codec::read_envelope(apdu);
  return "# " + std::string(codec::to_string(e.kind)) + " v" + std::to_string(e.protocol_version) + ", " +
         std::to_string(apdu.bytes().size()) + " bytes\n" +
         "# transaction " + label(e.transaction_id) + "\n" +
         "# requester " + party(e.requester_id) + " -> responder " + party(e.responder_id) + ", service " +
         e.service_date_time.date + " " + e.service_date_time.time + "\n";
}

}  // namespace illhub::app
