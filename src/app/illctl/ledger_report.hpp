#pragma once
// `illctl ledger`'s figures, computed from the posting sums (ledger_query.hpp). Pure.
// Every figure is defined in docs/illctl-ledger.md.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "app/illctl/ledger_query.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app {

/// Item counts, from the ITM postings of loans.
struct ItemFigures {
  std::int64_t lent = 0;         // loans it shipped in the period
  std::int64_t borrowed = 0;     // loans shipped to it in the period
  std::int64_t returned = 0;     // loans it lent that came back in the period
  std::int64_t lost_out = 0;     // loans it lent reported lost in the period
  std::int64_t lost_in = 0;      // loans it borrowed reported lost in the period
  std::int64_t on_loan_out = 0;  // its items at borrowers at the end of the period
  std::int64_t on_loan_in = 0;   // items it holds from lenders at the end of the period
};

/// Money in one currency, in ten-thousandths, for the period.
struct MoneyFigures {
  std::int64_t charges_due = 0;        // charges others owe it (it lent or supplied)
  std::int64_t charges_owed = 0;       // charges it owes others
  std::int64_t replacements_due = 0;   // lost/damaged replacements others owe it
  std::int64_t replacements_owed = 0;  // replacements it owes
  std::int64_t subsidies = 0;          // the consortium paid towards its charges (0 on pair lines)
  std::int64_t net = 0;                // due - owed (+ subsidies for a library): > 0 it receives
};

inline constexpr std::array<std::string_view, 7> kItemMeasures = {
    "lent", "borrowed", "returned", "lost_out", "lost_in", "on_loan_out", "on_loan_in"};
inline constexpr std::array<std::string_view, 6> kMoneyMeasures = {
    "charges_due", "charges_owed", "replacements_due", "replacements_owed", "subsidies", "net"};

std::int64_t item_measure(const ItemFigures& f, std::string_view name);
std::int64_t money_measure(const MoneyFigures& f, std::string_view name);

/// One line of the report: a library (counterparty empty), or a library as seen against one
/// counterparty (each pair appears twice, once from each side).
struct LedgerLine {
  std::string library;
  std::string counterparty;
  ItemFigures items;
  std::map<std::string, MoneyFigures> money;  // by currency
};

struct LedgerReport {
  std::vector<LedgerLine> libraries;  // by symbol
  std::vector<LedgerLine> pairs;      // by library, then counterparty
};

/// Builds the report. `only_library` non-empty keeps the lines of that library alone.
/// Errors: a total that does not fit in 64 bits.
Result<LedgerReport, std::string> build_ledger_report(const std::vector<LedgerSum>& sums,
                                                      const std::string& only_library);

}  // namespace illhub::app
