#pragma once
// The facts `illctl stats` needs about each transaction requested in the period, read from
// the events: when each stage was first reached, whether the loan went overdue or was lost,
// and the unfilled answer's reason (decoded from the ILL-Answer's bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/illctl/report_period.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app {

struct TransactionFacts {
  std::int64_t id = 0;
  std::string borrower;  // requester symbol
  std::string lender;    // responder symbol
  std::string title;
  std::string month;     // YYYY-MM (UTC) of the request
  bool is_loan = false;  // the item must come back (copies: false)
  // First accepted event of each stage, Unix seconds; empty when not reached.
  std::optional<std::int64_t> requested, shipped, received, returned;
  bool overdue = false;  // an Overdue, or either side in an overdue state
  bool lost = false;     // a Lost was accepted
  /// The last accepted ILL-Answer said unfilled: its Reason-Unfilled value.
  std::optional<long> unfilled_reason;
};

/// Transactions whose ILL-Request was accepted inside the period (their later events count
/// whenever they happened). `library` non-empty: only those where it is borrower or lender.
/// Errors: the database's message.
Result<std::vector<TransactionFacts>, std::string> read_transaction_facts(
    store::PgConnection& conn, const ReportPeriod& period, const std::string& library);

}  // namespace illhub::app
