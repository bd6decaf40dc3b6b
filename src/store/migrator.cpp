// Migrator::migrate: one transaction per migration, each holding the migration advisory lock,
// so that any number of nodes may start together: the first applies, the others wait, then
// find nothing left to do.
#include "illhub/store/migrator.hpp"

#include <algorithm>
#include <map>

#include "illhub/store/transaction.hpp"

namespace illhub::store {
namespace {

// Advisory lock key shared by every illhub node: "illhub" in ASCII, then 1 for migrations.
constexpr std::int64_t kMigrationLockKey = 0x696c6c6875620001;

constexpr const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,        -- NNNN of schema/NNNN_description.sql
  name       text NOT NULL,              -- the file name
  checksum   text NOT NULL,              -- sha256 of the file as applied, lowercase hex
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

struct Applied {
  std::string name;
  std::string checksum;
  std::string applied_at;
};

StoreError refused(std::string message) {
  return make_error(StoreError::Kind::kMigration, std::move(message));
}

StoreError in_migration(const Migration& m, StoreError error) {
  error.message = "schema/" + m.name + ": " + error.message;
  return error;
}

}  // namespace

Migrator::Migrator(std::vector<Migration> migrations) : migrations_(std::move(migrations)) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
}

int Migrator::latest_version() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

Result<MigrationReport, StoreError> Migrator::migrate(PgConnection& conn) const {
  MigrationReport report;
  // Each round applies at most one migration, so each commits on its own; the bound only
  // guards against a loop that would never end if a migration's record did not stick.
  for (std::size_t round = 0; round <= migrations_.size(); ++round) {
    auto tx = Transaction::begin(conn);
    if (!tx) return unexpected(tx.error());
    // Held until this transaction ends; a second node blocks here until we commit, and then
    // (READ COMMITTED: each statement sees what committed before it) reads our record.
    if (auto locked = tx->exec("SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockKey});
        !locked) {
      return unexpected(locked.error());
    }
    if (auto created = tx->exec(kCreateTable); !created) return unexpected(created.error());
    auto rows = tx->exec(
        "SELECT version, name, checksum, "
        "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' "
        "FROM schema_migrations ORDER BY version");
    if (!rows) return unexpected(rows.error());

    std::map<int, Applied> applied;
    for (int r = 0; r < rows->rows(); ++r) {
      const int version = static_cast<int>(rows->get_int64(r, 0).value_or(0));
      applied[version] = {std::string(rows->get(r, 1)), std::string(rows->get(r, 2)),
                          std::string(rows->get(r, 3))};
    }
    report.schema_version = applied.empty() ? 0 : applied.rbegin()->first;

    if (report.schema_version > latest_version()) {
      return unexpected(refused("database schema is at version " +
                                std::to_string(report.schema_version) + ", this illhub knows up to " +
                                std::to_string(latest_version()) + ": upgrade illhub"));
    }
    for (const auto& [version, record] : applied) {
      auto known = std::find_if(migrations_.begin(), migrations_.end(),
                                [v = version](const Migration& m) { return m.version == v; });
      if (known == migrations_.end()) {
        return unexpected(refused("database has migration " + record.name + " (version " +
                                  std::to_string(version) +
                                  "), which this illhub does not have: use the illhub that "
                                  "applied it, or restore the file"));
      }
      if (known->checksum != record.checksum) {
        return unexpected(refused("schema/" + known->name + " was changed after it was applied on " +
                                  record.applied_at + ": restore it, or add a new migration"));
      }
    }

    auto next = std::find_if(migrations_.begin(), migrations_.end(),
                             [&](const Migration& m) { return !applied.contains(m.version); });
    if (next == migrations_.end()) {
      if (auto done = tx->commit(); !done) return unexpected(done.error());
      return report;
    }
    if (auto ran = tx->connection().exec_script(next->sql); !ran) {
      return unexpected(in_migration(*next, ran.error()));
    }
    if (auto recorded = tx->exec(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            {next->version, next->name, next->checksum});
        !recorded) {
      return unexpected(in_migration(*next, recorded.error()));
    }
    if (auto committed = tx->commit(); !committed) {
      return unexpected(in_migration(*next, committed.error()));
    }
    report.applied.push_back(*next);
    report.schema_version = std::max(report.schema_version, next->version);
  }
  return unexpected(refused("migrations did not converge; is schema_migrations writable?"));
}

}  // namespace illhub::store
