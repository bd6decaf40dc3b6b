// schema/0001_core.sql: the rules the database keeps by itself.
#include <gtest/gtest.h>

#include <cstdlib>

#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Kind = StoreError::Kind;

// A migrated database with two peers, a transaction and one event.
class CoreSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = PgConnection::connect(test::fresh_database());
    if (!conn) {
      ADD_FAILURE() << conn.error().describe();
      std::abort();
    }
    conn_.emplace(std::move(conn).value());
    auto migrated = Migrator(embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    ASSERT_TRUE(exec("INSERT INTO peers (symbol, name, endpoint) VALUES "
                     "('IRL:BOR', 'Borrowing library', 'bor.example:499'), "
                     "('IRL:LEN', 'Lending library', 'len.example:499')"));
    auto tx = exec("INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
                   "requester_symbol, responder_symbol) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                   {"IRL:BOR", "g", "q1", "IRL:BOR", "IRL:LEN"});
    ASSERT_TRUE(tx) << tx.error().describe();
    transaction_id_ = *tx->get_int64(0, 0);
    event_id_ = insert_event("k1");
  }

  Result<PgResult, StoreError> exec(std::string_view sql, std::initializer_list<PgParam> p = {}) {
    return conn_->exec(sql, p);
  }

  std::int64_t insert_event(const std::string& dedup) {
    const std::uint8_t ber[] = {0x61, 0x00};
    auto ev = exec("INSERT INTO events (transaction_id, seq, direction, peer_symbol, apdu_kind, "
                   "accepted, raw_ber, dedup_key) VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 "
                   "FROM events WHERE transaction_id = $1), 'in', 'IRL:BOR', 1, true, $2, $3) "
                   "RETURNING id",
                   {transaction_id_, Bytea{ber}, Bytea{{reinterpret_cast<const std::uint8_t*>(
                                                            dedup.data()),
                                                        dedup.size()}}});
    EXPECT_TRUE(ev) << ev.error().describe();
    return ev ? *ev->get_int64(0, 0) : 0;
  }

  std::optional<PgConnection> conn_;
  std::int64_t transaction_id_ = 0;
  std::int64_t event_id_ = 0;
};

TEST_F(CoreSchema, EventsRefuseUpdateDeleteAndTruncate) {
  auto updated = exec("UPDATE events SET accepted = false WHERE id = $1", {event_id_});
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().kind, Kind::kConstraint);
  EXPECT_NE(updated.error().message.find("append-only"), std::string::npos);
  auto deleted = exec("DELETE FROM events WHERE id = $1", {event_id_});
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().kind, Kind::kConstraint);
  EXPECT_FALSE(exec("TRUNCATE events CASCADE"));
  EXPECT_EQ(exec("SELECT count(*) FROM events")->get_int64(0, 0), 1);
}

TEST_F(CoreSchema, EventsRecordTheWritingTransactionForCommitOrderReading) {
  auto r = exec("SELECT xid <> '0'::xid8, received_at IS NOT NULL FROM events WHERE id = $1",
                {event_id_});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->get(0, 0), "t");
  EXPECT_EQ(r->get(0, 1), "t");
}

TEST_F(CoreSchema, DuplicateDedupKeyInATransactionIsUniqueViolation) {
  const std::uint8_t ber[] = {0x61, 0x00};
  const std::uint8_t key[] = {'k', '1'};
  auto dup = exec("INSERT INTO events (transaction_id, direction, apdu_kind, accepted, raw_ber, "
                  "dedup_key) VALUES ($1, 'in', 1, true, $2, $3)",
                  {transaction_id_, Bytea{ber}, Bytea{key}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, Kind::kUniqueViolation);
}

TEST_F(CoreSchema, SameFourPartTransactionIdTwiceIsUniqueViolation) {
  auto dup = exec("INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
                  "requester_symbol, responder_symbol) VALUES ($1, $2, $3, $4, $5)",
                  {"IRL:BOR", "g", "q1", "IRL:BOR", "IRL:LEN"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, Kind::kUniqueViolation);
  auto other_sub = exec("INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
                        "sub_qualifier, requester_symbol, responder_symbol) "
                        "VALUES ($1, $2, $3, $4, $5, $6)",
                        {"IRL:BOR", "g", "q1", "s1", "IRL:BOR", "IRL:LEN"});
  EXPECT_TRUE(other_sub) << other_sub.error().describe();
}

TEST_F(CoreSchema, LedgerAcceptsABalancedPostingSet) {
  auto tx = Transaction::begin(*conn_);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->exec("INSERT INTO ledger_postings (event_id, account, counter_account, amount, "
                       "currency, kind) VALUES ($1, $2, $3, $4, 'EUR', 'loan-charge'), "
                       "($1, $3, $2, $5, 'EUR', 'loan-charge'), "
                       "($1, $2, $3, '1.5', 'USD', 'subsidy'), ($1, $3, $2, '-1.5', 'USD', 'subsidy')",
                       {event_id_, "library:IRL:BOR:payable", "library:IRL:LEN:receivable",
                        "-12.3400", "12.34"}));
  auto committed = tx->commit();
  ASSERT_TRUE(committed) << committed.error().describe();
  EXPECT_EQ(exec("SELECT count(*) FROM ledger_postings")->get_int64(0, 0), 4);
}

TEST_F(CoreSchema, LedgerRefusesAnUnbalancedPostingSetAtCommit) {
  auto tx = Transaction::begin(*conn_);
  ASSERT_TRUE(tx);
  // Accepted statement by statement (the check is deferred) ...
  ASSERT_TRUE(tx->exec("INSERT INTO ledger_postings (event_id, account, counter_account, amount, "
                       "currency, kind) VALUES ($1, 'a', 'b', '10', 'EUR', 'loan-charge'), "
                       "($1, 'b', 'a', '-9.99', 'EUR', 'loan-charge')",
                       {event_id_}));
  // ... refused as a whole at COMMIT.
  auto committed = tx->commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, Kind::kConstraint);
  EXPECT_EQ(committed.error().sqlstate, "23514");
  EXPECT_NE(committed.error().message.find("do not balance"), std::string::npos);
  EXPECT_EQ(exec("SELECT count(*) FROM ledger_postings")->get_int64(0, 0), 0);
}

TEST_F(CoreSchema, LedgerChecksEachCurrencyOnItsOwn) {
  auto tx = Transaction::begin(*conn_);
  ASSERT_TRUE(tx);
  // Sums to zero overall, but not per currency.
  ASSERT_TRUE(tx->exec("INSERT INTO ledger_postings (event_id, account, counter_account, amount, "
                       "currency, kind) VALUES ($1, 'a', 'b', '5', 'EUR', 'x'), "
                       "($1, 'b', 'a', '-5', 'USD', 'x')",
                       {event_id_}));
  auto committed = tx->commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().kind, Kind::kConstraint);
}

TEST_F(CoreSchema, OutboxRowsStartPendingAndDue) {
  const std::uint8_t apdu[] = {0x61, 0x00};
  ASSERT_TRUE(exec("INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu) "
                   "VALUES ($1, $2, 'IRL:LEN', $3)",
                   {event_id_, transaction_id_, Bytea{apdu}}));
  auto due = exec("SELECT status, attempts, next_attempt_at <= now() FROM outbox "
                  "WHERE recipient_symbol = $1 AND status = 'pending'",
                  {"IRL:LEN"});
  ASSERT_TRUE(due) << due.error().describe();
  ASSERT_EQ(due->rows(), 1);
  EXPECT_EQ(due->get(0, 0), "pending");
  EXPECT_EQ(due->get_int64(0, 1), 0);
  EXPECT_EQ(due->get(0, 2), "t");
  auto unknown = exec("INSERT INTO outbox (event_id, recipient_symbol, apdu) VALUES ($1, 'NOPE', $2)",
                      {event_id_, Bytea{apdu}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, Kind::kConstraint);  // foreign key to peers
}

TEST_F(CoreSchema, StatesOutsideIso10161AreRefused) {
  auto bad = exec("UPDATE transactions SET requester_state = 19 WHERE id = $1", {transaction_id_});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, Kind::kConstraint);
  auto good = exec("UPDATE transactions SET requester_state = 18, version = version + 1 "
                   "WHERE id = $1 AND version = 0 RETURNING version",
                   {transaction_id_});
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(good->affected_rows(), 1);
}

}  // namespace
}  // namespace illhub::store
