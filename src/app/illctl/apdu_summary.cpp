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

}  // namespace

std::string apdu_summary(const codec::Apdu& apdu) {
  const codec::Envelope e = codec::read_envelope(apdu);
  const auto& t = e.transaction_id;
  return "# " + std::string(codec::to_string(e.kind)) + " v" + std::to_string(e.protocol_version) + ", " +
         std::to_string(apdu.bytes().size()) + " bytes\n" +
         "# transaction " + (t.initial_requester.empty() ? "" : party(t.initial_requester) + "/") +
         t.group_qualifier + "/" + t.qualifier + (t.sub_qualifier.empty() ? "" : "/" + t.sub_qualifier) + "\n" +
         "# requester " + party(e.requester_id) + " -> responder " + party(e.responder_id) + ", service " +
         e.service_date_time.date + " " + e.service_date_time.time + "\n";
}

}  // namespace illhub::app
