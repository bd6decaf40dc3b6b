// illctl stats: requests, fill rate, unfilled by reason, turnaround per stage, overdue and
// loss rates, lender x borrower flow and titles requested repeatedly; per month and per
// library. Read-only (works on a replica).
//
//   illctl stats [--from DATE] [--to DATE] [--library SYMBOL] [--format table|csv|json]
//                [--plot FILE.svg|FILE.png]
//
// Figures are defined in docs/illctl-stats.md. Exit codes: 0 ok, 1 failure, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "app/illctl/stats_output.hpp"
#include "app/illctl/stats_plot.hpp"
#include "app/illctl/stats_query.hpp"
#include "app/illctl/stats_report.hpp"

namespace illhub::app {
namespace {

struct StatsOptions {
  std::optional<std::string> from, to, plot;
  std::string library;
  std::string format = "table";
};

void run(const DatabaseOptions& db, const StatsOptions& options) {
  auto period = make_period(options.from, options.to);
  if (!period) {
    std::cerr << "illctl stats: " << period.error() << "\n";
    throw CLI::RuntimeError(2);
  }
  if (options.plot) {
    const std::string ext = std::filesystem::path(*options.plot).extension().string();
    if (ext != ".svg" && ext != ".png") {
      std::cerr << "illctl stats: --plot " << *options.plot << ": the file name must end in .svg or .png\n";
      throw CLI::RuntimeError(2);
    }
  }
  OpenDatabase opened = open_database(db, "stats");
  auto facts = read_transaction_facts(*opened.conn, *period, options.library);
  if (!facts) fail("stats", facts.error());
  const StatsReport report = build_stats_report(*facts, options.library);
  if (options.format == "csv") write_stats_csv(std::cout, report);
  else if (options.format == "json") write_stats_json(std::cout, report, *period);
  else write_stats_table(std::cout, report, *period);
  if (options.plot) {
    auto plotted = plot_monthly_stats(report, *options.plot);
    if (!plotted) fail("stats", plotted.error());
    std::cerr << "illctl stats: chart written to " << *options.plot << "\n";
  }
}

}  // namespace

void add_stats_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto options = std::make_shared<StatsOptions>();
  auto* cmd = app.add_subcommand("stats", "Interlending statistics per month and per library");
  cmd->fallthrough();
  cmd->add_option("--from", options->from, "first day of requests counted, YYYY-MM-DD (UTC)");
  cmd->add_option("--to", options->to, "last day of requests counted, YYYY-MM-DD (UTC), included");
  cmd->add_option("--library", options->library, "only transactions this library is a party to");
  cmd->add_option("--format", options->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--plot", options->plot, "also draw the monthly figures into FILE.svg or FILE.png (gnuplot)");
  cmd->callback([&db, options] { run(db, *options); });
}

}  // namespace illhub::app
