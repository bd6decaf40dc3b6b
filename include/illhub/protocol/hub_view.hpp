#pragma once
// The hub's view of a transaction: both machines at once. The hub relays every APDU, so an
// APDU the requester sends is "sent" in the requester table and "received" in the responder
// table (and the other way round); it is relayed only when both tables allow it.

#include <optional>
#include <string>

#include "illhub/protocol/apdu_identity.hpp"
#include "illhub/protocol/event.hpp"
#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/protocol/state.hpp"
#include "illhub/protocol/transition.hpp"

namespace illhub::protocol {

/// What the hub keeps about a transaction's protocol state. A new transaction is the default
/// value (both sides IDLE).
struct TransactionView {
  State requester = State::kIdle;
  State responder = State::kIdle;
  /// The state each side was in when it entered CANCEL-PENDING, to resume after a
  /// Cancel-Reply "no". Meaningless outside CANCEL-PENDING.
  State requester_before_cancel = State::kIdle;
  State responder_before_cancel = State::kIdle;
  Conditions conditions;
  /// The peers' lenient profiles; null for strict ISO (the default).
  const LenientProfile* requester_profile = nullptr;
  const LenientProfile* responder_profile = nullptr;
  /// The last APDU applied, for is_duplicate; empty before the first.
  std::optional<ApduIdentity> last_applied;

  friend bool operator==(const TransactionView&, const TransactionView&) = default;
};

/// The optional messages a requester declares in its ILL-Request.
struct RequesterOptionalMessages {
  bool can_send_received = true;
  bool can_send_returned = true;
};

/// The optional messages a responder declares in its ILL-Answer (or first APDU).
struct ResponderOptionalMessages {
  bool can_send_shipped = true;
  bool can_send_checked_in = true;
};

/// The few fields of an incoming APDU the tables need (the hub reads them from the codec's
/// Envelope).
struct HubApdu {
  ApduKind kind = ApduKind::kIllRequest;
  Role sender = Role::kRequester;
  std::optional<TransactionResults> transaction_results;  // ILL-Answer
  std::optional<bool> answer;  // Conditional-Reply, Cancel-Reply, Renew-Answer
  /// Shipped: shipped-service-type. ILL-Request: the service type when the request names
  /// only loan or only copy-non-returnable (it sets RETURN before anything ships).
  std::optional<ShippedServiceType> service_type;
  std::optional<RequesterOptionalMessages> requester_optional_messages;  // ILL-Request
  std::optional<ResponderOptionalMessages> responder_optional_messages;  // ILL-Answer, Shipped
  std::string service_date;  // for the duplicate check
  std::string service_time;
};

/// The event an APDU is in the table of `role`: sent by that role or received by it.
Event event_for(const HubApdu& apdu, Role role);

/// ISO 10161 Transaction-Id-Problem.
enum class TransactionIdProblem : std::uint8_t {
  kDuplicateTransactionId = 1,
  kInvalidTransactionId = 2,
  kUnknownTransactionId = 3,
};

std::string_view to_string(TransactionIdProblem problem);

/// The Provider-Error-Report the sender of a refused APDU gets in its
/// Status-Or-Error-Report.
struct ErrorReport {
  enum class Kind : std::uint8_t { kTransactionIdProblem, kStateTransitionProhibited };
  Kind kind = Kind::kStateTransitionProhibited;
  TransactionIdProblem transaction_id_problem = TransactionIdProblem::kUnknownTransactionId;
  // state-transition-prohibited {aPDU-type, current-state}
  ApduKind apdu_type = ApduKind::kIllRequest;
  State current_state = State::kIdle;
  /// Which table refused: the sender's own, or the recipient's (only for
  /// state-transition-prohibited).
  Role refused_by = Role::kRequester;

  friend bool operator==(const ErrorReport&, const ErrorReport&) = default;
};

/// "state-transition-prohibited (Shipped in IDLE, responder table)" and the like, for logs.
std::string to_string(const ErrorReport& report);

enum class Verdict : std::uint8_t {
  kAllowed,    // apply `next`, relay the APDU
  kDuplicate,  // the last applied APDU again: change nothing, relay nothing, report nothing
  kRefused,    // send `report` to the sender, change nothing, relay nothing
};

std::string_view to_string(Verdict verdict);

struct Decision {
  Verdict verdict = Verdict::kRefused;
  /// kAllowed: the view after the APDU. Otherwise the view unchanged.
  TransactionView next;
  /// kRefused only.
  std::optional<ErrorReport> report;
  /// The rows that allowed it (kAllowed only), for the event log.
  std::optional<Transition> requester_row;
  std::optional<Transition> responder_row;
  /// A Forward-Notification closed the responder's leg in FORWARD; `next.responder` is IDLE,
  /// waiting for the ILL-Request to the new responder.
  bool forwarded = false;
  /// Both sides are in a final state: the transaction is over.
  bool finished = false;
};

/// Decides an incoming APDU against both tables. Order of checks:
///  1. the last applied APDU again (is_duplicate) → kDuplicate;
///  2. an ILL-Request while the responder side is not IDLE → transaction-id-problem
///     duplicate-transaction-id (the transaction exists);
///  3. any other APDU while both sides are IDLE → unknown-transaction-id;
///  4. the sender's table (event "sent"), then the recipient's ("received"); the first that
///     has no cell refuses with state-transition-prohibited {kind, that side's state} — or
///     unknown-transaction-id when that side is IDLE, which Current-State cannot report.
/// Pure; never fails otherwise.
Decision decide(const TransactionView& view, const HubApdu& apdu);

/// What the hub does when one of its timers runs out on a transaction.
struct TimerDecision {
  /// Whether the timer applies in both sides' current states. When false, nothing happens
  /// (e.g. the expiry date passing after the item was shipped).
  bool fires = false;
  TransactionView next;
  /// The APDU the hub sends the requester on the responder's behalf: Expired or Overdue,
  /// the APDUs the ISO responder machine issues when these timers run out. The responder
  /// gets a Status-Or-Error-Report with its new state.
  ApduKind to_requester = ApduKind::kExpired;
  bool finished = false;
};

/// Decides a timer against both tables (Trigger::kTimer cells). Pure.
TimerDecision decide_timer(const TransactionView& view, Timer which);

/// Whether both sides of the view are in final states (see is_final).
bool is_finished(const TransactionView& view);

}  // namespace illhub::protocol
