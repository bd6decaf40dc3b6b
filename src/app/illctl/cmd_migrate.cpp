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
#include "illhub/store/database_location.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"

namespace illhub::app {
namespace {

// Where the database is: global options, because every database command needs them.
struct DatabaseOptions {
  std::optional<std::string> uri;
  std::optional<std::string> data_dir;
};

DatabaseOptions& database_options(CLI::App& app) {
  static DatabaseOptions options;
  if (app.get_option_no_throw("--db") == nullptr) {
    app.add_option("--db", options.uri,
                   "PostgreSQL URI or conninfo (default: PG* variables if set, else the "
                   "embedded cluster in the data directory)")
        ->envname("ILLHUB_DB");
    app.add_option("--data-dir", options.data_dir,
                   "illhub's data directory, home of the embedded cluster (default: "
                   "$ILLHUB_DATA_DIR, /var/lib/illhub as root, else ~/.local/share/illhub)");
  }
  return options;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "illctl migrate: " << message << "\n";
  throw CLI::RuntimeError(1);
}

void run(const DatabaseOptions& db, const std::optional<std::string>& schema_dir) {
  const std::filesystem::path data_dir =
      db.data_dir ? std::filesystem::path(*db.data_dir) : store::default_data_dir();
  const store::DatabaseLocation where = store::resolve_database(db.uri, data_dir);

  std::optional<store::EmbeddedCluster> cluster;  // stops on return if we started it
  std::string conninfo = where.conninfo;
  if (where.source == store::DatabaseLocation::Source::kEmbedded) {
    store::EmbeddedClusterOptions options;
    options.data_dir = where.data_dir;
    options.log = [](std::string_view line) { std::cerr << "illctl: " << line << "\n"; };
    auto started = store::EmbeddedCluster::start(std::move(options));
    if (!started) fail("cannot start " + where.description + ": " + started.error().describe());
    cluster.emplace(std::move(started).value());
    conninfo = cluster->conninfo();
  }

  auto conn = store::PgConnection::connect(conninfo);
  if (!conn) fail(where.description + ": " + conn.error().describe());

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
            << (report->applied.empty() ? ", up to date" : "") << " (" << where.description
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
