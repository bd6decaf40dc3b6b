// resolve_database: an explicit URI, else the PG* environment, else the embedded cluster.
#include "illhub/store/database_location.hpp"

#include <unistd.h>

#include <cstdlib>

namespace illhub::store {
namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

DatabaseLocation resolve_database(const std::optional<std::string>& uri,
                                  const std::filesystem::path& data_dir) {
  DatabaseLocation where;
  if (uri && !uri->empty()) {
    where.source = DatabaseLocation::Source::kUri;
    where.conninfo = *uri;
    where.description = "the configured database";
    return where;
  }
  // Any of these means the operator pointed libpq somewhere; PGUSER or PGPASSWORD alone do not
  // say which server, so they do not count as a configuration.
  for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGSERVICE"}) {
    if (env(name)) {
      where.source = DatabaseLocation::Source::kEnvironment;
      where.description = std::string("the database named by the PG* environment (") + name + " is set)";
      return where;
    }
  }
  where.source = DatabaseLocation::Source::kEmbedded;
  where.data_dir = data_dir;
  where.description = "the embedded PostgreSQL cluster in " + (data_dir / "postgresql").string();
  return where;
}

std::filesystem::path default_data_dir() {
  if (auto dir = env("ILLHUB_DATA_DIR")) return *dir;
  if (geteuid() == 0) return "/var/lib/illhub";
  if (auto xdg = env("XDG_DATA_HOME")) return std::filesystem::path(*xdg) / "illhub";
  if (auto home = env("HOME")) return std::filesystem::path(*home) / ".local/share/illhub";
  return std::filesystem::current_path() / "illhub-data";
}

}  // namespace illhub::store
