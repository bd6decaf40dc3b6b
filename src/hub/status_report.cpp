// Status reports from the hub's record. See include/illhub/hub/status_report.hpp.
#include "illhub/hub/status_report.hpp"

namespace illhub::hub {

using codec::ApduKind;
using protocol::Role;
using protocol::State;

std::optional<long> most_recent_service(ApduKind kind) {
  switch (kind) {
    // History-Report's list is the APDU tags, less Overdue (12) and Renew (13).
    case ApduKind::kOverdue:
    case ApduKind::kRenew:
      return std::nullopt;
    default:
      return static_cast<long>(kind);
  }
}

namespace {

/// Current-State of a party; a party that has seen nothing yet is reported UNKNOWN
/// (IDLE is not a Current-State value).
long current_state(State s) { return s == State::kIdle ? static_cast<long>(State::kUnknown) : static_cast<long>(s); }

}  // namespace

codec::StatusOrErrorReportSpec status_report_for(const TransactionStatus& status, Role asker) {
  const bool requester_asks = asker == Role::kRequester;
  codec::StatusReportSpec r;
  r.date_requested = status.date_requested;
  r.title = status.title;
  r.author = status.author;
  r.date_of_last_transition = status.date_of_last_transition;
  r.current_state = current_state(requester_asks ? status.responder_state : status.requester_state);
  r.shipped_service_type = status.shipped_service_type;
  r.transaction_results = status.transaction_results;

  std::string last = "none";
  if (status.last_kind) {
    const bool by_requester = status.last_sender == Role::kRequester;
    r.date_of_most_recent_service =
        status.last_service_date.empty() ? status.date_of_last_transition : status.last_service_date;
    r.initiator_of_most_recent_service.symbol = by_requester ? status.requester_symbol : status.responder_symbol;
    // Overdue and Renew have no History-Report value; the report then names the service
    // the asker itself last asked about (Status-Query) and the note says what it really was.
    r.most_recent_service =
        most_recent_service(*status.last_kind).value_or(static_cast<long>(ApduKind::kStatusQuery));
    last = std::string(codec::to_string(*status.last_kind)) + " from " +
           r.initiator_of_most_recent_service.symbol;
  } else {
    r.date_of_most_recent_service = status.date_of_last_transition;
    r.initiator_of_most_recent_service.symbol = status.requester_symbol;
    r.most_recent_service = static_cast<long>(ApduKind::kIllRequest);
  }

  codec::StatusOrErrorReportSpec spec;
  spec.status = std::move(r);
  spec.note = "illhub record: requester " + status.requester_symbol + " " +
              std::string(protocol::to_string(status.requester_state)) + ", responder " +
              status.responder_symbol + " " + std::string(protocol::to_string(status.responder_state)) +
              "; last APDU: " + last;
  return spec;
}

}  // namespace illhub::hub
