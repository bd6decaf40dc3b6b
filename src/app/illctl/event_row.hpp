#pragma once
// One row of the event log as illctl's operator commands (tail, show, attention) read it,
// joined to its transaction, and its two renderings: a line for people, a JSON object for
// programs (`--format jsonl`: one object a line).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "illhub/store/pg_result.hpp"

namespace illhub::app {

struct EventRow {
  std::int64_t id = 0;
  std::string xid;   // the writing transaction's id (xid8 as text): the commit-order key
  std::string time;  // received_at, ISO 8601 with milliseconds, UTC
  std::optional<std::int64_t> transaction_id;
  std::optional<std::int64_t> seq;
  std::string direction;  // in, out, operator
  std::string peer;       // sender (in) or recipient (out); empty when none
  int apdu_kind = 0;      // APPLICATION tag 1..20; 0 for an operator event without an APDU
  bool accepted = true;
  std::optional<int> old_requester_state, old_responder_state;
  std::optional<int> new_requester_state, new_responder_state;
  std::string reason;
  // The transaction, when the event has one.
  std::string transaction_label;  // initial-requester/group/qualifier[/sub]
  std::string requester, responder;
  // Operator events.
  std::string operator_name, operator_action;
  std::optional<std::int64_t> refers_to_event;
};

/// The columns event_from_row() reads, for `FROM events e LEFT JOIN transactions t ON
/// t.id = e.transaction_id`, in this order.
extern const char* const kEventRowColumns;

/// The EventRow in row `row` of a result whose first columns are kEventRowColumns.
EventRow event_from_row(const store::PgResult& r, int row);

/// "IRL:BOR/GROUP/Q1" (and "/SUB" when there is a sub-transaction qualifier).
std::string transaction_label(const std::string& initial_requester, const std::string& group,
                              const std::string& qualifier, const std::string& sub);

/// The APDU's name ("ILL-Request"), "override" for an override, "APDU 42" for an unknown tag.
std::string event_kind_name(const EventRow& e);

/// Who sent the APDU and to whom, as far as the log says: "IRL:BOR -> IRL:LEN" (in: the
/// sender to the other party), "hub -> IRL:BOR" (out), "operator alice" (operator).
std::string event_parties(const EventRow& e);

/// One line for people: time, event id, transaction, parties, APDU, state changes, and
/// REFUSED with the reason, or the operator's reason. No trailing newline.
std::string render_event_line(const EventRow& e);

/// The event as a JSON object (states by their ISO 10161 names).
nlohmann::ordered_json render_event_json(const EventRow& e);

}  // namespace illhub::app
