#pragma once
// The status report the hub gives about a transaction it relays: to answer a Status-Query
// itself (ISO 10161 has the other party answer; the hub holds both parties' states, so it
// can answer at once, even while the other party is offline) and as a receipt after an
// APDU was committed. Pure: the caller supplies the record.

#include <optional>
#include <string>

#include "illhub/codec/apdu_kind.hpp"
#include "illhub/codec/builders.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/protocol/event.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::hub {

/// What the hub's record says about one transaction.
struct TransactionStatus {
  std::string requester_symbol;
  std::string responder_symbol;
  protocol::State requester_state = protocol::State::kIdle;
  protocol::State responder_state = protocol::State::kIdle;
  std::string title;
  std::string author;
  std::string date_requested;           // YYYYMMDD the request was recorded; may be empty
  std::string date_of_last_transition;  // YYYYMMDD of the last accepted APDU
  /// The last APDU the hub accepted on it, who sent it, its service date; none before any.
  std::optional<codec::ApduKind> last_kind;
  protocol::Role last_sender = protocol::Role::kRequester;
  std::string last_service_date;
  std::optional<codec::IllServiceType> shipped_service_type;
  std::optional<codec::TransactionResults> transaction_results;
};

/// History-Report most-recent-service for an APDU kind. ISO 10161 has no value for Overdue
/// and Renew: those give nothing (the caller names them in the note instead).
std::optional<long> most_recent_service(codec::ApduKind kind);

/// The status report `asker` (one of the two parties) gets. Its provider-status-report is
/// the state of the *other* party: the party a Status-Query is addressed to, whose answer
/// the hub gives on its behalf. The note names both states and the last APDU in words.
codec::StatusOrErrorReportSpec status_report_for(const TransactionStatus& status, protocol::Role asker);

}  // namespace illhub::hub
