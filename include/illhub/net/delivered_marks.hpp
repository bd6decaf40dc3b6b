#pragma once
// DeliveredMarks: marks sent outbox rows delivered, the rows of many delivery pumps in one
// statement. A pump waits for its row's mark before it claims again (a sent row still leased
// would hold back the recipient's later rows) and only after the row's bytes were written
// asks for it. While one UPDATE is at the database, the rows sent meanwhile gather for the
// next one: with many recipients busy that is about one statement per round trip instead of
// one per row. Runs on one io_context thread (no locks); the UPDATE on the database threads.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "illhub/net/outbox_store.hpp"

namespace illhub::net {

namespace asio = boost::asio;

class DeliveredMarks {
 public:
  /// `retry_for`: how long a failing UPDATE is tried again (every 250 ms) while the database
  /// is away, before the rows are given up as "sent but not marked".
  DeliveredMarks(asio::any_io_executor executor, asio::thread_pool& db_threads, OutboxStore& outbox,
                 std::chrono::milliseconds retry_for);

  /// Suspends until row `id` is marked delivered (true), or marking it failed for retry_for or
  /// stop() was called (false; the row stays leased and is sent again after its lease:
  /// at-least-once). Call only after the row's bytes were written.
  asio::awaitable<bool> mark(std::int64_t id);
  /// Rounds in progress end after their current attempt; no more retries.
  void stop() { stopping_ = true; }

  /// UPDATE statements sent so far (one per round and attempt); for tests and the bench.
  std::uint64_t statements() const { return statements_; }

 private:
  struct Round {
    explicit Round(const asio::any_io_executor& ex) : done(ex, std::chrono::steady_clock::time_point::max()) {}
    std::vector<std::int64_t> ids;
    asio::steady_timer done;  // cancelled when the round is over
    bool finished = false;
    bool ok = false;
  };
  asio::awaitable<void> run();
  asio::awaitable<bool> write(const std::vector<std::int64_t>& ids);

  asio::any_io_executor executor_;
  asio::thread_pool& db_threads_;
  OutboxStore& outbox_;
  std::chrono::milliseconds retry_for_;
  std::shared_ptr<Round> gathering_;  // the round new rows join; null: none yet
  bool running_ = false;              // run() is writing rounds
  bool stopping_ = false;
  std::uint64_t statements_ = 0;
};

}  // namespace illhub::net
