#pragma once
// TimerLoop: runs the hub's timers (store::TimerSweep: overdue, expiry) once at start and then
// every TimerOptions::interval, on the database thread pool. Every node may run one: the sweep
// locks rows with SKIP LOCKED, so two nodes never fire the same timer. The APDUs a sweep
// produces reach their recipients through the outbox like any other: the sweep's NOTIFY wakes
// delivery on every node, and this loop also wakes delivery here directly.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string>

#include "illhub/net/options.hpp"
#include "illhub/store/timer_sweep.hpp"

namespace illhub::net {

namespace asio = boost::asio;

class TimerLoop {
 public:
  /// `sweep` and `db_threads` must outlive the loop. `wake(recipient)` is called on the
  /// executor for every recipient a sweep queued an APDU for.
  TimerLoop(asio::any_io_executor executor, asio::thread_pool& db_threads, store::TimerSweep& sweep,
            TimerOptions options, std::function<void(const std::string& recipient)> wake);

  /// Sweeps at once, then every interval, until stop(). Does nothing when the interval is 0.
  /// Never throws: a failed sweep is logged and tried again at the next interval.
  asio::awaitable<void> run();
  /// Stops after the sweep in flight, if any.
  void stop();

 private:
  asio::awaitable<void> sweep_once();

  asio::any_io_executor executor_;
  asio::thread_pool& db_threads_;
  store::TimerSweep& sweep_;
  TimerOptions options_;
  std::function<void(const std::string&)> wake_;
  asio::steady_timer timer_;
  bool stopping_ = false;
};

}  // namespace illhub::net
