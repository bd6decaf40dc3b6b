#include "app/illctl/migrated_database.hpp"

#include "illhub/store/migrator.hpp"

namespace illhub::app {

OpenDatabase open_migrated_database(const DatabaseOptions& options, const std::string& command) {
  OpenDatabase opened = open_database(options, command);
  auto migrated = store::Migrator(store::embedded_migrations()).migrate(*opened.conn);
  if (!migrated)
    fail(command, migrated.error().kind == store::StoreError::Kind::kMigration ? migrated.error().message
                                                                               : migrated.error().describe());
  return opened;
}

}  // namespace illhub::app
