// TransactionStore against a real PostgreSQL: whole lifecycles, refusals, duplicates, races,
// atomicity and lost connections. APDUs are YAZ-encoded golden vectors (tests/data/apdu),
// re-keyed per test so transactions do not collide.
#include "illhub/store/transaction_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"
#include "support/golden_apdu.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using codec::ApduKind;
using hub::Outcome;

constexpr const char* kBorrower = "IRL:BOR";
constexpr const char* kLender = "IRL:LEN";

codec::Apdu sample(ApduKind kind, const std::string& qualifier, const std::string& time) {
  return test::golden_apdu(kind, qualifier, time);
}

class TransactionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::LoanDatabase db = test::fresh_loan_database();
    conninfo_ = std::move(db.conninfo);
    conn_.emplace(std::move(db.conn));
    ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES ('IRL:AAA', 'Another', 'connection')"));
    pool_.emplace(PoolOptions{conninfo_, 8});
    store_.emplace(*pool_, hub::LedgerPolicy{});
  }

  ApplyResult apply(const codec::Apdu& apdu, const char* sender) {
    auto r = store_->apply(apdu, sender);
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    return r ? std::move(*r) : ApplyResult{};
  }

  std::int64_t count(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r ? r->get_int64(0, 0).value_or(-1) : -1;
  }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql;
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  std::string conninfo_;
  std::optional<PgConnection> conn_;
  std::optional<ConnectionPool> pool_;
  std::optional<TransactionStore> store_;
};

TEST_F(TransactionStoreTest, AppliesAWholeLoanAndRelaysEveryApduUnchanged) {
  const std::vector<std::pair<ApduKind, const char*>> steps = {
      {ApduKind::kIllRequest, kBorrower}, {ApduKind::kIllAnswer, kLender},
      {ApduKind::kShipped, kLender},      {ApduKind::kReceived, kBorrower},
      {ApduKind::kReturned, kBorrower},   {ApduKind::kCheckedIn, kLender}};
  int n = 0;
  for (const auto& [kind, sender] : steps) {
    const codec::Apdu apdu = sample(kind, "LOAN1", "1000" + std::to_string(10 + n++));
    const ApplyResult r = apply(apdu, sender);
    ASSERT_EQ(r.outcome, Outcome::kAccepted) << codec::to_string(kind) << ": " << r.decision.reason;
    ASSERT_GT(r.outbox_id, 0);
    // The outbox holds the sender's bytes, addressed to the other party.
    auto row = conn_->exec("SELECT recipient_symbol, apdu FROM outbox WHERE id = $1", {r.outbox_id});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->get(0, 0), sender == std::string(kBorrower) ? kLender : kBorrower);
    const auto relayed = row->get_bytea(0, 1);
    EXPECT_TRUE(std::equal(relayed.begin(), relayed.end(), apdu.bytes().begin(), apdu.bytes().end()));
  }
  EXPECT_EQ(text("SELECT requester_state || '/' || responder_state FROM transactions"), "15/15");  // CHECKED-IN
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE accepted"), 6);
  EXPECT_EQ(count("SELECT max(seq) FROM events"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 6);
  // The Shipped's cost (EUR 7.50) is owed by the borrower to the lender; the item came back.
  EXPECT_EQ(text("SELECT sum(amount)::text FROM ledger_postings WHERE account = 'library:IRL:LEN' AND currency = 'EUR'"), "7.5000");
  EXPECT_EQ(text("SELECT coalesce(sum(amount), 0)::text FROM ledger_postings WHERE account = 'library:IRL:BOR' AND currency = 'ITM'"), "0.0000");
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT currency FROM ledger_postings GROUP BY currency HAVING sum(amount) <> 0) x"), 0);
}

TEST_F(TransactionStoreTest, RefusesReturnedBeforeShippedAndRecordsTheRefusal) {
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "EARLY", "100001"), kBorrower).outcome, Outcome::kAccepted);
  const ApplyResult r = apply(sample(ApduKind::kReturned, "EARLY", "100002"), kBorrower);
  ASSERT_EQ(r.outcome, Outcome::kRefused);
  ASSERT_TRUE(r.decision.refusal);
  const auto& p = std::get<codec::StateTransitionProhibited>(r.decision.refusal->problem);
  EXPECT_EQ(p.apdu_type, ApduKind::kReturned);
  EXPECT_EQ(p.current_state, 2);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE NOT accepted AND reason <> '' AND transaction_id IS NOT NULL"), 1);
  EXPECT_EQ(text("SELECT requester_state || '/' || responder_state FROM transactions"), "2/3");
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);  // only the request
}

TEST_F(TransactionStoreTest, RefusesARequestToALibraryThatIsNotRegistered) {
  codec::Apdu apdu = sample(ApduKind::kIllRequest, "NOPE", "100001");
  codec::asn1::set_text(apdu.raw().choice.ill_request.responder_id->person_or_institution_symbol->choice.institution_symbol.choice.generalstring, "IRL:ZZZ");
  auto reencoded = codec::decode(*codec::encode(apdu));
  const ApplyResult r = apply(*reencoded, kBorrower);
  ASSERT_EQ(r.outcome, Outcome::kRefused);
  EXPECT_EQ(count("SELECT count(*) FROM transactions"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE NOT accepted AND transaction_id IS NULL"), 1);
}

TEST_F(TransactionStoreTest, APeersLenientProfileRelaxesItsTransactions) {
  // Strict ISO: Received before Shipped is refused.
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "STRICT", "100001"), kBorrower).outcome, Outcome::kAccepted);
  ASSERT_EQ(apply(sample(ApduKind::kIllAnswer, "STRICT", "100002"), kLender).outcome, Outcome::kAccepted);
  EXPECT_EQ(apply(sample(ApduKind::kReceived, "STRICT", "100003"), kBorrower).outcome, Outcome::kRefused);
  // The borrower's system is registered with the profile that allows it.
  ASSERT_TRUE(conn_->exec("UPDATE peers SET profile = 'received-before-shipped' WHERE symbol = 'IRL:BOR'"));
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "LENIENT", "100001"), kBorrower).outcome, Outcome::kAccepted);
  ASSERT_EQ(apply(sample(ApduKind::kIllAnswer, "LENIENT", "100002"), kLender).outcome, Outcome::kAccepted);
  EXPECT_EQ(apply(sample(ApduKind::kReceived, "LENIENT", "100003"), kBorrower).outcome, Outcome::kAccepted);
}

TEST_F(TransactionStoreTest, TheSameApduTwiceIsAppliedOnce) {
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "TWICE", "100001"), kBorrower).outcome, Outcome::kAccepted);
  const codec::Apdu shipped = sample(ApduKind::kShipped, "TWICE", "100002");
  ASSERT_EQ(apply(shipped, kLender).outcome, Outcome::kAccepted);
  const ApplyResult again = apply(shipped, kLender);
  EXPECT_EQ(again.outcome, Outcome::kDuplicate);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM ledger_postings WHERE kind = 'charge'"), 2);  // one transfer
}

TEST_F(TransactionStoreTest, AnOlderApduSentAgainIsStillRecognised) {
  const codec::Apdu request = sample(ApduKind::kIllRequest, "OLD", "100001");
  ASSERT_EQ(apply(request, kBorrower).outcome, Outcome::kAccepted);
  ASSERT_EQ(apply(sample(ApduKind::kIllAnswer, "OLD", "100002"), kLender).outcome, Outcome::kAccepted);
  // The request again, after the answer: not the last applied, so the tables see a second
  // ILL-Request; the hub recognises it as the one it applied, records nothing, reports nothing.
  const ApplyResult r = apply(request, kBorrower);
  EXPECT_EQ(r.outcome, Outcome::kDuplicate);
  EXPECT_FALSE(r.decision.refusal);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
  // A different request with the same transaction id is a real error.
  const ApplyResult other = apply(sample(ApduKind::kIllRequest, "OLD", "100003"), kBorrower);
  ASSERT_EQ(other.outcome, Outcome::kRefused);
  EXPECT_EQ(std::get<codec::TransactionIdProblem>(other.decision.refusal->problem),
            codec::TransactionIdProblem::kDuplicate);
}

TEST_F(TransactionStoreTest, TwoThreadsApplyingTheSameRequestRecordItOnce) {
  for (int round = 0; round < 20; ++round) {
    const codec::Apdu request = sample(ApduKind::kIllRequest, "RACE" + std::to_string(round), "100001");
    ApplyResult a, b;
    std::thread t1([&] { a = apply(request, kBorrower); });
    std::thread t2([&] { b = apply(request, kBorrower); });
    t1.join();
    t2.join();
    const int accepted = (a.outcome == Outcome::kAccepted) + (b.outcome == Outcome::kAccepted);
    EXPECT_EQ(accepted, 1) << "round " << round;
    EXPECT_NE(a.outcome, Outcome::kRefused);
    EXPECT_NE(b.outcome, Outcome::kRefused);
  }
  EXPECT_EQ(count("SELECT count(*) FROM transactions"), 20);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 20);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 20);
}

TEST_F(TransactionStoreTest, TwoDifferentApdusRacingEndInAStateTheTablesAllow) {
  for (int round = 0; round < 20; ++round) {
    const std::string q = "CROSS" + std::to_string(round);
    ASSERT_EQ(apply(sample(ApduKind::kIllRequest, q, "100001"), kBorrower).outcome, Outcome::kAccepted);
    // The borrower cancels while the lender ships: both orders are legal and end differently.
    const codec::Apdu cancel = sample(ApduKind::kCancel, q, "100002");
    const codec::Apdu shipped = sample(ApduKind::kShipped, q, "100003");
    ApplyResult a, b;
    std::thread t1([&] { a = apply(cancel, kBorrower); });
    std::thread t2([&] { b = apply(shipped, kLender); });
    t1.join();
    t2.join();
    EXPECT_EQ(a.outcome, Outcome::kAccepted) << a.decision.reason;
    EXPECT_EQ(b.outcome, Outcome::kAccepted) << b.decision.reason;
    auto row = conn_->exec("SELECT requester_state, responder_state, version FROM transactions WHERE qualifier = $1", {q});
    ASSERT_TRUE(row);
    // Cancel then Shipped, or Shipped then Cancel: SHIPPED on both sides either way
    // (a Shipped crossing a Cancel wins; the item is on its way).
    EXPECT_EQ(row->get(0, 0), "8") << q;
    EXPECT_EQ(row->get(0, 1), "8") << q;
    EXPECT_EQ(row->get(0, 2), "3") << q;
  }
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT transaction_id, seq FROM events GROUP BY 1, 2 HAVING count(*) > 1) x"), 0);
}

TEST_F(TransactionStoreTest, AFailingWriteLeavesNothingBehind) {
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "ATOMIC", "100001"), kBorrower).outcome, Outcome::kAccepted);
  // Make the last part of the write (the outbox row) fail.
  ASSERT_TRUE(conn_->exec_script(
      "CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'injected' USING ERRCODE = 'raise_exception'; END; $$; "
      "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox();"));
  auto r = store_->apply(sample(ApduKind::kShipped, "ATOMIC", "100002"), kLender);
  ASSERT_FALSE(r);
  EXPECT_EQ(text("SELECT requester_state || '/' || responder_state || '/' || version FROM transactions"), "2/3/1");
  EXPECT_EQ(count("SELECT count(*) FROM events"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM ledger_postings"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 1);
  ASSERT_TRUE(conn_->exec_script("DROP TRIGGER fail_outbox ON outbox;"));
  EXPECT_EQ(apply(sample(ApduKind::kShipped, "ATOMIC", "100002"), kLender).outcome, Outcome::kAccepted);
}

TEST_F(TransactionStoreTest, SurvivesItsConnectionsBeingKilled) {
  ASSERT_EQ(apply(sample(ApduKind::kIllRequest, "KILL", "100001"), kBorrower).outcome, Outcome::kAccepted);
  ASSERT_TRUE(conn_->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  const ApplyResult r = apply(sample(ApduKind::kIllAnswer, "KILL", "100002"), kLender);
  EXPECT_EQ(r.outcome, Outcome::kAccepted);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 2);
}

TEST_F(TransactionStoreTest, RandomLifecyclesKeepEveryCurrencyBalanced) {
  std::mt19937 rng(7);
  const std::vector<std::pair<ApduKind, const char*>> moves = {
      {ApduKind::kIllAnswer, kLender},  {ApduKind::kShipped, kLender},   {ApduKind::kReceived, kBorrower},
      {ApduKind::kRenew, kBorrower},    {ApduKind::kRenewAnswer, kLender}, {ApduKind::kOverdue, kLender},
      {ApduKind::kReturned, kBorrower}, {ApduKind::kCheckedIn, kLender}, {ApduKind::kLost, kBorrower},
      {ApduKind::kDamaged, kLender},    {ApduKind::kCancel, kBorrower},  {ApduKind::kCancelReply, kLender},
      {ApduKind::kRecall, kLender},     {ApduKind::kMessage, kBorrower}};
  std::int64_t accepted_shipped = 0;
  for (int t = 0; t < 30; ++t) {
    const std::string q = "WALK" + std::to_string(t);
    ASSERT_EQ(apply(sample(ApduKind::kIllRequest, q, "090000"), kBorrower).outcome, Outcome::kAccepted);
    for (int step = 1; step < 15; ++step) {
      const auto& [kind, sender] = moves[std::uniform_int_distribution<std::size_t>(0, moves.size() - 1)(rng)];
      const ApplyResult r = apply(sample(kind, q, std::to_string(100000 + step)), sender);
      if (r.outcome == Outcome::kAccepted && kind == ApduKind::kShipped) ++accepted_shipped;
    }
  }
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT currency FROM ledger_postings GROUP BY currency HAVING sum(amount) <> 0) x"), 0);
  // Recomputed from the events alone: every accepted Shipped charged its EUR 7.50 once.
  EXPECT_EQ(text("SELECT coalesce(sum(amount), 0)::text FROM ledger_postings WHERE kind = 'charge' AND account = 'library:IRL:LEN'"),
            hub::to_decimal_string(accepted_shipped * 75000));
  EXPECT_EQ(count("SELECT count(*) FROM events e WHERE accepted AND apdu_kind = 3"), accepted_shipped);
  // Items: the borrower holds exactly the loans whose states say it does.
  EXPECT_EQ(count("SELECT coalesce(sum(amount), 0)::bigint FROM ledger_postings WHERE account = 'library:IRL:BOR' AND currency = 'ITM'"),
            count("SELECT count(*) FROM transactions WHERE requester_state IN (8, 9, 10, 11, 12, 13, 16) AND is_loan IS NOT false"));
}

}  // namespace
}  // namespace illhub::store
