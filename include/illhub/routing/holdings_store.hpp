#pragma once
// Writing holdings records to the database (schema/0007_routing_data.sql), all in one
// PostgreSQL transaction: a file is imported completely or not at all.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "illhub/routing/holdings.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/util/result.hpp"

namespace illhub::routing {

struct ImportSummary {
  std::int64_t records = 0;      // holdings rows written
  std::int64_t identifiers = 0;  // holding_identifiers rows written
  std::int64_t libraries = 0;    // distinct holding libraries in the file
  std::int64_t replaced = 0;     // rows of --replace-for's library removed first
};

/// Stores `records` (read from `source_file`, as named to the operator). With `replace_for`,
/// that library's earlier holdings are removed in the same transaction, and records of any
/// other library are refused. Every record's library must be a registered peer.
/// Errors: one message per refused record ("line 7: IRL:XYZ is not a registered peer"), or
/// one database error; nothing is written then. Blocking.
Result<ImportSummary, std::vector<std::string>> import_holdings(store::PgConnection& conn,
                                                                 const std::vector<HoldingRecord>& records,
                                                                 const std::string& source_file,
                                                                 const std::optional<std::string>& replace_for,
                                                                 const std::string& position_word);

}  // namespace illhub::routing
