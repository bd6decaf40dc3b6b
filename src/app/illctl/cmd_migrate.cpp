// illctl migrate: brings the database's schema up to this illctl's migrations and prints what
// it applied. With no database configured it uses (creating and starting on first use) the
// embedded PostgreSQL cluster in the data directory, and stops it again if it started it.
//
//   illctl [--db URI] [--data-dir DIR] migrate [--schema-dir DIR]
//
// Exit codes: 0 schema up to date (after applying or not), 1 refused or failed, 2 usage.
#include <iostream>
#include <optional>

#include "app/illctl/commands.hpp"
#include "app/illctl/database.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"

namespace illhub::app {
namespace {

[[noreturn]] void fail(const std::string& message) { app::fail("migrate", message); }

void run(const DatabaseOptions& db, const std::optional<std::string>& schema_dir) {
  OpenDatabase opened = open_database(db, "migrate");
  store::PgConnection* conn = &*opened.conn;
  const std::string& description = opened.description;

  std::vector<store::Migration> migrations;
  if (schema_dir) {
    auto loaded = store::load_migrations(*schema_dir);
    if (!loaded) fail(loaded.error().message);
    migrations = std::move(loaded).value();
  } else {
    migrations = store::embedded_migrations();
  }

  auto report = store::Migrator(std::move(migrations)).migrate(*conn);
  if (!report) {
    const store::StoreError& e = report.error();
    fail(e.kind == store::StoreError::Kind::kMigration ? e.message : e.describe());
  }
  for (const auto& m : report->applied)
    std::cout << "applied " << m.name << " (sha256 " << m.checksum.substr(0, 12) << ")\n";
  std::cout << "schema at version " << report->schema_version
            << (report->applied.empty() ? ", up to date" : "") << " (" << description
            << ")\n";
}

}  // namespace

void add_migrate_command(CLI::App& app) {
  DatabaseOptions& db = database_options(app);
  auto* cmd = app.add_subcommand(
      "migrate", "Apply the schema migrations this illctl knows to the database (idempotent)");
  // --db and --data-dir may also follow the subcommand's name.
  cmd->fallthrough();
  auto schema_dir = std::make_shared<std::optional<std::string>>();
  cmd->add_option("--schema-dir", *schema_dir,
                  "read NNNN_description.sql files from DIR instead of those built in")
      ->check(CLI::ExistingDirectory);
  cmd->callback([&db, schema_dir] { run(db, *schema_dir); });
}

}  // namespace illhub::app
