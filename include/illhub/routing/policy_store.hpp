#pragma once
// Lending-policy versions in the database (schema/0007_routing_data.sql): `illctl policy load`
// writes one, the planner reads the newest. Blocking calls on one connection.

#include <cstdint>
#include <optional>
#include <string>

#include "illhub/routing/policy.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/util/result.hpp"

namespace illhub::routing {

struct PolicyVersionInfo {
  std::int64_t version = 0;
  std::string sha256, source_name, loaded_at, loaded_by;
  std::string file_text;
};

struct LoadResult {
  std::int64_t version = 0;  // the version now in force
  bool unchanged = false;    // true: the file equals the version in force; nothing was written
};

/// Stores `policy` (parsed from `file_text`) as a new version, unless `file_text` is the same
/// as the version in force (same sha256). Concurrent loads are serialised by a table lock, so
/// versions are 1, 2, 3, ... without gaps. Errors: as PgConnection::exec; nothing is written.
Result<LoadResult, store::StoreError> store_policy(store::PgConnection& conn, const LendingPolicy& policy,
                                                   const std::string& file_text, const std::string& source_name,
                                                   const std::string& loaded_by);

/// A version's record (the newest when `version` is empty); nothing when there is none.
Result<std::optional<PolicyVersionInfo>, store::StoreError> find_policy_version(
    store::PgConnection& conn, std::optional<std::int64_t> version);

/// The policy in force (the newest version), read back from its rows; nothing when no policy
/// was ever loaded.
Result<std::optional<LendingPolicy>, store::StoreError> load_current_policy(store::PgConnection& conn);

}  // namespace illhub::routing
