#pragma once
// How `illctl tail --follow` waits for new events: LISTEN illhub_events (schema
// 0006_operator_events.sql notifies it whenever events are written), and in any case no
// longer than the poll interval, because an event can also become readable without a
// notification (a transaction that held the commit-order horizon back ends) and because
// LISTEN is refused on a hot standby, where polling is all there is.

#include <chrono>

#include "illhub/store/pg_connection.hpp"

namespace illhub::app {

class LogWaiter {
 public:
  /// Tries LISTEN on `conn` (kept by reference; it must outlive the waiter). When the server
  /// refuses, says so once on stderr and polls.
  LogWaiter(store::PgConnection& conn, std::chrono::milliseconds poll_interval);

  /// Returns when a notification arrives, the poll interval passes, or a signal interrupts.
  /// Notifications that arrived meanwhile are consumed (one read covers them all).
  void wait();

  /// After the connection was reset: LISTEN again (a new session listens to nothing).
  void relisten();

  bool listening() const { return listening_; }

 private:
  store::PgConnection& conn_;
  std::chrono::milliseconds poll_interval_;
  bool listening_ = false;
  bool warned_ = false;
};

}  // namespace illhub::app
