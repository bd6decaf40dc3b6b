#pragma once
// CachedProbe<T>: asks the database something small (is it there? how long is the outbox?) on
// the database threads, on behalf of the status port, with three guarantees:
//   - at most one question is in flight, however many scrapers ask at once;
//   - an answer is reused for `max_age`, so scraping often costs the database nothing more;
//   - the asker waits at most `timeout`: a database that hangs (or database threads all busy
//     with applies that wait for it) gives "no answer in time", not a hung health check.
// A question that outlives its timeout still finishes on its thread (a libpq call cannot be
// interrupted half-way); its answer then serves the next asker, if still fresh.
//
// get() runs on the io thread; `check` runs on the pool and must not throw.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::net {

namespace asio = boost::asio;

template <class T>
class CachedProbe {
 public:
  using Answer = Result<T, std::string>;
  using Check = std::function<Answer()>;
  using Clock = std::chrono::steady_clock;

  CachedProbe(asio::any_io_executor io, asio::thread_pool& pool, Check check, std::chrono::milliseconds max_age,
              std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>(std::move(io), pool, std::move(check))), max_age_(max_age), timeout_(timeout) {}

  /// A fresh answer, or the error "no answer within N ms". Suspends.
  asio::awaitable<Answer> get() {
    auto state = state_;  // the pool's reply may arrive after this object is gone
    if (state->last && Clock::now() - state->at < max_age_) co_return *state->last;
    const std::uint64_t generation = state->generation;
    if (!state->running) {
      state->running = true;
      asio::post(state->pool, [state] {
        Answer answer = state->check();
        asio::post(state->io, [state, answer = std::move(answer)]() mutable {
          state->last.emplace(std::move(answer));
          state->at = Clock::now();
          state->running = false;
          ++state->generation;
          for (auto& w : state->waiters) w->cancel();
          state->waiters.clear();
        });
      });
    }
    auto timer = std::make_shared<asio::steady_timer>(state->io, timeout_);
    state->waiters.push_back(timer);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (state->generation != generation && state->last) co_return *state->last;
    std::erase(state->waiters, timer);
    co_return Answer(unexpected("no answer within " + std::to_string(timeout_.count()) + " ms"));
  }

 private:
  struct State {
    State(asio::any_io_executor e, asio::thread_pool& p, Check c) : io(std::move(e)), pool(p), check(std::move(c)) {}
    asio::any_io_executor io;
    asio::thread_pool& pool;
    Check check;
    std::optional<Answer> last;
    Clock::time_point at;
    bool running = false;
    std::uint64_t generation = 0;
    std::vector<std::shared_ptr<asio::steady_timer>> waiters;
  };
  std::shared_ptr<State> state_;
  std::chrono::milliseconds max_age_;
  std::chrono::milliseconds timeout_;
};

}  // namespace illhub::net
