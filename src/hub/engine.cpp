#include "illhub/hub/engine.hpp"

namespace illhub::hub {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted: return "accepted";
    case Outcome::kDuplicate: return "duplicate";
    case Outcome::kRefused: return "refused";
  }
  return "refused";
}

protocol::HubApdu to_hub_apdu(const codec::Envelope& apdu, protocol::Role sender) {
  protocol::HubApdu h;
  h.kind = apdu.kind;
  h.sender = sender;
  if (apdu.transaction_results)
    h.transaction_results = static_cast<protocol::TransactionResults>(*apdu.transaction_results);
  h.answer = apdu.answer;
  if (apdu.kind == codec::ApduKind::kShipped && apdu.shipped_service_type) {
    h.service_type = static_cast<protocol::ShippedServiceType>(*apdu.shipped_service_type);
  } else if (apdu.kind == codec::ApduKind::kIllRequest && apdu.ill_service_types.size() == 1) {
    // A request for exactly one of loan or copy fixes RETURN before anything ships.
    const auto only = apdu.ill_service_types.front();
    if (only == codec::IllServiceType::kLoan) h.service_type = protocol::ShippedServiceType::kLoan;
    if (only == codec::IllServiceType::kCopyNonReturnable)
      h.service_type = protocol::ShippedServiceType::kCopyNonReturnable;
  }
  if (apdu.requester_optional_messages)
    h.requester_optional_messages = protocol::RequesterOptionalMessages{
        apdu.requester_optional_messages->can_send_received,
        apdu.requester_optional_messages->can_send_returned};
  if (apdu.responder_optional_messages)
    h.responder_optional_messages = protocol::ResponderOptionalMessages{
        apdu.responder_optional_messages->can_send_shipped,
        apdu.responder_optional_messages->can_send_checked_in};
  h.service_date = apdu.service_date_time.date;
  h.service_time = apdu.service_date_time.time;
  return h;
}

namespace {

std::string correlation(const codec::Envelope& apdu) {
  const auto& t = apdu.transaction_id;
  return t.group_qualifier + "/" + t.qualifier + (t.sub_qualifier.empty() ? "" : "/" + t.sub_qualifier);
}

Decision refuse(const Incoming& in, const TransactionSnapshot& snapshot,
                decltype(codec::ErrorReportSpec::problem) problem, std::string reason) {
  Decision d;
  d.outcome = Outcome::kRefused;
  d.next = snapshot;
  d.refusal = codec::ErrorReportSpec{correlation(in.apdu), problem};
  d.reason = std::move(reason);
  return d;
}

codec::ErrorReportSpec report_for(const protocol::ErrorReport& r, const codec::Envelope& apdu) {
  codec::ErrorReportSpec spec{correlation(apdu), codec::GeneralProblem::kOther};
  if (r.kind == protocol::ErrorReport::Kind::kTransactionIdProblem)
    spec.problem = static_cast<codec::TransactionIdProblem>(r.transaction_id_problem);
  else
    spec.problem = codec::StateTransitionProhibited{
        r.apdu_type, protocol::current_state_value(r.current_state).value_or(18)};
  return spec;
}

}  // namespace

Decision decide(const Incoming& in, const TransactionSnapshot& snapshot, const LedgerPolicy& policy) {
  const codec::Envelope& apdu = in.apdu;
  if (apdu.requester_id.symbol.empty() || apdu.responder_id.symbol.empty())
    return refuse(in, snapshot, codec::SecurityProblem{"requester-id and responder-id symbols are required by this hub"},
                  "requester-id or responder-id symbol missing");

  protocol::Role sender;
  if (!snapshot.exists) {
    if (apdu.kind != codec::ApduKind::kIllRequest)
      return refuse(in, snapshot, codec::TransactionIdProblem::kUnknown,
                    std::string(codec::to_string(apdu.kind)) + " for an unknown transaction");
    if (apdu.requester_id.symbol != in.sender_symbol)
      return refuse(in, snapshot, codec::SecurityProblem{in.sender_symbol + " may not request for " + apdu.requester_id.symbol},
                    "ILL-Request's requester-id is not the sending peer");
    // The Transaction-Id's first part is the library that started the transaction (absent: the
    // requester). A library may start transactions only in its own name: otherwise it could
    // take a qualifier another library will use, and that library's request would meet a
    // transaction it is no party to.
    const codec::SystemId& initial = apdu.transaction_id.initial_requester;
    const std::string& initiator = !initial.symbol.empty() ? initial.symbol
                                   : !initial.name.empty() ? initial.name
                                                           : apdu.requester_id.symbol;
    if (initiator != apdu.requester_id.symbol)
      return refuse(in, snapshot,
                    codec::SecurityProblem{in.sender_symbol + " may not start a transaction in the name of " + initiator +
                                           " (initial-requester-id)"},
                    "ILL-Request's initial-requester-id is not the requester");
    if (!in.responder_is_member)
      return refuse(in, snapshot, codec::SecurityProblem{apdu.responder_id.symbol + " is not a member of this hub"},
                    "responder-id is not a registered, enabled peer");
    sender = protocol::Role::kRequester;
  } else if (in.sender_symbol == snapshot.requester_symbol) {
    sender = protocol::Role::kRequester;
  } else if (in.sender_symbol == snapshot.responder_symbol) {
    sender = protocol::Role::kResponder;
  } else {
    // The same answer as for a transaction that does not exist (and as a stranger's
    // Status-Query gets): a library learns nothing about other libraries' transactions.
    return refuse(in, snapshot, codec::TransactionIdProblem::kUnknown,
                  "sender is neither requester nor responder of the transaction");
  }
  if (snapshot.exists && (apdu.requester_id.symbol != snapshot.requester_symbol ||
                          apdu.responder_id.symbol != snapshot.responder_symbol))
    return refuse(in, snapshot, codec::TransactionIdProblem::kInvalid,
                  "requester-id/responder-id differ from the transaction's parties");

  const protocol::Decision pd = protocol::decide(snapshot.view, to_hub_apdu(apdu, sender));
  Decision d;
  d.sender_role = sender;
  d.next = snapshot;
  if (pd.verdict == protocol::Verdict::kDuplicate) {
    d.outcome = Outcome::kDuplicate;
    return d;
  }
  if (pd.verdict == protocol::Verdict::kRefused) {
    d.outcome = Outcome::kRefused;
    d.refusal = report_for(*pd.report, apdu);
    d.reason = protocol::to_string(*pd.report);
    return d;
  }

  d.outcome = Outcome::kAccepted;
  TransactionSnapshot& next = d.next;
  if (!snapshot.exists) {
    next.exists = true;
    next.requester_symbol = apdu.requester_id.symbol;
    next.responder_symbol = apdu.responder_id.symbol;
  }
  next.view = pd.next;
  d.recipient_symbol = sender == protocol::Role::kRequester ? next.responder_symbol : next.requester_symbol;
  if (apdu.date_due) next.date_due = apdu.date_due->date;
  if (apdu.insured_for && (!next.insured_value || apdu.kind == codec::ApduKind::kShipped)) {
    if (auto value = parse_amount(*apdu.insured_for, policy.default_currency)) next.insured_value = *value;
  }

  const LedgerContext context{next.requester_symbol, next.responder_symbol, snapshot.view, next.view,
                              next.insured_value, snapshot.replacement_charged};
  if (auto postings = postings_for(apdu, context, policy)) {
    d.postings = std::move(*postings);
    for (const Posting& p : d.postings)
      if (p.kind == PostingKind::kReplacement) next.replacement_charged = true;
  } else {
    d.ledger_note = postings.error();
  }
  return d;
}

}  // namespace illhub::hub
