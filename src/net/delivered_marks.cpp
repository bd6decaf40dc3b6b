// DeliveredMarks: one UPDATE for the rows of many pumps. See the header.
#include "illhub/net/delivered_marks.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/blocking.hpp"

namespace illhub::net {

DeliveredMarks::DeliveredMarks(asio::any_io_executor executor, asio::thread_pool& db_threads, OutboxStore& outbox,
                               std::chrono::milliseconds retry_for)
    : executor_(std::move(executor)), db_threads_(db_threads), outbox_(outbox), retry_for_(retry_for) {}

asio::awaitable<bool> DeliveredMarks::mark(std::int64_t id) {
  if (!gathering_) gathering_ = std::make_shared<Round>(executor_);
  std::shared_ptr<Round> round = gathering_;
  round->ids.push_back(id);
  if (!running_) {
    running_ = true;
    asio::co_spawn(executor_, run(), asio::detached);
  }
  // One thread: nothing can finish the round between this check and the wait.
  if (!round->finished) co_await round->done.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return round->ok;
}

asio::awaitable<void> DeliveredMarks::run() {
  // co_spawn may start us inline: yield once, so rows sent in this same turn of the io_context
  // (pumps resumed by one batch of completions) join the first statement.
  co_await asio::post(executor_, asio::use_awaitable);
  while (gathering_) {
    std::shared_ptr<Round> round = std::move(gathering_);
    gathering_.reset();  // rows sent from now on wait for the next round
    round->ok = co_await write(round->ids);
    round->finished = true;
    round->done.cancel();
  }
  running_ = false;
}

asio::awaitable<bool> DeliveredMarks::write(const std::vector<std::int64_t>& ids) {
  // The bytes are with the recipients; only the database must learn it. Giving up at once would
  // leave the rows leased, holding every later row for their recipients until the lease ends,
  // and then send them twice; so keep trying while the database is away (a restart takes seconds).
  OutboxStore& outbox = outbox_;
  auto marked_call = [&outbox, ids] { return outbox.mark_delivered(ids); };
  const auto deadline = std::chrono::steady_clock::now() + retry_for_;
  asio::steady_timer pause(executor_);
  for (int attempt = 1;; ++attempt) {
    ++statements_;
    auto marked = co_await run_blocking(db_threads_, marked_call);
    if (marked) co_return true;
    if (stopping_ || std::chrono::steady_clock::now() >= deadline) co_return false;
    spdlog::warn("delivery: {} outbox row(s) (first {}) delivered but not marked yet (attempt {}): {}; trying again",
                 ids.size(), ids.front(), attempt, marked.error().describe());
    pause.expires_after(std::chrono::milliseconds(250));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace illhub::net
