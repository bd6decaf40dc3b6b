// PgConnection::exec_pipeline against a real server: every statement sent at once, one
// result each in order, a failure stops the ones after it, a lost connection fails them all,
// and the connection works normally afterwards.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Piped = PgConnection::Piped;

PgConnection connect_fresh() { return test::connect_or_abort(test::fresh_database()); }

TEST(PgPipeline, EveryStatementGetsItsOwnResultInOrder) {
  PgConnection conn = connect_fresh();
  conn.prepare("twice", "SELECT $1::int * 2");
  const std::vector<Piped> statements = {{"twice", true, {21}},
                                         {"SELECT $1::text || $2::text", false, {"pipe", "line"}},
                                         {"twice", true, {5}},
                                         {"SELECT generate_series(1, 3)", false, {}}};
  auto results = conn.exec_pipeline(statements);
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(results[0]->get(0, 0), "42");
  EXPECT_EQ(results[1]->get(0, 0), "pipeline");
  EXPECT_EQ(results[2]->get(0, 0), "10");
  EXPECT_EQ(results[3]->rows(), 3);
  EXPECT_TRUE(conn.is_ok());
  auto after = conn.exec("SELECT 1");  // the connection left pipeline mode
  ASSERT_TRUE(after) << after.error().describe();
}

TEST(PgPipeline, OutsideATransactionThePipelineCommitsAsOne) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id int PRIMARY KEY)"));
  const std::vector<Piped> statements = {{"INSERT INTO t VALUES (1)", false, {}},
                                         {"INSERT INTO t VALUES (2)", false, {}}};
  for (const auto& r : conn.exec_pipeline(statements)) ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(conn.in_transaction());
  auto rows = conn.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->get(0, 0), "2");
}

TEST(PgPipeline, AFailedStatementStopsTheRestAndTheConnectionCarriesOn) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id int PRIMARY KEY)"));
  const std::vector<Piped> statements = {{"INSERT INTO t VALUES (1)", false, {}},
                                         {"INSERT INTO t VALUES (1)", false, {}},  // duplicate key
                                         {"INSERT INTO t VALUES (2)", false, {}}};
  auto results = conn.exec_pipeline(statements);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().kind, StoreError::Kind::kUniqueViolation);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().kind, StoreError::Kind::kOther);
  EXPECT_NE(results[2].error().message.find("not run"), std::string::npos) << results[2].error().message;
  // Outside a transaction the pipeline is one implicit transaction: the failure undid the first.
  auto rows = conn.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(rows) << rows.error().describe();
  EXPECT_EQ(rows->get(0, 0), "0");
  EXPECT_FALSE(conn.in_transaction());
}

TEST(PgPipeline, InsideATransactionAFailureAbortsIt) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id int PRIMARY KEY)"));
  ASSERT_TRUE(conn.exec("BEGIN"));
  const std::vector<Piped> statements = {{"INSERT INTO t VALUES (1)", false, {}},
                                         {"SELECT 1 / 0", false, {}}};
  auto results = conn.exec_pipeline(statements);
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_TRUE(conn.in_transaction());
  auto commit = conn.exec("COMMIT");
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit->command_status(), "ROLLBACK");
  auto rows = conn.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->get(0, 0), "0");
}

TEST(PgPipeline, ALostConnectionFailsEveryStatement) {
  PgConnection conn = connect_fresh();
  const std::vector<Piped> statements = {{"SELECT 1", false, {}},
                                         {"SELECT pg_terminate_backend(pg_backend_pid())", false, {}},
                                         {"SELECT 3", false, {}}};
  auto results = conn.exec_pipeline(statements);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, StoreError::Kind::kConnectionLost) << r.error().describe();
  }
  EXPECT_FALSE(conn.is_ok());
  ASSERT_TRUE(conn.reset());
  EXPECT_TRUE(conn.exec("SELECT 1"));
}

TEST(PgPipeline, AnEmptyPipelineSendsNothing) {
  PgConnection conn = connect_fresh();
  EXPECT_TRUE(conn.exec_pipeline({}).empty());
  EXPECT_TRUE(conn.exec("SELECT 1"));
}

TEST(PgPipeline, AStatementNeverPreparedFailsBeforeAnythingIsSent) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE t (id int)"));
  const std::vector<Piped> statements = {{"INSERT INTO t VALUES (1)", false, {}}, {"no_such_statement", true, {}}};
  auto results = conn.exec_pipeline(statements);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0]);
  EXPECT_FALSE(results[1]);
  auto rows = conn.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->get(0, 0), "0");
}

}  // namespace
}  // namespace illhub::store
