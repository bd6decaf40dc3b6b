// illctl ledger: items lent and borrowed, charges, subsidies, replacements and net settlement
// per library and per pair of libraries, for a period. Read-only (works on a replica).
//
//   illctl ledger [--from DATE] [--to DATE] [--library SYMBOL] [--format table|csv|json]
//
// Figures are defined in docs/illctl-ledger.md. Exit codes: 0 ok, 1 failure, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/ledger_output.hpp"
#include "app/illctl/ledger_query.hpp"
#include "app/illctl/ledger_report.hpp"

namespace illhub::app {
namespace {

struct LedgerOptions {
  std::optional<std::string> from, to;
  std::string library;
  std::string format = "table";
};

void run(const DatabaseOptions& db, const LedgerOptions& options) {
  auto period = make_period(options.from, options.to);
  if (!period) {
    std::cerr << "illctl ledger: " << period.error() << "\n";
    throw CLI::RuntimeError(2);
  }
  OpenDatabase opened = open_database(db, "ledger");
  auto sums = read_ledger_sums(*opened.conn, *period);
  if (!sums) fail("ledger", sums.error());
  auto report = build_ledger_report(*sums, options.library);
  if (!report) fail("ledger", report.error());
  if (options.format == "csv") write_ledger_csv(std::cout, *report);
  else if (options.format == "json") write_ledger_json(std::cout, *report, *period);
  else write_ledger_table(std::cout, *report, *period);
}

}  // namespace

void add_ledger_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto options = std::make_shared<LedgerOptions>();
  auto* cmd = app.add_subcommand("ledger", "Balances per library and per pair of libraries for a period");
  cmd->fallthrough();
  cmd->add_option("--from", options->from, "first day of the period, YYYY-MM-DD (UTC)");
  cmd->add_option("--to", options->to, "last day of the period, YYYY-MM-DD (UTC), included");
  cmd->add_option("--library", options->library, "only this library's lines");
  cmd->add_option("--format", options->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->callback([&db, options] { run(db, *options); });
}

}  // namespace illhub::app
