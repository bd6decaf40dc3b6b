#pragma once
// The one query behind `illctl ledger`: ledger postings summed per transaction direction
// (lender, borrower), posting kind, currency, the side of the entry and whether the event
// falls in the period. Everything before the end of the period is read, so balances at
// the end ("now on loan") come out of the same rows as the movements in the period.

#include <cstdint>
#include <string>
#include <vector>

#include "app/illctl/report_period.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app {

/// Which account of the transaction a posting leg is on.
enum class LedgerSide { kLender, kBorrower, kOther };

struct LedgerSum {
  std::string lender;    // the transaction's responder symbol
  std::string borrower;  // the transaction's requester symbol
  std::string kind;      // ledger_postings.kind: loan-out, loan-back, charge, ...
  std::string currency;  // ISO 4217, or ITM for items
  LedgerSide side = LedgerSide::kOther;
  bool in_period = false;  // the events' time is inside the period (else before it)
  std::int64_t amount = 0;  // ten-thousandths (items x 10000 for ITM), exact
};

/// Reads the sums. Errors: the database's message, or a sum too large for 64 bits.
Result<std::vector<LedgerSum>, std::string> read_ledger_sums(store::PgConnection& conn,
                                                             const ReportPeriod& period);

}  // namespace illhub::app
