// illctl rota --borrower SYMBOL [--isbn ...] [--issn ...] [--oclc ...] [--local-id ...]
//             [--title ... --author ...] [--item-type monograph|serial|other]
//             [--service NAME]... [--no-charges] [--tried SYMBOL]...
//
// The rota the planner would make for such a request now: lenders in order, each with why it
// is there, and the holders left off with why not. Reads only. Exit codes: 0 a rota with at
// least one lender, 1 nobody can supply (or a failure), 2 usage.
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/migrated_database.hpp"
#include "illhub/routing/planner.hpp"
#include "illhub/routing/policy.hpp"

namespace illhub::app {
namespace {

struct RotaOptions {
  routing::RotaRequest request;
  std::string item_type;
  std::vector<std::string> services;
  bool no_charges = false;
};

void rota(const DatabaseOptions& db, RotaOptions o) {
  if (!o.item_type.empty()) o.request.item_type = routing::item_type_from_name(o.item_type);
  for (const std::string& s : o.services) o.request.service_types.push_back(*routing::service_from_name(s));
  o.request.borrower_accepts_charges = !o.no_charges;
  const routing::RotaRequest& q = o.request;
  if (q.isbn.empty() && q.issn.empty() && q.oclc.empty() && q.local_id.empty() && q.title.empty())
    fail("rota", "give the item: --isbn, --issn, --oclc, --local-id or --title");
  OpenDatabase opened = open_migrated_database(db, "rota");
  auto ranked = routing::explain_rota(*opened.conn, q);
  if (!ranked) fail("rota", ranked.error().describe());
  const auto& lenders = ranked->rota.lenders;
  std::cout << "policy version " << ranked->rota.policy_version
            << (ranked->rota.policy_version == 0 ? " (no policy loaded: built-in defaults)" : "") << "\n";
  std::cout << "rota for " << q.borrower << " (" << lenders.size() << " lender" << (lenders.size() == 1 ? "" : "s")
            << ")\n";
  for (std::size_t i = 0; i < lenders.size(); ++i)
    std::printf("  %zu. %-16s %s\n", i + 1, lenders[i].lender.c_str(), lenders[i].reason.c_str());
  if (!ranked->excluded.empty()) {
    std::cout << "left off (" << ranked->excluded.size() << ")\n";
    for (const auto& e : ranked->excluded) std::printf("     %-16s %s\n", e.lender.c_str(), e.reason.c_str());
  }
  std::fflush(stdout);
  if (lenders.empty()) fail("rota", "no lender can supply this request");
}

}  // namespace

void add_rota_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto o = std::make_shared<RotaOptions>();
  auto* cmd = app.add_subcommand("rota", "Show the lenders a request would be sent to, in order, and why");
  cmd->add_option("--borrower", o->request.borrower, "the requesting library's symbol")->required();
  cmd->add_option("--isbn", o->request.isbn, "the item's ISBN (10 or 13 digits)");
  cmd->add_option("--issn", o->request.issn, "the item's ISSN");
  cmd->add_option("--oclc", o->request.oclc, "the item's OCLC number");
  cmd->add_option("--local-id", o->request.local_id, "a local system number");
  cmd->add_option("--title", o->request.title, "the title (matched when no identifier matches)");
  cmd->add_option("--author", o->request.author, "the author (with --title)");
  cmd->add_option("--item-type", o->item_type, "monograph, serial or other")
      ->check(CLI::IsMember({"monograph", "serial", "other"}));
  cmd->add_option("--service", o->services, "a service the borrower accepts (repeatable; default: any)")
      ->check(CLI::IsMember({"loan", "copy-non-returnable", "locations", "estimate", "responder-specific"}));
  cmd->add_flag("--no-charges", o->no_charges, "the borrower accepts no charge");
  cmd->add_option("--tried", o->request.already_tried, "a lender already asked (repeatable)");
  cmd->fallthrough();
  cmd->callback([&db, o] { rota(db, *o); });
}

}  // namespace illhub::app
