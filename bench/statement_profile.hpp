#pragma once
// StatementProfile: where PostgreSQL's time goes during a relay run, from pg_stat_statements
// (loaded only when relay_bench is given --statements: tracking costs a little on every
// statement). Lists illd's statements by total time (planning + execution) with calls per
// relayed APDU.

#include <string>

#include "illhub/store/pg_connection.hpp"

namespace illhub::bench {

/// postgresql.conf lines that load pg_stat_statements with planning time tracked.
inline const char* const kStatementTrackingSettings[] = {
    "shared_preload_libraries = 'pg_stat_statements'", "pg_stat_statements.track_planning = on"};

/// Creates the extension (if needed) and forgets what was counted so far.
bool reset_statement_profile(store::PgConnection& conn);

/// The `top` statements run in conn's database since the reset, by total time, with calls per
/// relayed APDU (`apdus`: every APDU relayed in that time, drain included), as a table.
std::string statement_profile(store::PgConnection& conn, long apdus, int top = 10);

}  // namespace illhub::bench
