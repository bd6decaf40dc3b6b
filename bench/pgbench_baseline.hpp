#pragma once
// PgbenchBaseline: the yardstick store_bench and relay_bench compare against — pgbench running,
// per transaction, the writes the store makes for one accepted APDU (one UPDATE of the
// transaction row, INSERTs of the event, two ledger postings and the outbox row, in one
// transaction), on the same cluster in the same run.

#include <string>

#include "illhub/store/pg_connection.hpp"

namespace illhub::bench {

/// Adds what the script works on to a migrated database: two peers (IRLXBOR, IRLXLEN) and
/// 10,000 transactions between them. False (with the error on stderr) when a statement failed.
bool prepare_pgbench_rows(store::PgConnection& conn);

/// Writes the pgbench script into `dir` and returns its path.
std::string write_pgbench_script(const std::string& dir);

/// Runs `pgbench -M prepared` with `clients` clients for `seconds` against `conninfo`; returns
/// its transactions per second, or a negative value when it failed (its output on stderr).
double pgbench_rate(const std::string& conninfo, const std::string& script, int clients, double seconds);

}  // namespace illhub::bench
