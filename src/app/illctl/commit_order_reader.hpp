#pragma once
// Reading the event log in commit order, resumably, as `illctl tail` does.
//
// Event ids are handed out at INSERT, not at COMMIT, so "id > last printed" would skip an
// event whose transaction commits after a later-numbered one (see schema/0001_core.sql,
// events.xid). The reader instead reads only events written by transactions older than
// every transaction still running (xid < pg_snapshot_xmin(pg_current_snapshot())), ordered
// by (xid, id). Every transaction that could still add an event has an xid at or above that
// horizon, so once the reader has passed a position nothing can appear behind it: no gap,
// no repeat. The price: an event waits until every transaction that started writing before
// it has finished (one long-running transaction anywhere on the server holds the log back).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/illctl/event_row.hpp"
#include "illhub/store/pg_connection.hpp"

namespace illhub::app {

/// A place in the log: everything at or before (xid, id) in (xid, id) order has been read.
/// (0, 0) is before the first event.
struct LogPosition {
  std::uint64_t xid = 0;
  std::int64_t id = 0;
  friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

/// Which events to print. Empty/unset fields do not filter.
struct EventFilter {
  std::optional<std::string> peer;                       // sender, recipient or either party
  std::optional<std::vector<std::int64_t>> transactions;  // transactions.id
  std::optional<std::vector<int>> apdu_kinds;            // APPLICATION tags
  bool operator_events = false;  // with apdu_kinds: also direction 'operator'
  std::optional<int> state;      // either side's state after the event
  bool refused_only = false;
  std::optional<std::string> since_time;  // received_at >= this (timestamptz text)
};

struct LogBatch {
  std::vector<EventRow> events;   // in (xid, id) order
  LogPosition end;                // where the next read starts
  bool caught_up = false;         // nothing more is visible now
};

/// Reads up to `limit` events after `from` that `filter` selects, in one REPEATABLE READ
/// snapshot. When it returns fewer than `limit`, `end` moves to the horizon, past events
/// the filter skipped, so they are not scanned again. Errors: the database's.
Result<LogBatch, store::StoreError> read_after(store::PgConnection& conn, const LogPosition& from,
                                               const EventFilter& filter, int limit);

/// The position just before event `id` (to print it and what follows). Nothing when there is
/// no such event. Errors: the database's.
Result<std::optional<LogPosition>, store::StoreError> position_before_event(store::PgConnection& conn,
                                                                            std::int64_t id);

/// The position before the last `count` events the filter selects (count 0: the current
/// end of the log). Errors: the database's.
Result<LogPosition, store::StoreError> position_before_last(store::PgConnection& conn,
                                                            const EventFilter& filter, int count);

/// The position before every event that may have been received at or after `time` (its
/// filter, since_time, then skips the older ones on the way). Errors: the database's,
/// e.g. 22007 for a time PostgreSQL cannot read.
Result<LogPosition, store::StoreError> position_before_time(store::PgConnection& conn,
                                                            const std::string& time);

}  // namespace illhub::app
