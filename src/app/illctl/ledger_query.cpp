#include "app/illctl/ledger_query.hpp"

#include "illhub/hub/money.hpp"

namespace illhub::app {
namespace {

// The side is found by the account name the ledger rules give a library ("library:" and
// the symbol, hub::library_account), compared with the transaction's two parties.
constexpr const char* kSumsSql = R"SQL(
SELECT t.responder_symbol, t.requester_symbol, p.kind, p.currency,
       CASE WHEN p.account = 'library:' || t.responder_symbol THEN 'lender'
            WHEN p.account = 'library:' || t.requester_symbol THEN 'borrower'
            ELSE 'other' END AS side,
       (e.received_at >= coalesce($1::timestamptz, '-infinity')) AS in_period,
       sum(p.amount)::text
  FROM ledger_postings p
  JOIN events e ON e.id = p.event_id
  JOIN transactions t ON t.id = e.transaction_id
 WHERE e.received_at < coalesce($2::timestamptz, 'infinity')
 GROUP BY 1, 2, 3, 4, 5, 6
 ORDER BY 1, 2, 3, 4, 5, 6
)SQL";

std::optional<std::string> bound(const std::string& timestamp) {
  if (timestamp.empty()) return std::nullopt;
  return timestamp;
}

}  // namespace

Result<std::vector<LedgerSum>, std::string> read_ledger_sums(store::PgConnection& conn,
                                                             const ReportPeriod& period) {
  const auto from = bound(period.from_timestamp), to = bound(period.to_timestamp);
  auto rows = conn.exec(kSumsSql, {from, to});
  if (!rows) {
    if (rows.error().sqlstate == "42P01")  // undefined_table
      return unexpected(std::string("the database has no illhub schema (run `illctl migrate`)"));
    return unexpected(rows.error().describe());
  }
  std::vector<LedgerSum> sums;
  sums.reserve(static_cast<std::size_t>(rows->rows()));
  for (int r = 0; r < rows->rows(); ++r) {
    LedgerSum s;
    s.lender = rows->get(r, 0);
    s.borrower = rows->get(r, 1);
    s.kind = rows->get(r, 2);
    s.currency = rows->get(r, 3);
    const std::string_view side = rows->get(r, 4);
    s.side = side == "lender" ? LedgerSide::kLender
             : side == "borrower" ? LedgerSide::kBorrower : LedgerSide::kOther;
    s.in_period = rows->get(r, 5) == "t";
    auto amount = hub::parse_decimal(rows->get(r, 6));
    if (!amount) return unexpected("ledger sum " + std::string(rows->get(r, 6)) + ": " + amount.error());
    s.amount = *amount;
    sums.push_back(std::move(s));
  }
  return sums;
}

}  // namespace illhub::app
