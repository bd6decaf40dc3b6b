// TimerLoop: the periodic timer sweep. See include/illhub/net/timer_loop.hpp.
#include "illhub/net/timer_loop.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/blocking.hpp"
#include "illhub/net/reports.hpp"

namespace illhub::net {

namespace {
// Batches per sweep: a backlog (the hub was down for days) is worked off at once, within a
// bound; whatever is left waits for the next interval.
constexpr int kMaxBatches = 100;
}  // namespace

TimerLoop::TimerLoop(asio::any_io_executor executor, asio::thread_pool& db_threads, store::TimerSweep& sweep,
                     TimerOptions options, std::function<void(const std::string&)> wake)
    : executor_(std::move(executor)),
      db_threads_(db_threads),
      sweep_(sweep),
      options_(options),
      wake_(std::move(wake)),
      timer_(executor_) {}

void TimerLoop::stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> TimerLoop::run() {
  if (options_.interval.count() <= 0) {
    spdlog::info("timers: off (interval 0); overdue and expiry are left to other nodes");
    co_return;
  }
  while (!stopping_) {
    co_await sweep_once();
    if (stopping_) break;
    timer_.expires_after(options_.interval);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> TimerLoop::sweep_once() {
  store::TimerSweep& sweep = sweep_;
  // The hub's local date decides what has passed (dates in APDUs have no zone either).
  const codec::ServiceDateTime now = service_date_time_now();
  const int batch = options_.batch;
  for (int round = 0; round < kMaxBatches && !stopping_; ++round) {
    auto call = [&sweep, now, batch] { return sweep.sweep(now, batch); };
    auto result = co_await run_blocking(db_threads_, call);
    if (!result) {
      spdlog::warn("timers: sweep failed, trying again in {} ms: {}", options_.interval.count(),
                   result.error().describe());
      co_return;
    }
    for (const store::FiredTimer& f : result->fired) {
      if (f.event_id == 0) continue;  // not applicable in its states: only disarmed
      if (f.recipient.empty()) {
        spdlog::info("timers: {} ran out on transaction {}; state changed, nothing sent (the lender's "
                     "send_overdue is off)", protocol::to_string(f.timer), f.transaction_id);
      } else {
        spdlog::info("timers: {} ran out on transaction {}; outbox {} to {}", protocol::to_string(f.timer),
                     f.transaction_id, f.outbox_id, f.recipient);
        wake_(f.recipient);
      }
    }
    for (const std::string& recipient : result->routing_recipients) wake_(recipient);
    if (!result->routing_recipients.empty())
      spdlog::info("routing: answer deadlines passed; {} APDU(s) to send", result->routing_recipients.size());
    if (!result->more) co_return;
  }
}

}  // namespace illhub::net
