// Status-Query answers and receipts. See include/illhub/net/status_answers.hpp.
#include "illhub/net/status_answers.hpp"

namespace illhub::net {

Result<StatusQueryAnswer, std::string> answer_status_query(store::StatusRecord& record, const codec::Envelope& query,
                                                           std::span<const std::uint8_t> query_ber,
                                                           const std::string& asker) {
  auto found = record.lookup(query, asker);
  if (!found) return unexpected("cannot read the transaction: " + found.error().describe());

  StatusQueryAnswer out;
  Result<Bytes, std::string> answer = unexpected(std::string());
  std::string refusal;
  if (*found) {
    out.known = true;
    const store::StatusLookup& l = **found;
    answer = status_report_about(query, hub::status_report_for(l.status, l.asker_role));
    out.log = "answered from the record: requester " + std::string(protocol::to_string(l.status.requester_state)) +
              ", responder " + std::string(protocol::to_string(l.status.responder_state));
  } else {
    refusal = "Status-Query: no transaction with this id has " + asker + " as a party";
    answer = report_about(query, codec::ErrorReportSpec{"Status-Query", codec::TransactionIdProblem::kUnknown},
                          "no transaction with this id is recorded for " + asker);
    out.log = "answered transaction-id-problem unknown";
  }
  if (!answer) return unexpected(answer.error());
  out.answer = std::move(*answer);

  const std::int64_t transaction_id = *found ? (*found)->transaction_id : 0;
  auto recorded = record.record(transaction_id, asker, query, query_ber, out.answer, refusal);
  if (!recorded) return unexpected("cannot record the Status-Query: " + recorded.error().describe());
  out.log += " (event " + std::to_string(*recorded) + ")";
  return out;
}

Result<Bytes, std::string> receipt_for(const codec::Envelope& apdu, const store::ApplyResult& applied) {
  const hub::TransactionSnapshot& next = applied.decision.next;
  hub::TransactionStatus s;
  s.requester_symbol = next.requester_symbol;
  s.responder_symbol = next.responder_symbol;
  s.requester_state = next.view.requester;
  s.responder_state = next.view.responder;
  s.title = apdu.item.title;
  s.author = apdu.item.author;
  s.date_of_last_transition = service_date_time_now().date;
  s.last_kind = apdu.kind;
  s.last_sender = applied.decision.sender_role;
  s.last_service_date = apdu.service_date_time.date;
  s.shipped_service_type = apdu.shipped_service_type;
  s.transaction_results = apdu.transaction_results;
  codec::StatusOrErrorReportSpec spec = hub::status_report_for(s, applied.decision.sender_role);
  const std::string kind(codec::to_string(apdu.kind));
  spec.note = applied.outcome == hub::Outcome::kDuplicate
                  ? "receipt: " + kind + " was recorded before (a repeat; nothing changed); " + spec.note
                  : "receipt: " + kind + " recorded as event " + std::to_string(applied.event_id) + "; " + spec.note;
  return status_report_about(apdu, std::move(spec));
}

}  // namespace illhub::net
