// Group commit (TransactionStore::apply_batch, docs/NET.md "Group commit") against a real
// PostgreSQL: APDUs of one batch are decided as apply() decides them, written under one COMMIT
// (their rows share one xmin), see each other's writes in order, and a batch that fails for
// any reason leaves nothing half-written: every APDU is then applied alone. Both ways of
// running a batch: in pipelines, and one statement at a time.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "illhub/store/connection_pool.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/golden_apdu.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using codec::ApduKind;
using hub::Outcome;

constexpr const char* kBorrower = "IRL:BOR";
constexpr const char* kLender = "IRL:LEN";

/// Each test runs twice: batches read and written in pipelines (the default), and one
/// statement at a time.
class GroupCommitTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    test::LoanDatabase db = test::fresh_loan_database();
    conninfo_ = std::move(db.conninfo);
    conn_.emplace(std::move(db.conn));
    pool_.emplace(PoolOptions{conninfo_, 4});
    store_.emplace(*pool_, hub::LedgerPolicy{});
    store_->set_pipelined(GetParam());
  }

  /// Applies `apdus` (with their senders) as one batch; the APDUs live in `held_`.
  std::vector<Result<ApplyResult, StoreError>> batch(std::vector<std::pair<codec::Apdu, const char*>> apdus) {
    std::vector<BatchItem> items;
    held_.clear();
    for (auto& [apdu, sender] : apdus) held_.push_back(std::move(apdu));
    for (std::size_t i = 0; i < held_.size(); ++i) items.push_back(BatchItem{&held_[i], apdus[i].second});
    return store_->apply_batch(items);
  }

  std::int64_t count(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() == 1 ? r->get_int64(0, 0).value_or(-1) : -1;
  }

  /// How many COMMITs wrote the events `results` name: distinct xmin of their rows.
  std::int64_t commits_of(const std::vector<Result<ApplyResult, StoreError>>& results) {
    std::string ids;
    for (const auto& r : results)
      if (r && r->event_id) ids += (ids.empty() ? "" : ",") + std::to_string(r->event_id);
    return count("SELECT count(DISTINCT xmin::text) FROM events WHERE id IN (" + ids + ")");
  }

  static codec::Apdu request(const std::string& qualifier) {
    return test::golden_apdu(ApduKind::kIllRequest, qualifier, "100001");
  }

  std::string conninfo_;
  std::optional<PgConnection> conn_;
  std::optional<ConnectionPool> pool_;
  std::optional<TransactionStore> store_;
  std::vector<codec::Apdu> held_;
};

TEST_P(GroupCommitTest, ApdusOfOneBatchShareOneCommit) {
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  for (int i = 0; i < 6; ++i) apdus.emplace_back(request("GC" + std::to_string(i)), kBorrower);
  const auto results = batch(std::move(apdus));
  ASSERT_EQ(results.size(), 6u);
  std::set<std::int64_t> events, outbox;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->outcome, Outcome::kAccepted) << r->decision.reason;
    EXPECT_EQ(r->decision.recipient_symbol, kLender);
    events.insert(r->event_id);
    outbox.insert(r->outbox_id);
  }
  EXPECT_EQ(events.size(), 6u);
  EXPECT_EQ(outbox.size(), 6u);
  EXPECT_EQ(commits_of(results), 1);
  EXPECT_EQ(count("SELECT count(*) FROM transactions"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 6);
}

TEST_P(GroupCommitTest, ResultsComeBackInTheOrderGiven) {
  // Given out of key order: the batch writes in key order, the results follow the input.
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  for (const char* q : {"ORD-C", "ORD-A", "ORD-B"}) apdus.emplace_back(request(q), kBorrower);
  const auto results = batch(std::move(apdus));
  ASSERT_EQ(results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i]);
    auto q = conn_->exec("SELECT qualifier FROM transactions WHERE id = $1", {results[i]->transaction_id});
    ASSERT_TRUE(q && q->rows() == 1);
    EXPECT_EQ(q->get(0, 0), std::string("ORD-") + "CAB"[i]);
  }
}

TEST_P(GroupCommitTest, AnApduIsDecidedOnWhatTheOnesBeforeItInTheBatchWrote) {
  // The request and the lender's answer to it, in one batch: the answer meets the request's state.
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  apdus.emplace_back(request("SEQ"), kBorrower);
  apdus.emplace_back(test::golden_apdu(ApduKind::kIllAnswer, "SEQ", "100002"), kLender);
  const auto results = batch(std::move(apdus));
  ASSERT_TRUE(results[0] && results[1]);
  EXPECT_EQ(results[0]->outcome, Outcome::kAccepted);
  EXPECT_EQ(results[1]->outcome, Outcome::kAccepted) << results[1]->decision.reason;
  EXPECT_EQ(results[0]->transaction_id, results[1]->transaction_id);
  EXPECT_EQ(commits_of(results), 1);
  EXPECT_EQ(count("SELECT version FROM transactions"), 2);
}

TEST_P(GroupCommitTest, ARefusalAndADuplicateInABatchAreDecidedAsAlone) {
  auto first = store_->apply(request("OLD"), kBorrower);
  ASSERT_TRUE(first && first->outcome == Outcome::kAccepted);
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  apdus.emplace_back(test::golden_apdu(ApduKind::kReturned, "OLD", "100002"), kBorrower);  // before Shipped
  apdus.emplace_back(request("NEW"), kBorrower);
  apdus.emplace_back(request("NEW"), kBorrower);  // the same APDU twice
  const auto results = batch(std::move(apdus));
  ASSERT_TRUE(results[0] && results[1] && results[2]);
  EXPECT_EQ(results[0]->outcome, Outcome::kRefused);
  ASSERT_TRUE(results[0]->decision.refusal);
  EXPECT_TRUE(std::holds_alternative<codec::StateTransitionProhibited>(results[0]->decision.refusal->problem));
  EXPECT_EQ(results[1]->outcome, Outcome::kAccepted);
  EXPECT_EQ(results[2]->outcome, Outcome::kDuplicate);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE NOT accepted"), 1);  // the refusal is on record
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);                     // the first request and NEW, once
  EXPECT_EQ(commits_of({results[0], results[1]}), 1);
}

TEST_P(GroupCommitTest, AFailingApduCostsTheOthersOnlyASecondTry) {
  // A trigger refuses one APDU's event: the batch rolls back and each APDU is applied alone,
  // so the others are accepted (each in its own COMMIT) and the bad one fails with the reason.
  ASSERT_TRUE(conn_->exec(R"sql(
CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.transaction_id IN (SELECT id FROM transactions WHERE qualifier = 'BAD') THEN
    RAISE EXCEPTION 'test refuses transaction BAD';
  END IF;
  RETURN NEW;
END $$)sql"));
  ASSERT_TRUE(conn_->exec("CREATE TRIGGER test_refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_refuse()"));
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  for (const char* q : {"GOOD1", "BAD", "GOOD2"}) apdus.emplace_back(request(q), kBorrower);
  const auto results = batch(std::move(apdus));
  ASSERT_TRUE(results[0]) << results[0].error().describe();
  ASSERT_TRUE(results[2]) << results[2].error().describe();
  EXPECT_EQ(results[0]->outcome, Outcome::kAccepted);
  EXPECT_EQ(results[2]->outcome, Outcome::kAccepted);
  ASSERT_FALSE(results[1]);
  EXPECT_NE(results[1].error().message.find("test refuses transaction BAD"), std::string::npos)
      << results[1].error().describe();
  EXPECT_EQ(commits_of({results[0], results[2]}), 2);  // applied one at a time
  EXPECT_EQ(count("SELECT count(*) FROM transactions WHERE qualifier = 'BAD'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
}

TEST_P(GroupCommitTest, AConnectionLostMidBatchLosesNothingAndAppliesNothingTwice) {
  // The server process of the batch's connection ends while the batch is half-written (the
  // second event's insert kills it; a sequence, which no rollback undoes, makes it once):
  // nothing of the batch stands, and every APDU is then applied alone on a fresh connection.
  ASSERT_TRUE(conn_->exec("CREATE SEQUENCE test_kill_seq"));
  ASSERT_TRUE(conn_->exec(R"sql(
CREATE FUNCTION test_kill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM events) >= 1 THEN
    IF nextval('test_kill_seq') = 1 THEN
      PERFORM pg_terminate_backend(pg_backend_pid());
    END IF;
  END IF;
  RETURN NEW;
END $$)sql"));
  ASSERT_TRUE(conn_->exec("CREATE TRIGGER test_kill BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_kill()"));
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  for (const char* q : {"LOST1", "LOST2", "LOST3"}) apdus.emplace_back(request(q), kBorrower);
  const auto results = batch(std::move(apdus));
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->outcome, Outcome::kAccepted);
  }
  // 1: the batch's second event (killed); 2, 3: LOST2 and LOST3 applied alone (not killed).
  EXPECT_EQ(count("SELECT last_value FROM test_kill_seq"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM transactions"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 3);
}

TEST_P(GroupCommitTest, AfterALostCommitTheBornClaimedRowIsFoundAgain) {
  // A batch whose COMMIT answer was lost is applied again one APDU at a time with
  // maybe_committed: an APDU found applied is a duplicate, and the row its COMMIT birthed
  // claimed for this node comes back to be handed over (nothing else would deliver it).
  store_->set_birth_claims(BirthClaims{"node-here", std::chrono::seconds(60), [](const std::string&) { return true; }});
  std::vector<std::pair<codec::Apdu, const char*>> apdus;
  for (const char* q : {"LC1", "LC2"}) apdus.emplace_back(request(q), kBorrower);
  const auto results = batch(std::move(apdus));
  ASSERT_TRUE(results[0] && results[1]);
  ASSERT_TRUE(results[0]->born_claimed);
  ASSERT_TRUE(results[1]->born_claimed);
  EXPECT_EQ(commits_of(results), 1);

  auto again = store_->apply(request("LC1"), kBorrower, /*maybe_committed=*/true);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->outcome, Outcome::kDuplicate);
  EXPECT_TRUE(again->born_claimed);
  EXPECT_EQ(again->outbox_id, results[0]->outbox_id);
  // Without the hint a duplicate is someone's retry: its row is not handed again.
  auto retry = store_->apply(request("LC2"), kBorrower);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->outcome, Outcome::kDuplicate);
  EXPECT_FALSE(retry->born_claimed);
  EXPECT_EQ(retry->outbox_id, 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
}

INSTANTIATE_TEST_SUITE_P(Batches, GroupCommitTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "pipelined" : "one_statement_at_a_time";
                         });

}  // namespace
}  // namespace illhub::store
