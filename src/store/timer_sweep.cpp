// TimerSweep: overdue and expiry timers from the database. See include/illhub/store/timer_sweep.hpp.
#include "illhub/store/timer_sweep.hpp"

#include <algorithm>
#include <optional>
#include <span>

#include "illhub/codec/builders.hpp"
#include "illhub/protocol/hub_view.hpp"
#include "illhub/store/intermediary.hpp"
#include "illhub/store/transaction.hpp"
#include "store/snapshot_row.hpp"

namespace illhub::store {
namespace {

using protocol::State;
using protocol::Timer;

// The armed timers that have run out, oldest first, locked; rows locked elsewhere (another
// sweeper, an apply() in flight) are skipped, not waited for. The WHERE clauses repeat the
// predicates of the partial indexes in schema/0003_timers.sql so the planner can use them.
// Columns: id, version, the four-part Transaction-Id, the lender's send_overdue, the date the
// timer ran on, then kSnapshotColumns.
const std::string kSelectFrom =
    " FROM transactions t"
    " JOIN peers rp ON rp.symbol = t.requester_symbol"
    " JOIN peers sp ON sp.symbol = t.responder_symbol";
const std::string kHead =
    "SELECT t.id, t.version, t.initial_requester, t.group_qualifier, t.qualifier, t.sub_qualifier, "
    "sp.send_overdue, ";
constexpr int kFirstSnapshotColumn = 8;

const std::string kSelectOverdue =
    kHead + "to_char(t.date_due, 'YYYYMMDD'), " + std::string(kSnapshotColumns) + kSelectFrom +
    " WHERE t.date_due IS NOT NULL AND t.responder_state IN (8, 9, 10, 16)"
    " AND t.overdue_handled_for IS DISTINCT FROM t.date_due AND t.date_due < $1::date"
    " ORDER BY t.date_due, t.id LIMIT $2 FOR UPDATE OF t SKIP LOCKED";

const std::string kSelectExpiry =
    kHead + "to_char(t.expiry_date, 'YYYYMMDD'), " + std::string(kSnapshotColumns) + kSelectFrom +
    " WHERE t.expiry_date IS NOT NULL AND NOT t.expiry_handled"
    " AND t.responder_state IN (2, 3, 5, 6) AND t.expiry_date < $1::date"
    " ORDER BY t.expiry_date, t.id LIMIT $2 FOR UPDATE OF t SKIP LOCKED";

// Disarms the timer ($3 'overdue' or 'expiry') of transaction $1.
constexpr std::string_view kHandled =
    "overdue_handled_for = CASE WHEN $3::text = 'overdue' THEN date_due ELSE overdue_handled_for END, "
    "expiry_handled = expiry_handled OR $3::text = 'expiry'";

// A timer that does not apply in the row's states: disarm it, change nothing else.
const std::string kMarkHandled =
    "UPDATE transactions SET " + std::string(kHandled) + " WHERE id = $1 AND version = $2";

// A timer that fired: $1 id, $2 version, $3 timer, $4/$5 new requester/responder state,
// $6 recipient (NULL: not sent), $7 kind, $8/$9 old states, $10/$11 service date/time, $12 BER,
// $13 reason (why not sent), $14 dedup key. The event's dedup key ("timer|overdue|<date due>",
// "timer|expiry") is unique per transaction: the database itself refuses a second firing.
const std::string kWriteFired =
    "WITH t AS (UPDATE transactions SET requester_state = $4, responder_state = $5, " +
    std::string(kHandled) +
    ", version = version + 1 WHERE id = $1 AND version = $2 RETURNING id, version),\n"
    "e AS (INSERT INTO events (transaction_id, seq, direction, peer_symbol, apdu_kind, accepted, "
    "old_requester_state, old_responder_state, new_requester_state, new_responder_state, "
    "service_date, service_time, raw_ber, reason, dedup_key) "
    "SELECT t.id, t.version, 'out', $6::text, $7, true, $8, $9, $4, $5, $10, $11, $12, $13, $14 "
    "FROM t RETURNING id, transaction_id),\n"
    "o AS (INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu) "
    "SELECT e.id, e.transaction_id, $6::text, $12 FROM e WHERE $6::text IS NOT NULL RETURNING id)\n"
    "SELECT e.id, o.id, CASE WHEN o.id IS NOT NULL THEN pg_notify('illhub_outbox', $6::text)::text END "
    "FROM e LEFT JOIN o ON true";

bool is_yyyymmdd(const std::string& d) {
  return d.size() == 8 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string state_text(State s) { return std::to_string(static_cast<int>(s)); }

/// One locked, due row.
struct DueRow {
  std::int64_t id = 0;
  std::int64_t version = 0;
  codec::TransactionId transaction_id;
  bool send_overdue = true;
  std::string timer_date;  // the date due or expiry date that passed, YYYYMMDD
  hub::TransactionSnapshot snapshot;
};

std::vector<DueRow> read_rows(const PgResult& r) {
  std::vector<DueRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    DueRow row;
    row.id = *r.get_int64(i, 0);
    row.version = *r.get_int64(i, 1);
    // The stored initial requester is a symbol (or, rarely, a name sent in its place).
    row.transaction_id.initial_requester.symbol = std::string(r.get(i, 2));
    row.transaction_id.group_qualifier = std::string(r.get(i, 3));
    row.transaction_id.qualifier = std::string(r.get(i, 4));
    row.transaction_id.sub_qualifier = std::string(r.get(i, 5));
    row.send_overdue = r.get(i, 6) == "t";
    row.timer_date = std::string(r.get(i, 7));
    row.snapshot = snapshot_from_row(r, i, kFirstSnapshotColumn);
    rows.push_back(std::move(row));
  }
  return rows;
}

/// The APDU the hub sends the borrower on the lender's behalf.
Result<codec::Apdu, StoreError> build_apdu(const DueRow& row, Timer timer, const codec::ServiceDateTime& now) {
  codec::ApduHeader h;
  h.transaction_id = row.transaction_id;
  h.service_date_time.date = now.date;
  h.service_date_time.time = now.time;
  h.requester_id.symbol = row.snapshot.requester_symbol;
  h.responder_id.symbol = row.snapshot.responder_symbol;
  auto built = timer == Timer::kOverdue
                   ? codec::build_overdue(h, codec::DateDue{row.timer_date, true},
                                          "date due " + row.timer_date + " passed (sent by the hub for " +
                                              row.snapshot.responder_symbol + ")")
                   : codec::build_expired(h);
  if (!built) {
    return unexpected(make_error(StoreError::Kind::kOther,
                                 "cannot build the " + std::string(protocol::to_string(timer)) +
                                     " APDU for transaction " + std::to_string(row.id) + ": " +
                                     built.error().detail));
  }
  return std::move(*built);
}

/// Runs out `timer` on one locked row: the new states, the event, the outbox row, the NOTIFY;
/// or only disarms the timer when the tables have no cell for it in the row's states.
Result<FiredTimer, StoreError> run_out(PgConnection& conn, const DueRow& row, Timer timer,
                                       const codec::ServiceDateTime& now) {
  FiredTimer out;
  out.transaction_id = row.id;
  out.timer = timer;
  const std::string timer_name(protocol::to_string(timer));
  const std::string id = std::to_string(row.id), version = std::to_string(row.version);
  const protocol::TimerDecision d = protocol::decide_timer(row.snapshot.view, timer);
  if (!d.fires) {
    conn.prepare("timer_mark_handled", kMarkHandled);
    auto r = conn.exec_prepared("timer_mark_handled", {id, version, timer_name});
    if (!r) return unexpected(r.error());
    return out;
  }
  auto apdu = build_apdu(row, timer, now);
  if (!apdu) return unexpected(apdu.error());

  // Overdue goes out only when the lender wants the hub to send it; Expired always.
  const bool send = timer != Timer::kOverdue || row.send_overdue;
  std::optional<std::string> recipient, reason;
  if (send) {
    recipient = row.snapshot.requester_symbol;
  } else {
    reason = "not sent: peers.send_overdue is false for " + row.snapshot.responder_symbol;
  }
  const std::string dedup =
      "timer|" + timer_name + (timer == Timer::kOverdue ? "|" + row.timer_date : std::string());
  const std::string kind = std::to_string(static_cast<int>(d.to_requester));
  const std::string new_r = state_text(d.next.requester), new_s = state_text(d.next.responder);
  const std::string old_r = state_text(row.snapshot.view.requester);
  const std::string old_s = state_text(row.snapshot.view.responder);
  conn.prepare("timer_write_fired", kWriteFired);
  auto r = conn.exec_prepared(
      "timer_write_fired",
      {id, version, timer_name, new_r, new_s, recipient, kind, old_r, old_s, now.date, now.time,
       Bytea{apdu->bytes()}, reason,
       Bytea{std::span(reinterpret_cast<const std::uint8_t*>(dedup.data()), dedup.size())}});
  if (!r) return unexpected(r.error());
  // The row is locked by this transaction, so its version cannot have moved.
  if (r->rows() != 1) {
    return unexpected(make_error(StoreError::Kind::kOther,
                                 "transaction " + id + " changed under its lock while its " + timer_name +
                                     " timer ran out"));
  }
  out.event_id = *r->get_int64(0, 0);
  if (send) {
    out.outbox_id = r->get_int64(0, 1).value_or(0);
    out.recipient = *recipient;
  }
  return out;
}

}  // namespace

Result<SweepResult, StoreError> TimerSweep::sweep(const codec::ServiceDateTime& now, int limit) {
  if (!is_yyyymmdd(now.date)) {
    return unexpected(make_error(StoreError::Kind::kOther, "timer sweep: date '" + now.date + "' is not YYYYMMDD"));
  }
  if (limit < 1) return unexpected(make_error(StoreError::Kind::kOther, "timer sweep: limit must be at least 1"));
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  PgConnection& conn = **lease;
  conn.prepare("timer_select_overdue", kSelectOverdue);
  conn.prepare("timer_select_expiry", kSelectExpiry);

  auto tx = Transaction::begin(conn);
  if (!tx) return unexpected(tx.error());
  SweepResult out;
  for (const Timer timer : {Timer::kOverdue, Timer::kExpiry}) {
    auto due = conn.exec_prepared(timer == Timer::kOverdue ? "timer_select_overdue" : "timer_select_expiry",
                                  {now.date, limit});
    if (!due) return unexpected(due.error());
    if (due->rows() >= limit) out.more = true;
    for (const DueRow& row : read_rows(*due)) {
      auto fired = run_out(conn, row, timer, now);
      if (!fired) return unexpected(fired.error());
      out.fired.push_back(std::move(*fired));
    }
  }
  if (intermediary_) {
    auto moved = intermediary_->sweep_deadlines(conn, limit);
    if (!moved) return unexpected(moved.error());
    if (moved->moved >= limit) out.more = true;
    out.routing_recipients = std::move(moved->recipients);
  }
  auto committed = tx->commit();
  if (!committed) return unexpected(committed.error());
  return out;
}

}  // namespace illhub::store
