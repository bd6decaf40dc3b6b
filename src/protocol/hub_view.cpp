// The hub's decision on an APDU or a timer, from the two tables.
#include "illhub/protocol/hub_view.hpp"

#include "illhub/protocol/state_table.hpp"

namespace illhub::protocol {
namespace {

State& state_of(TransactionView& view, Role role) {
  return role == Role::kRequester ? view.requester : view.responder;
}
State state_of(const TransactionView& view, Role role) {
  return role == Role::kRequester ? view.requester : view.responder;
}
State& before_cancel_of(TransactionView& view, Role role) {
  return role == Role::kRequester ? view.requester_before_cancel
                                  : view.responder_before_cancel;
}

std::optional<Transition> cell(const TransactionView& view, Role role, const Event& event) {
  return find_transition(role, state_of(view, role), event, view.conditions,
                         view.requester_profile, view.responder_profile);
}

// Moves one side along its row, remembering where a cancel interrupted it.
void advance(TransactionView& view, Role role, const Transition& row) {
  State& state = state_of(view, role);
  State& before_cancel = before_cancel_of(view, role);
  const State next = target_state(row, before_cancel);
  if (next == State::kCancelPending && state != State::kCancelPending) before_cancel = state;
  state = next;
}

// Facts the APDU declares, kept for the guards of later rows. Applied after the look-up:
// no row of an APDU depends on what that same APDU declares.
void record_declarations(Conditions& c, const HubApdu& apdu) {
  if (apdu.kind == ApduKind::kShipped) c.shipped = true;
  if (apdu.service_type &&
      (apdu.kind == ApduKind::kIllRequest || apdu.kind == ApduKind::kShipped)) {
    c.return_variable =
        *apdu.service_type == ShippedServiceType::kLoan ? Return::kLoan : Return::kCopy;
  }
  if (apdu.requester_optional_messages && apdu.kind == ApduKind::kIllRequest) {
    c.optional_messages.requester_can_send_received =
        apdu.requester_optional_messages->can_send_received;
    c.optional_messages.requester_can_send_returned =
        apdu.requester_optional_messages->can_send_returned;
  }
  if (apdu.responder_optional_messages &&
      (apdu.kind == ApduKind::kIllAnswer || apdu.kind == ApduKind::kShipped)) {
    c.optional_messages.responder_can_send_shipped =
        apdu.responder_optional_messages->can_send_shipped;
    c.optional_messages.responder_can_send_checked_in =
        apdu.responder_optional_messages->can_send_checked_in;
  }
}

bool returned_is_final(const TransactionView& view) {
  return (view.requester_profile != nullptr && view.requester_profile->returned_is_final) ||
         (view.responder_profile != nullptr && view.responder_profile->returned_is_final);
}

Decision refuse(const TransactionView& view, ErrorReport report) {
  Decision d;
  d.verdict = Verdict::kRefused;
  d.next = view;
  d.report = report;
  d.finished = is_finished(view);
  return d;
}

ErrorReport transaction_id_problem(TransactionIdProblem problem, ApduKind kind, Role by) {
  ErrorReport r;
  r.kind = ErrorReport::Kind::kTransactionIdProblem;
  r.transaction_id_problem = problem;
  r.apdu_type = kind;
  r.refused_by = by;
  return r;
}

ErrorReport prohibited(ApduKind kind, State current, Role by) {
  ErrorReport r;
  r.kind = ErrorReport::Kind::kStateTransitionProhibited;
  r.apdu_type = kind;
  r.current_state = current;
  r.refused_by = by;
  return r;
}

}  // namespace

Event event_for(const HubApdu& apdu, Role role) {
  Detail detail = Detail::kNone;
  if (apdu.kind == ApduKind::kIllAnswer && apdu.transaction_results) {
    detail = detail_of(*apdu.transaction_results);
  } else if ((apdu.kind == ApduKind::kConditionalReply || apdu.kind == ApduKind::kCancelReply ||
              apdu.kind == ApduKind::kRenewAnswer) &&
             apdu.answer) {
    detail = detail_of(*apdu.answer);
  }
  return role == apdu.sender ? send(apdu.kind, detail) : receive(apdu.kind, detail);
}

std::string_view to_string(TransactionIdProblem problem) {
  switch (problem) {
    case TransactionIdProblem::kDuplicateTransactionId: return "duplicate-transaction-id";
    case TransactionIdProblem::kInvalidTransactionId: return "invalid-transaction-id";
    case TransactionIdProblem::kUnknownTransactionId: return "unknown-transaction-id";
  }
  return "?";
}

std::string to_string(const ErrorReport& report) {
  std::string out;
  if (report.kind == ErrorReport::Kind::kTransactionIdProblem) {
    out = "transaction-id-problem ";
    out += to_string(report.transaction_id_problem);
    out += " (";
    out += codec::to_string(report.apdu_type);
    out += ")";
    return out;
  }
  out = "state-transition-prohibited (";
  out += codec::to_string(report.apdu_type);
  out += " in ";
  out += to_string(report.current_state);
  out += ", ";
  out += to_string(report.refused_by);
  out += " table)";
  return out;
}

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAllowed: return "allowed";
    case Verdict::kDuplicate: return "duplicate";
    case Verdict::kRefused: return "refused";
  }
  return "?";
}

Decision decide(const TransactionView& view, const HubApdu& apdu) {
  const ApduIdentity identity{apdu.kind, apdu.sender, apdu.service_date, apdu.service_time};
  if (is_duplicate(identity, view.last_applied ? &*view.last_applied : nullptr)) {
    Decision d;
    d.verdict = Verdict::kDuplicate;
    d.next = view;
    d.finished = is_finished(view);
    return d;
  }
  // The responder side leaves IDLE with the first ILL-Request, so one more is a second
  // transaction under an id already taken (a re-send of the same one was caught above).
  if (apdu.kind == ApduKind::kIllRequest && view.responder != State::kIdle) {
    return refuse(view, transaction_id_problem(TransactionIdProblem::kDuplicateTransactionId,
                                               apdu.kind, Role::kResponder));
  }
  if (view.requester == State::kIdle && view.responder == State::kIdle &&
      apdu.kind != ApduKind::kIllRequest) {
    return refuse(view, transaction_id_problem(TransactionIdProblem::kUnknownTransactionId,
                                               apdu.kind, apdu.sender));
  }

  const Role sender = apdu.sender;
  const Role recipient = other(sender);
  const std::optional<Transition> sent = cell(view, sender, event_for(apdu, sender));
  if (!sent) {
    const State s = state_of(view, sender);
    // A side in IDLE has no such transaction: Current-State cannot say IDLE.
    if (s == State::kIdle) {
      return refuse(view, transaction_id_problem(TransactionIdProblem::kUnknownTransactionId,
                                                 apdu.kind, sender));
    }
    return refuse(view, prohibited(apdu.kind, s, sender));
  }
  const std::optional<Transition> received = cell(view, recipient, event_for(apdu, recipient));
  if (!received) {
    // The recipient in IDLE (a new responder after a forward, before its ILL-Request): the
    // sender's own state is the one it can make sense of.
    const State r = state_of(view, recipient);
    return refuse(view, prohibited(apdu.kind, r == State::kIdle ? state_of(view, sender) : r,
                                   recipient));
  }

  Decision d;
  d.verdict = Verdict::kAllowed;
  d.next = view;
  advance(d.next, sender, *sent);
  advance(d.next, recipient, *received);
  record_declarations(d.next.conditions, apdu);
  d.next.last_applied = identity;
  d.requester_row = sender == Role::kRequester ? sent : received;
  d.responder_row = sender == Role::kResponder ? sent : received;
  if (d.next.responder == State::kForward && view.responder != State::kForward) {
    // The intermediary's leg is over; the next responder starts from IDLE with the
    // ILL-Request the intermediary sends it (requester table: PENDING →ILL-Request).
    d.forwarded = true;
    d.next.responder = State::kIdle;
    d.next.responder_before_cancel = State::kIdle;
  }
  d.finished = is_finished(d.next);
  return d;
}

TimerDecision decide_timer(const TransactionView& view, Timer which) {
  TimerDecision d;
  d.next = view;
  d.to_requester = which == Timer::kExpiry ? ApduKind::kExpired : ApduKind::kOverdue;
  const Event event = timer(which);
  const auto r = cell(view, Role::kRequester, event);
  const auto s = cell(view, Role::kResponder, event);
  if (r && s) {
    d.fires = true;
    advance(d.next, Role::kRequester, *r);
    advance(d.next, Role::kResponder, *s);
  }
  d.finished = is_finished(d.next);
  return d;
}

bool is_finished(const TransactionView& view) {
  const bool rif = returned_is_final(view);
  return is_final(view.requester, view.conditions, rif) &&
         is_final(view.responder, view.conditions, rif);
}

}  // namespace illhub::protocol
