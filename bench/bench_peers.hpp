#pragma once
// The peers the benchmarks talk through illd as: peer pairs (relay_load.hpp) and idle or
// churning peers (idle_connections.hpp), registered in illd's database.

#include "illhub/store/pg_connection.hpp"

namespace illhub::bench {

/// Registers peer pairs 0..pairs-1 and idle peers 0..idle-1, each allowed from its own /32,
/// delivered to on its own connection. False (and a message on stderr) when the insert fails.
bool register_bench_peers(store::PgConnection& conn, int pairs, int idle);

}  // namespace illhub::bench
