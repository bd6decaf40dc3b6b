// The answer timeout: a statement whose answer does not come in time fails as a lost
// connection, the connection is given up until reset, and the pool hands out a working one.
// A slow statement (pg_sleep) stands in for a server that stops answering.
#include <gtest/gtest.h>

#include <chrono>

#include "illhub/store/connection_pool.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Kind = StoreError::Kind;
using namespace std::chrono_literals;

TEST(AnswerTimeout, AnUnansweredStatementFailsAsALostConnectionAndResetBringsItBack) {
  PgConnection conn = test::connect_or_abort(test::fresh_database());
  conn.set_answer_timeout(300ms);
  const auto started = std::chrono::steady_clock::now();
  auto slow = conn.exec("SELECT pg_sleep(3)");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, Kind::kConnectionLost);
  EXPECT_NE(slow.error().message.find("no answer from PostgreSQL within 300 ms"), std::string::npos)
      << slow.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "waited for the answer anyway";
  EXPECT_FALSE(conn.is_ok());
  // Given up: the next statement fails at once instead of reading the late answer as its own.
  auto next = conn.exec_params("SELECT 1", {});
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().kind, Kind::kConnectionLost);
  ASSERT_TRUE(conn.reset()) << "reset after a give-up";
  auto again = conn.exec("SELECT 41 + 1");
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->get(0, 0), "42");
}

TEST(AnswerTimeout, ErrorsAndPreparedStatementsStillComeBackWithinTheTimeout) {
  PgConnection conn = test::connect_or_abort(test::fresh_database());
  conn.set_answer_timeout(2s);
  auto bad = conn.exec("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().sqlstate, "42P01");
  EXPECT_TRUE(conn.is_ok());
  conn.prepare("twice", "SELECT $1::int * 2");
  auto doubled = conn.exec_prepared("twice", {"21"});
  ASSERT_TRUE(doubled) << doubled.error().describe();
  EXPECT_EQ(doubled->get(0, 0), "42");
}

TEST(AnswerTimeout, ThePoolReplacesAGivenUpConnectionAtTheNextLease) {
  ConnectionPool pool({test::fresh_database(), 1, 1s, 300ms});
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    auto slow = (*lease)->exec("SELECT pg_sleep(3)");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().kind, Kind::kConnectionLost);
  }
  auto lease = pool.acquire();
  ASSERT_TRUE(lease) << lease.error().describe();
  auto ok = (*lease)->exec("SELECT 1");
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(pool.open_count(), 1u);
}

}  // namespace
}  // namespace illhub::store
