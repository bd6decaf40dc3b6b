#include "app/illctl/ledger_output.hpp"

#include <nlohmann/json.hpp>

#include <iomanip>

#include "app/illctl/csv_writer.hpp"
#include "illhub/hub/money.hpp"

namespace illhub::app {
namespace {

std::string period_text(const ReportPeriod& period) {
  return (period.from_date.empty() ? std::string("the beginning") : period.from_date) + " to " +
         (period.to_date.empty() ? std::string("now") : period.to_date);
}

void write_lines_csv(std::ostream& out, const std::vector<LedgerLine>& lines, const char* scope) {
  for (const LedgerLine& line : lines) {
    for (std::string_view m : kItemMeasures)
      write_csv_record(out, {scope, line.library, line.counterparty, std::string(m), "",
                             std::to_string(item_measure(line.items, m))});
    for (const auto& [currency, money] : line.money)
      for (std::string_view m : kMoneyMeasures)
        write_csv_record(out, {scope, line.library, line.counterparty, std::string(m), currency,
                               hub::to_decimal_string(money_measure(money, m))});
  }
}

nlohmann::ordered_json line_json(const LedgerLine& line, bool pair) {
  nlohmann::ordered_json j;
  j["library"] = line.library;
  if (pair) j["counterparty"] = line.counterparty;
  nlohmann::ordered_json items = nlohmann::ordered_json::object();
  for (std::string_view m : kItemMeasures) items[std::string(m)] = item_measure(line.items, m);
  j["items"] = items;
  nlohmann::ordered_json money = nlohmann::ordered_json::object();
  for (const auto& [currency, figures] : line.money) {
    nlohmann::ordered_json c;
    // Strings, not JSON numbers: a reader parsing numbers as doubles would lose exactness.
    for (std::string_view m : kMoneyMeasures)
      c[std::string(m)] = hub::to_decimal_string(money_measure(figures, m));
    money[currency] = c;
  }
  j["money"] = money;
  return j;
}

void write_lines_table(std::ostream& out, const std::vector<LedgerLine>& lines, bool pair) {
  out << std::left << std::setw(14) << "library";
  if (pair) out << std::setw(14) << "counterparty";
  for (std::string_view m : kItemMeasures) out << std::right << std::setw(12) << m;
  out << "\n";
  for (const LedgerLine& line : lines) {
    out << std::left << std::setw(14) << line.library;
    if (pair) out << std::setw(14) << line.counterparty;
    for (std::string_view m : kItemMeasures) out << std::right << std::setw(12) << item_measure(line.items, m);
    out << "\n";
    for (const auto& [currency, money] : line.money) {
      out << "    " << currency << ":";
      for (std::string_view m : kMoneyMeasures)
        out << "  " << m << " " << hub::to_decimal_string(money_measure(money, m));
      out << "\n";
    }
  }
}

}  // namespace

void write_ledger_table(std::ostream& out, const LedgerReport& report, const ReportPeriod& period) {
  out << "Ledger, " << period_text(period) << " (UTC)\n\nLibraries\n";
  if (report.libraries.empty()) out << "  (no postings)\n";
  else write_lines_table(out, report.libraries, false);
  out << "\nPairs (each pair from both sides; net > 0: the counterparty owes the library)\n";
  if (report.pairs.empty()) out << "  (no postings)\n";
  else write_lines_table(out, report.pairs, true);
}

void write_ledger_csv(std::ostream& out, const LedgerReport& report) {
  write_csv_record(out, {"scope", "library", "counterparty", "measure", "currency", "value"});
  write_lines_csv(out, report.libraries, "library");
  write_lines_csv(out, report.pairs, "pair");
}

void write_ledger_json(std::ostream& out, const LedgerReport& report, const ReportPeriod& period) {
  nlohmann::ordered_json j;
  j["from"] = period.from_date.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(period.from_date);
  j["to"] = period.to_date.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(period.to_date);
  j["libraries"] = nlohmann::ordered_json::array();
  for (const auto& line : report.libraries) j["libraries"].push_back(line_json(line, false));
  j["pairs"] = nlohmann::ordered_json::array();
  for (const auto& line : report.pairs) j["pairs"].push_back(line_json(line, true));
  out << j.dump(2) << "\n";
}

}  // namespace illhub::app
