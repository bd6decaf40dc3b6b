// SQLSTATEs provoked on a real server map to the StoreError kinds callers act on, and the
// Transaction guard reports each COMMIT outcome truthfully.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "illhub/store/transaction.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Kind = StoreError::Kind;

PgConnection connect_to(const std::string& conninfo) { return test::connect_or_abort(conninfo); }

// Ends another connection's server process, as an operator or a crash would.
void terminate_backend(const std::string& conninfo, int pid) {
  PgConnection admin = connect_to(conninfo);
  auto r = admin.exec("SELECT pg_terminate_backend($1::int, 5000)", {pid});
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->get(0, 0), "t");
}

TEST(SqlstateMapping, MapsEachClassToItsKind) {
  EXPECT_EQ(kind_for_sqlstate("40001"), Kind::kSerializationFailure);
  EXPECT_EQ(kind_for_sqlstate("40P01"), Kind::kDeadlock);
  EXPECT_EQ(kind_for_sqlstate("23505"), Kind::kUniqueViolation);
  EXPECT_EQ(kind_for_sqlstate("23503"), Kind::kConstraint);
  EXPECT_EQ(kind_for_sqlstate("23514"), Kind::kConstraint);
  EXPECT_EQ(kind_for_sqlstate("08006"), Kind::kConnectionLost);
  EXPECT_EQ(kind_for_sqlstate("57P01"), Kind::kConnectionLost);
  EXPECT_EQ(kind_for_sqlstate("42601"), Kind::kOther);
  EXPECT_EQ(kind_for_sqlstate(""), Kind::kOther);
  EXPECT_EQ(action_for(Kind::kSerializationFailure), ErrorAction::kRetryTransaction);
  EXPECT_EQ(action_for(Kind::kDeadlock), ErrorAction::kRetryTransaction);
  EXPECT_EQ(action_for(Kind::kConnectionLost), ErrorAction::kReconnectAndRetry);
  EXPECT_EQ(action_for(Kind::kUniqueViolation), ErrorAction::kAlreadyApplied);
  EXPECT_EQ(action_for(Kind::kCommitOutcomeUnknown), ErrorAction::kRerunIdempotently);
  EXPECT_EQ(action_for(Kind::kConstraint), ErrorAction::kFail);
}

TEST(StoreErrorKinds, DuplicateKeyIsUniqueViolation) {
  PgConnection conn = connect_to(test::fresh_database());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (k text PRIMARY KEY)"));
  ASSERT_TRUE(conn.exec("INSERT INTO t VALUES ($1)", {"a"}));
  auto dup = conn.exec("INSERT INTO t VALUES ($1)", {"a"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, Kind::kUniqueViolation);
  EXPECT_EQ(dup.error().sqlstate, "23505");
  EXPECT_NE(dup.error().message.find("duplicate key"), std::string::npos);
}

TEST(StoreErrorKinds, SyntaxErrorIsOtherWithItsSqlstate) {
  PgConnection conn = connect_to(test::fresh_database());
  auto bad = conn.exec("SELEC 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, Kind::kOther);
  EXPECT_EQ(bad.error().sqlstate, "42601");
}

TEST(StoreErrorKinds, WriteSkewUnderSerializableIsSerializationFailure) {
  const std::string db = test::fresh_database();
  PgConnection a = connect_to(db);
  PgConnection b = connect_to(db);
  ASSERT_TRUE(a.exec("CREATE TABLE oncall (doctor text, on_duty bool)"));
  ASSERT_TRUE(a.exec("INSERT INTO oncall VALUES ('x', true), ('y', true)"));
  // Each sees two on duty and takes one off: together they leave none, which no serial
  // order allows, so PostgreSQL refuses the second to commit.
  auto ta = Transaction::begin(a, Isolation::kSerializable);
  auto tb = Transaction::begin(b, Isolation::kSerializable);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(ta->exec("SELECT count(*) FROM oncall WHERE on_duty"));
  ASSERT_TRUE(tb->exec("SELECT count(*) FROM oncall WHERE on_duty"));
  ASSERT_TRUE(ta->exec("UPDATE oncall SET on_duty = false WHERE doctor = 'x'"));
  ASSERT_TRUE(tb->exec("UPDATE oncall SET on_duty = false WHERE doctor = 'y'"));
  ASSERT_TRUE(ta->commit());
  auto second = tb->commit();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, Kind::kSerializationFailure);
  EXPECT_EQ(second.error().sqlstate, "40001");
  EXPECT_EQ(action_for(second.error().kind), ErrorAction::kRetryTransaction);
}

TEST(StoreErrorKinds, LockCycleIsDeadlock) {
  const std::string db = test::fresh_database();
  PgConnection a = connect_to(db);
  PgConnection b = connect_to(db);
  ASSERT_TRUE(a.exec("CREATE TABLE t (id int PRIMARY KEY, v int)"));
  ASSERT_TRUE(a.exec("INSERT INTO t VALUES (1, 0), (2, 0)"));
  ASSERT_TRUE(a.exec("SET deadlock_timeout = '100ms'"));
  ASSERT_TRUE(b.exec("SET deadlock_timeout = '100ms'"));
  ASSERT_TRUE(a.exec("SET lock_timeout = '20s'"));  // bound: never hang the test
  ASSERT_TRUE(b.exec("SET lock_timeout = '20s'"));
  auto ta = Transaction::begin(a);
  auto tb = Transaction::begin(b);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(ta->exec("UPDATE t SET v = 1 WHERE id = 1"));
  ASSERT_TRUE(tb->exec("UPDATE t SET v = 1 WHERE id = 2"));
  // a waits for b's row on its own thread; b then asks for a's row: a cycle.
  auto a_waits = std::async(std::launch::async, [&] {
    auto r = ta->exec("UPDATE t SET v = 2 WHERE id = 2");
    return r ? std::optional<StoreError>() : std::optional<StoreError>(r.error());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto rb = tb->exec("UPDATE t SET v = 2 WHERE id = 1");
  const std::optional<StoreError> ea = a_waits.get();
  // Exactly one of the two is chosen as the victim.
  const bool a_victim = ea.has_value();
  const bool b_victim = !rb;
  ASSERT_NE(a_victim, b_victim);
  const StoreError& victim = a_victim ? *ea : rb.error();
  EXPECT_EQ(victim.kind, Kind::kDeadlock);
  EXPECT_EQ(victim.sqlstate, "40P01");
}

TEST(StoreErrorKinds, TerminatedBackendIsConnectionLost) {
  const std::string db = test::fresh_database();
  PgConnection conn = connect_to(db);
  terminate_backend(db, conn.backend_pid());
  auto r = conn.exec("SELECT 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::kConnectionLost);
  EXPECT_FALSE(conn.is_ok());
  ASSERT_TRUE(conn.reset());  // and the same object works again
  EXPECT_TRUE(conn.exec("SELECT 1"));
}

TEST(Transaction, ConnectionLostBeforeCommitIsOutcomeUnknownAndNothingCommitted) {
  const std::string db = test::fresh_database();
  PgConnection conn = connect_to(db);
  ASSERT_TRUE(conn.exec("CREATE TABLE t (x int)"));
  auto tx = Transaction::begin(conn);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->exec("INSERT INTO t VALUES (1)"));
  terminate_backend(db, conn.backend_pid());
  auto committed = tx->commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, Kind::kCommitOutcomeUnknown);
  EXPECT_EQ(action_for(committed.error().kind), ErrorAction::kRerunIdempotently);
  // Here the server had rolled back; the caller cannot know that, hence the rerun rule.
  PgConnection check = connect_to(db);
  auto count = check.exec("SELECT count(*) FROM t");
  ASSERT_TRUE(count);
  EXPECT_EQ(count->get_int64(0, 0), 0);
}

TEST(Transaction, RollsBackWhenNotCommitted) {
  PgConnection conn = connect_to(test::fresh_database());
  ASSERT_TRUE(conn.exec("CREATE TABLE t (x int)"));
  {
    auto tx = Transaction::begin(conn);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->exec("INSERT INTO t VALUES (1)"));
    EXPECT_TRUE(conn.in_transaction());
  }
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(conn.exec("SELECT count(*) FROM t")->get_int64(0, 0), 0);
  {
    auto tx = Transaction::begin(conn);
    ASSERT_TRUE(tx->exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(conn.exec("SELECT count(*) FROM t")->get_int64(0, 0), 1);
}

TEST(Transaction, CommitAfterAFailedStatementReportsTheRollback) {
  PgConnection conn = connect_to(test::fresh_database());
  auto tx = Transaction::begin(conn);
  ASSERT_TRUE(tx);
  EXPECT_FALSE(tx->exec("SELECT 1/0"));
  auto committed = tx->commit();
  ASSERT_FALSE(committed);  // PostgreSQL answers COMMIT with ROLLBACK here: not a success
  EXPECT_FALSE(conn.in_transaction());
}

}  // namespace
}  // namespace illhub::store
