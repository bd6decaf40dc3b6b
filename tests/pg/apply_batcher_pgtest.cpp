// net::ApplyBatcher against a real PostgreSQL: APDUs handed over while every writer is busy
// share the next COMMIT (up to max_batch each), each waiting coroutine gets its own result on
// its own executor, and the batch-size histogram says what happened.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "illhub/net/apply_batcher.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/golden_apdu.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class ApplyBatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::LoanDatabase db = test::fresh_loan_database();
    conninfo_ = std::move(db.conninfo);
    conn_.emplace(std::move(db.conn));
    pool_.emplace(store::PoolOptions{conninfo_, 4});
    store_.emplace(*pool_, hub::LedgerPolicy{});
  }

  /// Hands `n` ILL-Requests to a batcher whose only database thread is busy until all of them
  /// wait, then lets it go; returns each coroutine's result.
  std::vector<std::optional<ApplyBatcher::Applied>> apply_while_busy(int n, ApplyBatchOptions options) {
    asio::thread_pool db(1);
    ApplyBatcher batcher(db, *store_, metrics_, options);
    std::promise<void> release;
    asio::post(db, [gate = release.get_future()]() mutable { gate.wait(); });

    asio::io_context io;
    std::vector<std::optional<ApplyBatcher::Applied>> results(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      auto apdu = std::make_shared<const codec::Apdu>(
          test::golden_apdu(codec::ApduKind::kIllRequest, "BATCH" + std::to_string(i), "100001"));
      asio::co_spawn(
          io,
          [&batcher, &results, i, apdu]() -> asio::awaitable<void> {
            auto applying = batcher.apply(apdu, "IRL:BOR");
            results[static_cast<std::size_t>(i)] = co_await std::move(applying);
          },
          asio::detached);
    }
    io.poll();  // every coroutine has handed its APDU over and waits
    release.set_value();
    auto all_in = [&] {
      for (const auto& r : results)
        if (!r) return false;
      return true;
    };
    for (int i = 0; i < 1000 && !all_in(); ++i) io.run_for(10ms);
    db.join();
    return results;
  }

  std::int64_t commits_of(const std::vector<std::optional<ApplyBatcher::Applied>>& results) {
    std::string ids;
    for (const auto& r : results)
      if (r && *r) ids += (ids.empty() ? "" : ",") + std::to_string((*r)->event_id);
    auto c = conn_->exec("SELECT count(DISTINCT xmin::text) FROM events WHERE id IN (" + ids + ")");
    return c ? c->get_int64(0, 0).value_or(-1) : -1;
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  std::optional<store::ConnectionPool> pool_;
  std::optional<store::TransactionStore> store_;
  Metrics metrics_;
};

TEST_F(ApplyBatcherTest, ApdusWaitingWhileTheWriterIsBusyShareOneCommit) {
  const auto results = apply_while_busy(12, ApplyBatchOptions{.max_batch = 32, .writers = 1});
  for (const auto& r : results) {
    ASSERT_TRUE(r) << "a coroutine never got its result";
    ASSERT_TRUE(*r) << (*r).error().describe();
    EXPECT_EQ((*r)->outcome, hub::Outcome::kAccepted);
  }
  EXPECT_EQ(commits_of(results), 1);
  const auto sizes = metrics_.commit_batch_size.snapshot();
  EXPECT_EQ(sizes.count, 1u);
  EXPECT_EQ(sizes.sum, 12.0);
  EXPECT_EQ(metrics_.commit_latency.snapshot().count, 12u);  // one observation per APDU
}

TEST_F(ApplyBatcherTest, NoBatchIsLargerThanMaxBatch) {
  const auto results = apply_while_busy(12, ApplyBatchOptions{.max_batch = 5, .writers = 1});
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r);
    EXPECT_EQ((*r)->outcome, hub::Outcome::kAccepted);
  }
  EXPECT_EQ(commits_of(results), 3);  // 5 + 5 + 2
  const auto sizes = metrics_.commit_batch_size.snapshot();
  EXPECT_EQ(sizes.count, 3u);
  EXPECT_EQ(sizes.sum, 12.0);
}

TEST_F(ApplyBatcherTest, MaxBatchOneIsOneCommitPerApdu) {
  const auto results = apply_while_busy(4, ApplyBatchOptions{.max_batch = 1, .writers = 1});
  for (const auto& r : results) ASSERT_TRUE(r && *r);
  EXPECT_EQ(commits_of(results), 4);
  EXPECT_EQ(metrics_.commit_batch_size.snapshot().count, 4u);
}

}  // namespace
}  // namespace illhub::net
