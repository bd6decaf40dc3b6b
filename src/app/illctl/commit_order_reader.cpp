#include "app/illctl/commit_order_reader.hpp"

#include "illhub/store/transaction.hpp"

namespace illhub::app {
namespace {

// The filter's parameters are $3..$9 in every statement below ($1, $2: the position or the
// horizon); an unset filter is NULL (or false) and lets every row through.
constexpr const char* kFilterClause =
    " AND ($3::text IS NULL OR e.peer_symbol = $3 OR t.requester_symbol = $3 OR t.responder_symbol = $3)"
    " AND ($4::bigint[] IS NULL OR e.transaction_id = ANY($4::bigint[]))"
    " AND ($5::int[] IS NULL OR (e.direction <> 'operator' AND e.apdu_kind = ANY($5::int[]))"
    "      OR ($6::boolean AND e.direction = 'operator'))"
    " AND ($7::int IS NULL OR e.new_requester_state = $7 OR e.new_responder_state = $7)"
    " AND (NOT $8::boolean OR NOT e.accepted)"
    " AND ($9::timestamptz IS NULL OR e.received_at >= $9::timestamptz)";

template <class T>
std::optional<std::string> array_literal(const std::optional<std::vector<T>>& values) {
  if (!values) return std::nullopt;
  std::string out = "{";
  for (std::size_t i = 0; i < values->size(); ++i) out += (i ? "," : "") + std::to_string((*values)[i]);
  return out + "}";
}

/// The seven filter parameters, kept alive for the statement.
struct FilterParams {
  std::optional<std::string> transactions, kinds, state;
  explicit FilterParams(const EventFilter& f)
      : transactions(array_literal(f.transactions)), kinds(array_literal(f.apdu_kinds)),
        state(f.state ? std::optional<std::string>(std::to_string(*f.state)) : std::nullopt) {}
};

Result<std::uint64_t, store::StoreError> horizon(store::Transaction& tx) {
  auto r = tx.exec("SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
  if (!r) return unexpected(r.error());
  return std::stoull(std::string(r->get(0, 0)));
}

}  // namespace

Result<LogBatch, store::StoreError> read_after(store::PgConnection& conn, const LogPosition& from,
                                               const EventFilter& filter, int limit) {
  // One snapshot for the horizon and the rows: every row below the horizon is visible in it.
  auto tx = store::Transaction::begin(conn, store::Isolation::kRepeatableRead);
  if (!tx) return unexpected(tx.error());
  auto xmin = horizon(*tx);
  if (!xmin) return unexpected(xmin.error());
  const FilterParams fp(filter);
  const std::string sql = std::string("SELECT ") + kEventRowColumns +
                          " FROM events e LEFT JOIN transactions t ON t.id = e.transaction_id"
                          " WHERE e.xid < $10::xid8 AND (e.xid, e.id) > ($1::xid8, $2::bigint)" +
                          kFilterClause + " ORDER BY e.xid, e.id LIMIT $11";
  const std::string from_xid = std::to_string(from.xid), xmin_text = std::to_string(*xmin);
  auto r = tx->exec(sql, {from_xid, from.id, filter.peer, fp.transactions, fp.kinds, filter.operator_events,
                          fp.state, filter.refused_only, filter.since_time, xmin_text, limit});
  if (!r) return unexpected(r.error());
  LogBatch batch;
  for (int i = 0; i < r->rows(); ++i) batch.events.push_back(event_from_row(*r, i));
  batch.caught_up = r->rows() < limit;
  batch.end = from;
  if (!batch.events.empty()) batch.end = {std::stoull(batch.events.back().xid), batch.events.back().id};
  // Caught up: every event below the horizon has been seen, printed or filtered out, and
  // every later one will have an xid at or above it. (xmin, 0) sorts after all of them.
  if (batch.caught_up && *xmin > batch.end.xid) batch.end = {*xmin, 0};
  if (auto done = tx->commit(); !done) return unexpected(done.error());
  return batch;
}

Result<std::optional<LogPosition>, store::StoreError> position_before_event(store::PgConnection& conn,
                                                                            std::int64_t id) {
  auto r = conn.exec("SELECT xid::text FROM events WHERE id = $1", {id});
  if (!r) return unexpected(r.error());
  if (r->rows() == 0) return std::optional<LogPosition>();
  return std::optional<LogPosition>(LogPosition{std::stoull(std::string(r->get(0, 0))), id - 1});
}

Result<LogPosition, store::StoreError> position_before_last(store::PgConnection& conn,
                                                            const EventFilter& filter, int count) {
  auto tx = store::Transaction::begin(conn, store::Isolation::kRepeatableRead);
  if (!tx) return unexpected(tx.error());
  auto xmin = horizon(*tx);
  if (!xmin) return unexpected(xmin.error());
  LogPosition pos{*xmin, 0};
  if (count > 0) {
    const FilterParams fp(filter);
    // $2 is unused here but typed, so that the filter keeps its parameter numbers.
    const std::string sql = std::string("SELECT e.xid::text, e.id") +
                            " FROM events e LEFT JOIN transactions t ON t.id = e.transaction_id"
                            " WHERE e.xid < $1::xid8 AND $2::bigint IS NOT NULL" +
                            kFilterClause + " ORDER BY e.xid DESC, e.id DESC OFFSET $10 LIMIT 1";
    const std::string xmin_text = std::to_string(*xmin);
    auto r = tx->exec(sql, {xmin_text, 0, filter.peer, fp.transactions, fp.kinds, filter.operator_events,
                            fp.state, filter.refused_only, filter.since_time, count - 1});
    if (!r) return unexpected(r.error());
    // Fewer events than asked for: all of them, from the start.
    pos = r->rows() == 0 ? LogPosition{}
                         : LogPosition{std::stoull(std::string(r->get(0, 0))), r->get_int64(0, 1).value_or(1) - 1};
  }
  if (auto done = tx->commit(); !done) return unexpected(done.error());
  return pos;
}

Result<LogPosition, store::StoreError> position_before_time(store::PgConnection& conn,
                                                            const std::string& time) {
  // The oldest writer of an event received since `time`, or of one still being written (a
  // running transaction's events may carry any receive time): start just before it.
  auto r = conn.exec(
      "SELECT least((SELECT min(xid) FROM events WHERE received_at >= $1::timestamptz),"
      " pg_snapshot_xmin(pg_current_snapshot()))::text",
      {time});
  if (!r) return unexpected(r.error());
  const std::uint64_t xid = std::stoull(std::string(r->get(0, 0)));
  return LogPosition{xid, 0};  // ids start at 1: (xid, 0) is before all of xid's events
}

}  // namespace illhub::app
