#pragma once
// Where illd and illctl find their database, in this order:
//   1. an explicit libpq URI or conninfo (--db, or ILLHUB_DB in the environment);
//   2. the standard libpq variables (PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGSERVICE);
//   3. the embedded cluster in the data directory (created and started on first use).

#include <filesystem>
#include <optional>
#include <string>

namespace illhub::store {

struct DatabaseLocation {
  enum class Source { kUri, kEnvironment, kEmbedded };
  Source source = Source::kEmbedded;
  /// For kUri the URI; for kEnvironment "" (libpq reads PG*); for kEmbedded empty until the
  /// cluster is started (EmbeddedCluster::conninfo()).
  std::string conninfo;
  /// For kEmbedded: the data directory the cluster lives in.
  std::filesystem::path data_dir;
  /// For people: "postgresql://db/illhub (--db)", "PG* environment", "embedded cluster in ...".
  std::string description;
};

/// Decides where the database is (see above). Reads the environment; starts nothing.
DatabaseLocation resolve_database(const std::optional<std::string>& uri,
                                  const std::filesystem::path& data_dir);

/// illhub's default data directory: $ILLHUB_DATA_DIR, else /var/lib/illhub for root (the
/// cluster's user must be able to reach it, and /root is closed to others), else
/// $XDG_DATA_HOME/illhub, else ~/.local/share/illhub.
std::filesystem::path default_data_dir();

}  // namespace illhub::store
