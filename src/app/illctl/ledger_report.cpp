#include "app/illctl/ledger_report.hpp"

#include <set>

#include "illhub/hub/ledger_rules.hpp"
#include "illhub/hub/money.hpp"

namespace illhub::app {
namespace {

/// What happened between one lender and one borrower (one direction of a pair).
struct Direction {
  std::int64_t shipped = 0, back = 0, lost = 0, on_loan = 0;  // items
  std::map<std::string, std::int64_t> charges, replacements, subsidies;  // by currency
};

using Directions = std::map<std::pair<std::string, std::string>, Direction>;  // (lender, borrower)

/// Adds exactly, or reports the overflow (sums of numeric(18,4) can pass 64 bits in theory).
bool add(std::int64_t& into, std::int64_t value) { return !__builtin_add_overflow(into, value, &into); }

Result<Directions, std::string> collect(const std::vector<LedgerSum>& sums) {
  Directions directions;
  bool ok = true;
  for (const LedgerSum& s : sums) {
    Direction& d = directions[{s.lender, s.borrower}];
    if (s.currency == hub::kItemCurrency) {
      // Items are counted on the borrower's account: +1 when it arrives, -1 when it leaves.
      if (s.side != LedgerSide::kBorrower) continue;
      const std::int64_t items = s.amount / hub::kMoneyScale;
      ok = ok && add(d.on_loan, items);
      if (!s.in_period) continue;
      if (s.kind == "loan-out") ok = ok && add(d.shipped, items);
      if (s.kind == "loan-back") ok = ok && add(d.back, -items);
      if (s.kind == "loan-lost") ok = ok && add(d.lost, -items);
      continue;
    }
    if (!s.in_period) continue;
    // Charges and replacements are read on the lender's account (what it is owed), the
    // subsidy on the borrower's (what the consortium gave it).
    if (s.kind == "charge" && s.side == LedgerSide::kLender) ok = ok && add(d.charges[s.currency], s.amount);
    if (s.kind == "replacement" && s.side == LedgerSide::kLender)
      ok = ok && add(d.replacements[s.currency], s.amount);
    if (s.kind == "subsidy" && s.side == LedgerSide::kBorrower)
      ok = ok && add(d.subsidies[s.currency], s.amount);
  }
  if (!ok) return unexpected(std::string("a ledger total does not fit in 64 bits"));
  return directions;
}

/// Adds `d` to `line` as seen by its library: as lender when `as_lender`, else as borrower.
bool accumulate(LedgerLine& line, const Direction& d, bool as_lender, bool count_subsidies) {
  bool ok = true;
  ItemFigures& i = line.items;
  if (as_lender) {
    ok = add(i.lent, d.shipped) && add(i.returned, d.back) && add(i.lost_out, d.lost) &&
         add(i.on_loan_out, d.on_loan);
    for (const auto& [cur, v] : d.charges) {
      MoneyFigures& m = line.money[cur];
      ok = ok && add(m.charges_due, v) && add(m.net, v);
    }
    for (const auto& [cur, v] : d.replacements) {
      MoneyFigures& m = line.money[cur];
      ok = ok && add(m.replacements_due, v) && add(m.net, v);
    }
  } else {
    ok = add(i.borrowed, d.shipped) && add(i.lost_in, d.lost) && add(i.on_loan_in, d.on_loan);
    for (const auto& [cur, v] : d.charges) {
      MoneyFigures& m = line.money[cur];
      ok = ok && add(m.charges_owed, v) && add(m.net, -v);
    }
    for (const auto& [cur, v] : d.replacements) {
      MoneyFigures& m = line.money[cur];
      ok = ok && add(m.replacements_owed, v) && add(m.net, -v);
    }
    // The subsidy is between the consortium and the library: it appears on the library's
    // line (money in), never on a pair's, where it settles nothing.
    if (count_subsidies)
      for (const auto& [cur, v] : d.subsidies) {
        MoneyFigures& m = line.money[cur];
        ok = ok && add(m.subsidies, v) && add(m.net, v);
      }
  }
  return ok;
}

}  // namespace

std::int64_t item_measure(const ItemFigures& f, std::string_view name) {
  if (name == "lent") return f.lent;
  if (name == "borrowed") return f.borrowed;
  if (name == "returned") return f.returned;
  if (name == "lost_out") return f.lost_out;
  if (name == "lost_in") return f.lost_in;
  if (name == "on_loan_out") return f.on_loan_out;
  return f.on_loan_in;
}

std::int64_t money_measure(const MoneyFigures& f, std::string_view name) {
  if (name == "charges_due") return f.charges_due;
  if (name == "charges_owed") return f.charges_owed;
  if (name == "replacements_due") return f.replacements_due;
  if (name == "replacements_owed") return f.replacements_owed;
  if (name == "subsidies") return f.subsidies;
  return f.net;
}

Result<LedgerReport, std::string> build_ledger_report(const std::vector<LedgerSum>& sums,
                                                      const std::string& only_library) {
  auto directions = collect(sums);
  if (!directions) return unexpected(directions.error());
  std::map<std::string, LedgerLine> libraries;
  std::map<std::pair<std::string, std::string>, LedgerLine> pairs;
  bool ok = true;
  for (const auto& [key, d] : *directions) {
    const auto& [lender, borrower] = key;
    LedgerLine& l = libraries[lender];
    LedgerLine& b = libraries[borrower];
    l.library = lender;
    b.library = borrower;
    ok = ok && accumulate(l, d, true, true) && accumulate(b, d, false, true);
    LedgerLine& lp = pairs[{lender, borrower}];
    LedgerLine& bp = pairs[{borrower, lender}];
    lp.library = bp.counterparty = lender;
    lp.counterparty = bp.library = borrower;
    ok = ok && accumulate(lp, d, true, false) && accumulate(bp, d, false, false);
  }
  if (!ok) return unexpected(std::string("a ledger total does not fit in 64 bits"));
  LedgerReport report;
  for (auto& [symbol, line] : libraries)
    if (only_library.empty() || symbol == only_library) report.libraries.push_back(std::move(line));
  for (auto& [key, line] : pairs)
    if (only_library.empty() || key.first == only_library) report.pairs.push_back(std::move(line));
  return report;
}

}  // namespace illhub::app
