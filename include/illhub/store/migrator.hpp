#pragma once
// Migrator: brings a database's schema up to what this binary knows. Migrations are files
// schema/NNNN_description.sql, applied in version order, each in its own transaction under a
// PostgreSQL advisory lock (so several nodes starting together apply each file once), and
// recorded in schema_migrations (version, name, checksum, applied_at).
//
// Refuses (kMigration, with the operator's next step in the message) when a file that was
// applied has changed since, or when the database holds versions this binary does not know.

#include <filesystem>
#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"

namespace illhub::store {

struct Migration {
  int version = 0;       // NNNN from the file name
  std::string name;      // the file name, e.g. "0001_core.sql"
  std::string sql;       // the file's bytes
  std::string checksum;  // sha256 of the file's bytes, lowercase hex
};

/// The migrations compiled into this binary from schema/*.sql at build time, in order.
std::vector<Migration> embedded_migrations();

/// Reads NNNN_description.sql files from `dir`, in order. Other files are ignored.
/// Errors: kMigration for an unreadable directory, a duplicate version, or version 0.
Result<std::vector<Migration>, StoreError> load_migrations(const std::filesystem::path& dir);

/// Builds a Migration from a file name and its contents. Errors: kMigration when the name is
/// not NNNN_description.sql.
Result<Migration, StoreError> make_migration(std::string name, std::string sql);

/// sha256 of `data`, lowercase hex.
std::string sha256_hex(std::string_view data);

struct MigrationReport {
  std::vector<Migration> applied;  // applied by this call, in order (empty: was up to date)
  int schema_version = 0;          // the database's version afterwards
};

class Migrator {
 public:
  /// `migrations` need not be sorted; versions must be unique (load_migrations checks).
  explicit Migrator(std::vector<Migration> migrations);

  /// Applies every migration the database lacks. Blocks, also while another node holds the
  /// migration lock. Errors: kMigration (refused: message says why and what to do), or the
  /// failing statement's error, with the migration's name in the message; migrations
  /// applied before the failing one stay applied.
  Result<MigrationReport, StoreError> migrate(PgConnection& conn) const;

  /// The highest version this binary knows (0 when none).
  int latest_version() const;

 private:
  std::vector<Migration> migrations_;  // sorted by version
};

}  // namespace illhub::store
