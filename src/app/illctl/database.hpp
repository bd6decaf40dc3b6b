#pragma once
// How illctl's database commands find and open the database: --db URI (or ILLHUB_DB), else
// the PG* variables, else the embedded cluster in --data-dir (started for the command and
// stopped after it when illctl started it).

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/pg_connection.hpp"

namespace illhub::app {

struct DatabaseOptions {
  std::optional<std::string> uri;
  std::optional<std::string> data_dir;
};

/// The global --db and --data-dir options, added to `app` on first call.
DatabaseOptions& database_options(CLI::App& app);

/// An open database; the embedded cluster, if illctl started it, stops when this is destroyed.
struct OpenDatabase {
  std::optional<store::EmbeddedCluster> cluster;
  std::optional<store::PgConnection> conn;
  std::string description;  // for messages: "embedded cluster in ...", "postgresql://..."
};

/// Opens the database (starting the embedded cluster when that is where it is). On failure
/// prints "illctl COMMAND: ..." to stderr and throws CLI::RuntimeError(1).
OpenDatabase open_database(const DatabaseOptions& options, const std::string& command);

/// Prints "illctl COMMAND: message" to stderr and throws CLI::RuntimeError(1).
[[noreturn]] void fail(const std::string& command, const std::string& message);

}  // namespace illhub::app
