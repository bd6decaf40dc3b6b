#pragma once
// The hub's own answers about a transaction's status:
// - a Status-Query is answered by the hub from its record (it is not relayed): a status
//   report for a party of the transaction, transaction-id-problem `unknown` for anybody else;
// - a receipt: after an APDU from a peer that asked for receipts (peers.receipts) was
//   committed, a status report tells it the APDU is durable (ISO 10161 has no acknowledgement).

#include <cstdint>
#include <span>
#include <string>

#include "illhub/codec/envelope.hpp"
#include "illhub/net/reports.hpp"
#include "illhub/store/status_record.hpp"
#include "illhub/store/transaction_store.hpp"

namespace illhub::net {

struct StatusQueryAnswer {
  Bytes answer;     // the Status-Or-Error-Report to write back
  bool known = false;  // the asker is a party of a recorded transaction
  std::string log;  // one line for the log
};

/// Looks the transaction up for `asker`, builds the answer and records query and answer.
/// Blocks on the database (call through run_blocking). Errors: the database failed (nothing
/// recorded; the caller sends the temporary store-failure report) or a report could not be
/// built (a bug).
Result<StatusQueryAnswer, std::string> answer_status_query(store::StatusRecord& record, const codec::Envelope& query,
                                                           std::span<const std::uint8_t> query_ber,
                                                           const std::string& asker);

/// The receipt for an APDU that apply() accepted, or found already applied (a repeat: the
/// peer learns that the first copy is durable): the transaction's status after it.
Result<Bytes, std::string> receipt_for(const codec::Envelope& apdu, const store::ApplyResult& applied);

}  // namespace illhub::net
