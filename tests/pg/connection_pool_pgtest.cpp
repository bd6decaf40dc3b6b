// ConnectionPool: bounded, shared between threads, and it outlives lost connections and a
// PostgreSQL restart.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "illhub/store/connection_pool.hpp"
#include "illhub/store/transaction.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Kind = StoreError::Kind;
using namespace std::chrono_literals;

TEST(ConnectionPool, NeverOpensMoreThanMaxSizeAndTimesOutWhenAllAreLeased) {
  ConnectionPool pool({test::fresh_database(), 2, 300ms});
  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a && b);
  EXPECT_NE((*a)->backend_pid(), (*b)->backend_pid());
  const auto started = std::chrono::steady_clock::now();
  auto c = pool.acquire();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Kind::kOther);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  EXPECT_EQ(pool.open_count(), 2u);
}

TEST(ConnectionPool, ReusesAReturnedConnection) {
  ConnectionPool pool({test::fresh_database(), 1, 1s});
  int first_pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    first_pid = (*lease)->backend_pid();
  }
  auto again = pool.acquire();
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->backend_pid(), first_pid);
  EXPECT_EQ(pool.open_count(), 1u);
}

TEST(ConnectionPool, ServesManyThreadsWithFewConnections) {
  const std::string db = test::fresh_database();
  {
    auto setup = PgConnection::connect(db);
    ASSERT_TRUE(setup);
    ASSERT_TRUE(setup->exec("CREATE TABLE hits (thread int, n int)"));
  }
  ConnectionPool pool({db, 3, 10s});
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 25; ++n) {
        auto lease = pool.acquire();
        if (!lease || !(*lease)->exec("INSERT INTO hits VALUES ($1, $2)", {t, n})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(pool.open_count(), 3u);
  auto lease = pool.acquire();
  ASSERT_TRUE(lease);
  EXPECT_EQ((*lease)->exec("SELECT count(*) FROM hits")->get_int64(0, 0), 200);
}

TEST(ConnectionPool, RollsBackATransactionLeftOpenByItsUser) {
  ConnectionPool pool({test::fresh_database(), 1, 1s});
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    ASSERT_TRUE((*lease)->exec("CREATE TABLE t (x int)"));
    ASSERT_TRUE((*lease)->exec("BEGIN"));
    ASSERT_TRUE((*lease)->exec("INSERT INTO t VALUES (1)"));
  }  // returned mid-transaction
  auto lease = pool.acquire();
  ASSERT_TRUE(lease);
  EXPECT_FALSE((*lease)->in_transaction());
  EXPECT_EQ((*lease)->exec("SELECT count(*) FROM t")->get_int64(0, 0), 0);
}

TEST(ConnectionPool, ReconnectsAfterItsBackendWasTerminated) {
  const std::string db = test::fresh_database();
  ConnectionPool pool({db, 1, 1s});
  int old_pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    old_pid = (*lease)->backend_pid();
  }
  auto admin = PgConnection::connect(db);
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->exec("SELECT pg_terminate_backend($1::int, 5000)", {old_pid}));
  // The idle connection is found dead when leased and replaced before the user sees it; at
  // worst (the server's goodbye not yet read) the first call fails with kConnectionLost.
  bool succeeded = false;
  for (int attempt = 0; attempt < 3 && !succeeded; ++attempt) {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().describe();
    auto r = (*lease)->exec("SELECT 1");
    if (r) {
      succeeded = true;
      EXPECT_NE((*lease)->backend_pid(), old_pid);
    } else {
      EXPECT_EQ(r.error().kind, Kind::kConnectionLost);
    }
  }
  EXPECT_TRUE(succeeded);
}

// PostgreSQL restarted under a running pool. Own cluster: restarting the shared one would
// disturb other tests.
TEST(ConnectionPoolRestart, CallsInFlightFailCleanlyAndLaterCallsSucceed) {
  test::ScratchCluster scratch;
  ASSERT_TRUE(scratch.ok()) << scratch.error();
  const std::string db = scratch.fresh_database();
  ConnectionPool pool({db, 2, 5s});
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    ASSERT_TRUE((*lease)->exec("CREATE TABLE t (x int)"));
  }

  // A statement running when the server goes down.
  std::promise<void> running;
  auto is_running = running.get_future();
  auto in_flight = std::async(std::launch::async, [&] {
    auto lease = pool.acquire();
    if (!lease) return lease.error();
    running.set_value();
    auto r = (*lease)->exec("SELECT pg_sleep(30)");
    return r ? StoreError{} : r.error();
  });
  ASSERT_EQ(is_running.wait_for(10s), std::future_status::ready);
  std::this_thread::sleep_for(300ms);  // let pg_sleep start on the server

  const auto old_pid = scratch.cluster().postmaster_pid();
  ASSERT_TRUE(scratch.cluster().restart());
  const auto new_pid = scratch.cluster().postmaster_pid();
  ASSERT_TRUE(new_pid);
  if (old_pid) test::unwatch_postmaster(*old_pid);
  test::watch_postmaster(*new_pid);

  ASSERT_EQ(in_flight.wait_for(20s), std::future_status::ready);
  const StoreError failed = in_flight.get();
  EXPECT_EQ(failed.kind, Kind::kConnectionLost) << failed.describe();

  // Later calls succeed, on reconnected connections; bounded retries for the one idle
  // connection whose goodbye may not have been read yet.
  int successes = 0;
  for (int attempt = 0; attempt < 6 && successes < 4; ++attempt) {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease) << lease.error().describe();
    auto r = (*lease)->exec("INSERT INTO t VALUES ($1)", {attempt});
    if (r) {
      ++successes;
    } else {
      EXPECT_EQ(r.error().kind, Kind::kConnectionLost) << r.error().describe();
    }
  }
  EXPECT_EQ(successes, 4);
}

TEST(ConnectionPoolRestart, CallsWhileDownFailCleanlyAndSucceedOnceUp) {
  test::ScratchCluster scratch;
  ASSERT_TRUE(scratch.ok()) << scratch.error();
  const std::string db = scratch.fresh_database();
  ConnectionPool pool({db, 1, 2s});
  { ASSERT_TRUE(pool.acquire()); }

  ASSERT_TRUE(scratch.cluster().stop());
  {
    auto lease = pool.acquire();  // the idle connection is dead and cannot be reconnected
    ASSERT_FALSE(lease);
    EXPECT_EQ(lease.error().kind, Kind::kConnectionLost);
  }

  // Start it again (the cluster's start() reuses the existing directory).
  store::EmbeddedClusterOptions options;
  options.data_dir = scratch.dir();
  options.durable = false;
  auto again = store::EmbeddedCluster::start(std::move(options));
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_FALSE(again->created_now());
  if (auto pid = again->postmaster_pid()) test::watch_postmaster(*pid);

  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().describe();
  EXPECT_TRUE((*lease)->exec("SELECT 1"));
  if (auto pid = again->postmaster_pid()) test::unwatch_postmaster(*pid);
  // `again` stops the server it started when it goes out of scope.
}

}  // namespace
}  // namespace illhub::store
