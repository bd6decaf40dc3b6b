#include "app/illctl/rota_listing.hpp"

#include <iostream>

#include "app/illctl/database.hpp"

namespace illhub::app {

void print_rota(store::PgConnection& conn, std::int64_t transaction_id) {
  auto routed = conn.exec("SELECT routed_by_hub, rota_exhausted FROM transactions WHERE id = $1", {transaction_id});
  if (!routed) fail("show", routed.error().describe());
  if (routed->rows() != 1 || routed->get(0, 0) != "t") return;
  auto rows = conn.exec(
      "SELECT position, lender_symbol, source, policy_version, reason, coalesce(outcome, ''), "
      "coalesce(to_char(asked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), "
      "coalesce(to_char(answer_by AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), "
      "coalesce(to_char(outcome_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '') "
      "FROM routing_attempts WHERE transaction_id = $1 ORDER BY position",
      {transaction_id});
  if (!rows) fail("show", rows.error().describe());
  const store::PgResult& r = *rows;
  std::cout << "\nrota (" << r.rows() << " lender(s), routed by the hub"
            << (routed->get(0, 1) == "t" ? "; used up: the borrower was answered unfilled" : "") << ")\n";
  if (r.rows() == 0) std::cout << "  nobody could be asked\n";
  for (int i = 0; i < r.rows(); ++i) {
    const std::string outcome(r.get(i, 5)), asked(r.get(i, 6));
    std::cout << "  " << r.get(i, 0) << ". " << r.get(i, 1) << "  "
              << (outcome.empty() ? (asked.empty() ? "not asked" : "asked, waiting") : outcome);
    if (!asked.empty()) std::cout << "; asked " << asked << " UTC, answer by " << r.get(i, 7) << " UTC";
    if (!r.get(i, 8).empty() && !asked.empty()) std::cout << "; " << outcome << " " << r.get(i, 8) << " UTC";
    std::cout << "\n     " << r.get(i, 2);
    if (r.get(i, 3) != "0") std::cout << " (policy version " << r.get(i, 3) << ")";
    std::cout << ": " << r.get(i, 4) << "\n";
  }
}

}  // namespace illhub::app
