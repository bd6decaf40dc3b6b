// illctl holdings import --format csv|marc FILE [--symbol SYMBOL] [--replace-for SYMBOL]
//
// Reads the whole file, reports every bad row or record with its line or record number, and
// imports nothing unless all are good; then writes them in one PostgreSQL transaction (with
// --replace-for, after removing that library's earlier holdings in the same transaction).
// Formats: docs/ROUTING-PLANNER.md. Exit codes: 0 imported, 1 refused or failed, 2 usage.
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/migrated_database.hpp"
#include "app/illctl/read_input.hpp"
#include "illhub/routing/holdings.hpp"
#include "illhub/routing/holdings_store.hpp"

namespace illhub::app {
namespace {

/// Enough to see the pattern of a bad file without flooding the terminal.
constexpr std::size_t kMaxProblemsShown = 100;

struct ImportOptions {
  std::string format, file, symbol;
  std::optional<std::string> replace_for;
};

[[noreturn]] void refuse(const std::string& file, const std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < problems.size() && i < kMaxProblemsShown; ++i)
    std::cerr << "illctl holdings: " << file << ": " << problems[i] << "\n";
  if (problems.size() > kMaxProblemsShown)
    std::cerr << "illctl holdings: " << file << ": ... and " << problems.size() - kMaxProblemsShown << " more\n";
  fail("holdings", file + ": " + std::to_string(problems.size()) + " problem(s); nothing imported");
}

void import(const DatabaseOptions& db, const ImportOptions& o) {
  const std::vector<std::uint8_t> bytes = read_input(o.file);
  const std::string_view content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  // --replace-for names the file's library too, for rows and records that do not.
  const std::string default_symbol = !o.symbol.empty() ? o.symbol : o.replace_for.value_or("");
  const routing::ParsedHoldings parsed = o.format == "csv" ? routing::parse_holdings_csv(content, default_symbol)
                                                           : routing::parse_holdings_marc(content, default_symbol);
  if (!parsed.errors.empty()) refuse(o.file, parsed.errors);
  if (parsed.records.empty() && !o.replace_for) fail("holdings", o.file + ": no records");
  OpenDatabase opened = open_migrated_database(db, "holdings");
  auto summary = routing::import_holdings(*opened.conn, parsed.records, o.file, o.replace_for,
                                          o.format == "csv" ? "line" : "record");
  if (!summary) refuse(o.file, summary.error());
  std::cout << o.file << ": imported " << summary->records << " record(s) with " << summary->identifiers
            << " identifier(s) for " << summary->libraries << " librar" << (summary->libraries == 1 ? "y" : "ies");
  if (o.replace_for) std::cout << "; removed " << summary->replaced << " earlier record(s) of " << *o.replace_for;
  std::cout << "\n";
}

}  // namespace

void add_holdings_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto* holdings = app.add_subcommand("holdings", "Load which member library holds which item (for the rota)");
  holdings->require_subcommand(1);
  holdings->fallthrough();
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = holdings->add_subcommand("import", "Import a CSV or MARC (ISO 2709) holdings file, all or nothing");
  cmd->add_option("--format", o->format, "csv or marc")->required()->check(CLI::IsMember({"csv", "marc"}));
  cmd->add_option("FILE", o->file, "the holdings file (- for standard input)")->required();
  cmd->add_option("--symbol", o->symbol, "the holding library of rows and records that do not name one");
  cmd->add_option("--replace-for", o->replace_for,
                  "this library's earlier holdings are replaced by the file's (every record must be its)");
  cmd->fallthrough();
  cmd->callback([&db, o] { import(db, *o); });
}

}  // namespace illhub::app
