#include "app/illctl/database.hpp"

#include <iostream>

#include "illhub/store/database_location.hpp"

namespace illhub::app {

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

void fail(const std::string& command, const std::string& message) {
  std::cerr << "illctl " << command << ": " << message << "\n";
  throw CLI::RuntimeError(1);
}

OpenDatabase open_database(const DatabaseOptions& options, const std::string& command) {
  const std::filesystem::path data_dir =
      options.data_dir ? std::filesystem::path(*options.data_dir) : store::default_data_dir();
  const store::DatabaseLocation where = store::resolve_database(options.uri, data_dir);
  OpenDatabase db;
  db.description = where.description;
  std::string conninfo = where.conninfo;
  if (where.source == store::DatabaseLocation::Source::kEmbedded) {
    store::EmbeddedClusterOptions cluster_options;
    cluster_options.data_dir = where.data_dir;
    cluster_options.log = [](std::string_view line) { std::cerr << "illctl: " << line << "\n"; };
    auto started = store::EmbeddedCluster::start(std::move(cluster_options));
    if (!started) fail(command, "cannot start " + where.description + ": " + started.error().describe());
    db.cluster.emplace(std::move(started).value());
    conninfo = db.cluster->conninfo();
  }
  auto conn = store::PgConnection::connect(conninfo);
  if (!conn) fail(command, where.description + ": " + conn.error().describe());
  db.conn.emplace(std::move(conn).value());
  return db;
}

}  // namespace illhub::app
