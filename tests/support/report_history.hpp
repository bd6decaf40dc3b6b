#pragma once
// A realistic interlending history for the operator reports (illctl ledger, illctl stats):
// three libraries lending to each other over several months, built by applying real APDUs
// (the YAZ samples in tests/data/apdu, re-keyed) through TransactionStore::apply, so events,
// states and ledger postings are exactly what the hub writes. Loans returned, loans still
// out, copies, unfilled answers with reasons, overdue loans, lost and damaged items.
//
// The hub stamps events with the time it received them; to spread the history over months,
// the events' received_at is then moved to the scenario's times in one session with
// session_replication_role = replica (which skips the append-only trigger: test data only,
// needs a superuser, never done by illhub itself).

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"
#include "illhub/store/transaction_store.hpp"
#include "illhub/util/result.hpp"

namespace illhub::test {

inline const std::vector<std::string> kReportLibraries = {"IRL:AAA", "IRL:BOR", "IRL:LEN"};

struct HistoryOptions {
  int transactions = 48;
  int months = 4;            // starting with 2025-01
  std::string data_dir;      // tests/data
};

/// Registers the libraries as peers, applies the history, moves the event times. Errors:
/// the first APDU the hub did not accept (that is a bug in the scenario), or a database error.
Result<int, std::string> build_report_history(store::TransactionStore& store, store::PgConnection& admin,
                                              const HistoryOptions& options);

}  // namespace illhub::test
