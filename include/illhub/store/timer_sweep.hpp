#pragma once
// TimerSweep: the hub's two timers, run from the database so that they survive restarts and
// work with several nodes on one database.
//
//  - overdue: a loan's date due has passed and the lender's side is still SHIPPED, RECEIVED,
//    RENEW-PENDING or RECALL. Both sides move as the state tables say (protocol::
//    decide_timer: NOT-RECEIVED-OVERDUE, OVERDUE, RENEW-OVERDUE; RECALL stays) and, when the
//    lender's peers.send_overdue is true (the default), the hub sends the borrower an Overdue
//    on the lender's behalf. Once per date due: a new date due (Renew-Answer) arms it again.
//  - expiry: a request's expiry date (see schema/0003_timers.sql) has passed and nothing was
//    shipped (lender IN-PROCESS, PENDING, CONDITIONAL or CANCEL-PENDING). Both sides go to
//    NOT-SUPPLIED and the borrower gets Expired on the lender's behalf.
//
// A date has "passed" on the day after it: a loan due on the 25th is overdue on the 26th.
//
// Each sweep() is one database transaction: it locks the due rows with FOR UPDATE SKIP LOCKED
// (rows another sweeper or an apply() holds are left for the next sweep), and writes, per row,
// the new states (version + 1, so a concurrent apply() decides again), an event (direction
// 'out', the APDU as sent), the outbox row to the borrower and a NOTIFY illhub_outbox, all
// committed together. A row whose timer does not apply (say a copy, which has no date due to
// keep) is marked handled, so it is not looked at again.

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/codec/envelope.hpp"
#include "illhub/protocol/event.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::store {

class Intermediary;

/// One timer that ran out on one transaction.
struct FiredTimer {
  std::int64_t transaction_id = 0;
  protocol::Timer timer = protocol::Timer::kOverdue;
  /// The event recorded (0 when the timer did not apply in the transaction's states).
  std::int64_t event_id = 0;
  /// The outbox row to the borrower; 0 when nothing is sent (not applicable, or the lender's
  /// send_overdue is false).
  std::int64_t outbox_id = 0;
  /// Who gets the APDU (the borrower), empty when nothing is sent.
  std::string recipient;
};

struct SweepResult {
  std::vector<FiredTimer> fired;
  /// The batch was full: more timers may be due; sweep again.
  bool more = false;
  /// Routed requests whose lender did not answer in time were moved on (docs/ROUTING.md):
  /// the peers that have something new in the outbox (the next lender, the borrower).
  std::vector<std::string> routing_recipients;
};

class TimerSweep {
 public:
  /// `pool` must outlive the sweep. Thread-safe: each sweep() takes its own connection.
  explicit TimerSweep(ConnectionPool& pool) : pool_(pool) {}

  /// Also runs the intermediary's answer deadlines in each sweep (null: not). Must outlive
  /// the sweep.
  void set_intermediary(const Intermediary* intermediary) { intermediary_ = intermediary; }

  /// Runs out the timers due on `now.date` (YYYYMMDD, the hub's local date; it is also the
  /// service date-time of the APDUs sent): at most `limit` transactions per timer. Blocks.
  /// Errors: a bad date (kOther, nothing done), or the database's (nothing committed; the
  /// next sweep does the same work again, which is safe because every change is decided
  /// afresh from the committed rows).
  Result<SweepResult, StoreError> sweep(const codec::ServiceDateTime& now, int limit = 100);

 private:
  ConnectionPool& pool_;
  const Intermediary* intermediary_ = nullptr;
};

}  // namespace illhub::store
