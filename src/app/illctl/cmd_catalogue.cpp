// illctl catalogue probe TARGET --isbn X: asks a library's catalogue (the target string its
// configuration will carry) whether it holds an item, the way the routing planner will, and
// prints the searches sent and the answer. Bypasses the cache: it always asks the server.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "app/illctl/commands.hpp"
#include "illhub/routing/catalogue_lookup.hpp"

namespace illhub::app {
namespace {

struct ProbeArgs {
  std::string target;
  routing::HoldingsQuery query;
  int timeout_seconds = 5;
  bool no_title_fallback = false;
};

void run_probe(const ProbeArgs& args) {
  auto target = routing::parse_catalogue_target(args.target);
  if (!target) {
    std::cerr << "illctl: " << target.error() << "\n";
    throw CLI::RuntimeError(2);
  }
  routing::LookupOptions options;
  options.timeout = std::chrono::seconds(args.timeout_seconds);
  options.title_fallback = !args.no_title_fallback;
  auto searches = routing::plan_searches(args.query, options.title_fallback);
  if (searches.empty()) {
    std::cerr << "illctl: nothing to search: give --isbn or --issn (10/13 or 8 characters) or --title\n";
    throw CLI::RuntimeError(2);
  }
  const bool sru = target->protocol == routing::CatalogueProtocol::kSru;
  std::cout << "target:  " << (sru ? "SRU " : "Z39.50 ") << target->zoom_address() << "\n";
  for (const auto& search : searches) {
    std::cout << "search:  " << search.matched_by << ": " << (sru ? search.cql : search.pqf) << "\n";
  }
  const auto started = std::chrono::steady_clock::now();
  auto outcome = routing::holds(*target, args.query, options);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cout << "result:  " << routing::to_string(outcome.status);
  if (outcome.status == routing::LookupStatus::kError) std::cout << " (" << routing::to_string(outcome.error) << ")";
  std::cout << ": " << outcome.reason << "\n"
            << "time:    " << took.count() << " ms\n";
  if (outcome.status == routing::LookupStatus::kError) throw CLI::RuntimeError(1);
}

}  // namespace

void add_catalogue_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("catalogue", "Live holdings look-ups in a library's catalogue (Z39.50/SRU)");
  cmd->require_subcommand(1);
  auto* probe = cmd->add_subcommand(
      "probe", "Ask TARGET whether it holds an item; exit 0 found or not found, 1 the look-up failed");
  auto args = std::make_shared<ProbeArgs>();
  probe->add_option("target", args->target, "z3950:HOST:PORT/DATABASE or sru:http://HOST[:PORT]/PATH")
      ->required();
  probe->add_option("--isbn", args->query.isbn, "ISBN-10 or ISBN-13 (hyphens allowed)");
  probe->add_option("--issn", args->query.issn, "ISSN");
  probe->add_option("--title", args->query.title, "title (searched when the identifiers give no hit)");
  probe->add_option("--author", args->query.author, "author, searched with the title");
  probe->add_option("--timeout", args->timeout_seconds, "seconds each step may wait (default 5)")
      ->check(CLI::Range(1, 300));
  probe->add_flag("--no-title-fallback", args->no_title_fallback,
                  "do not search the title when an identifier was given");
  probe->callback([args] { run_probe(*args); });
}

}  // namespace illhub::app
