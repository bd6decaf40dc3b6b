#pragma once
// The database opened and brought to the schema this illctl knows (for commands that write
// or read tables a fresh database lacks).

#include <string>

#include "app/illctl/database.hpp"

namespace illhub::app {

/// open_database, then the embedded migrations. On failure prints "illctl COMMAND: ..." and
/// throws CLI::RuntimeError(1).
OpenDatabase open_migrated_database(const DatabaseOptions& options, const std::string& command);

}  // namespace illhub::app
