// illctl policy check FILE | load FILE | show [--version N]: the consortium's lending policy,
// one reviewed TOML file (docs/ROUTING-PLANNER.md). `check` needs no database. `load` stores
// the file as a new version unless it equals the version in force. Exit codes: 0 ok (also an
// unchanged file on load), 1 invalid file or failure, 2 usage.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>

#include "app/illctl/commands.hpp"
#include "app/illctl/migrated_database.hpp"
#include "app/illctl/read_input.hpp"
#include "illhub/hub/money.hpp"
#include "illhub/routing/policy.hpp"
#include "illhub/routing/policy_store.hpp"
#include "store/sql_array.hpp"

namespace illhub::app {
namespace {

struct CheckedFile {
  std::string text;
  routing::LendingPolicy policy;
};

/// Reads and checks the file; every problem to stderr and exit 1 when it has any.
CheckedFile checked(const std::string& file) {
  const std::vector<std::uint8_t> bytes = read_input(file);
  CheckedFile out{std::string(bytes.begin(), bytes.end()), {}};
  auto parsed = routing::parse_policy(out.text, file);
  if (!parsed) {
    for (const std::string& e : parsed.error()) std::cerr << "illctl policy: " << e << "\n";
    fail("policy", file + ": " + std::to_string(parsed.error().size()) + " problem(s)");
  }
  out.policy = std::move(parsed).value();
  return out;
}

void check(const std::string& file) {
  const CheckedFile f = checked(file);
  std::size_t centres = 0;
  for (const auto& lib : f.policy.libraries) centres += lib.role != routing::Role::kMember;
  std::cout << file << ": valid; " << f.policy.libraries.size() << " librar"
            << (f.policy.libraries.size() == 1 ? "y" : "ies") << " with a section (" << centres
            << " centre(s)), others get the defaults; charges in " << f.policy.rules.currency << "\n";
}

/// Who is loading: the login name, for the version's record.
std::string operator_name() {
  for (const char* var : {"SUDO_USER", "USER", "LOGNAME"})
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return v;
  if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return "uid " + std::to_string(geteuid());
}

void load(const DatabaseOptions& db, const std::string& file) {
  const CheckedFile f = checked(file);
  OpenDatabase opened = open_migrated_database(db, "policy");
  auto stored = routing::store_policy(*opened.conn, f.policy, f.text, file, operator_name());
  if (!stored) fail("policy", stored.error().describe());
  if (stored->unchanged) {
    std::cout << file << " is the policy in force already (version " << stored->version << "): nothing loaded\n";
    return;
  }
  std::cout << "loaded " << file << " as lending-policy version " << stored->version << "\n";
  // A section for a library the hub does not know yet is allowed (it may join later), but
  // is most often a typing mistake: say so.
  std::vector<std::string> symbols;
  for (const auto& lib : f.policy.libraries) symbols.push_back(lib.symbol);
  auto r = opened.conn->exec("SELECT s FROM unnest($1::text[]) s WHERE s NOT IN (SELECT symbol FROM peers) ORDER BY s",
                             {store::to_array_literal(symbols)});
  if (r)
    for (int row = 0; row < r->rows(); ++row)
      std::cerr << "illctl policy: warning: " << r->get(row, 0) << " has a section but is not a registered peer\n";
}

void show(const DatabaseOptions& db, std::optional<std::int64_t> version) {
  OpenDatabase opened = open_migrated_database(db, "policy");
  auto found = routing::find_policy_version(*opened.conn, version);
  if (!found) fail("policy", found.error().describe());
  if (!*found) fail("policy", version ? "no lending-policy version " + std::to_string(*version) : "no lending policy loaded yet (illctl policy load FILE)");
  const routing::PolicyVersionInfo& info = **found;
  std::cout << "# lending-policy version " << info.version << ", loaded " << info.loaded_at << " by " << info.loaded_by
            << " from " << info.source_name << "\n# sha256 " << info.sha256 << "\n"
            << info.file_text;
  if (!info.file_text.empty() && info.file_text.back() != '\n') std::cout << "\n";
}

}  // namespace

void add_policy_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto* policy = app.add_subcommand("policy", "The consortium's lending policy (one reviewed TOML file)");
  policy->require_subcommand(1);
  policy->fallthrough();

  auto check_file = std::make_shared<std::string>();
  auto* check_cmd = policy->add_subcommand("check", "Check a policy file (no database needed)");
  check_cmd->add_option("FILE", *check_file)->required();
  check_cmd->callback([check_file] { check(*check_file); });

  auto load_file = std::make_shared<std::string>();
  auto* load_cmd = policy->add_subcommand("load", "Check a policy file and store it as the new version in force");
  load_cmd->add_option("FILE", *load_file)->required();
  load_cmd->fallthrough();
  load_cmd->callback([&db, load_file] { load(db, *load_file); });

  auto version = std::make_shared<std::optional<std::int64_t>>();
  auto* show_cmd = policy->add_subcommand("show", "Print the policy in force (or --version N) as it was loaded");
  show_cmd->add_option("--version", *version, "a version number (default: the one in force)")->check(CLI::PositiveNumber);
  show_cmd->fallthrough();
  show_cmd->callback([&db, version] { show(db, *version); });
}

}  // namespace illhub::app
