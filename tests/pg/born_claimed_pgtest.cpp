// Outbox rows born claimed (store::BirthClaims, docs/NET.md "Delivery") against a real
// PostgreSQL: the write statement births the row leased to this node, without a NOTIFY, only
// when the recipient is connected here and the transaction has no other pending row for that
// recipient; otherwise the row is written pending with a NOTIFY, as before. The claim path
// (net::OutboxStore) then keeps order behind a born-claimed row, and takes it over when its
// node is gone.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "illhub/net/outbox_listener.hpp"
#include "illhub/net/outbox_store.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/golden_apdu.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using codec::ApduKind;
using hub::Outcome;
using namespace std::chrono_literals;

constexpr const char* kBorrower = "IRL:BOR";
constexpr const char* kLender = "IRL:LEN";
constexpr const char* kNode = "node-here";

class BornClaimedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::LoanDatabase db = test::fresh_loan_database();
    conninfo_ = std::move(db.conninfo);
    conn_.emplace(std::move(db.conn));
    pool_.emplace(PoolOptions{conninfo_, 4});
    store_.emplace(*pool_, hub::LedgerPolicy{});
    // Both libraries connected here unless a test says otherwise.
    store_->set_birth_claims(BirthClaims{kNode, 60s, [this](const std::string& r) { return connected_.contains(r); }});
  }

  ApplyResult apply(ApduKind kind, const std::string& qualifier, const std::string& time, const char* sender) {
    auto r = store_->apply(test::golden_apdu(kind, qualifier, time), sender);
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    if (!r) return ApplyResult{};
    EXPECT_EQ(r->outcome, Outcome::kAccepted) << codec::to_string(kind) << ": " << r->decision.reason;
    return std::move(*r);
  }

  /// "claimed_by|born|lease" of outbox row `id`: born = claimed_at equals created_at (claimed
  /// in its own transaction); lease = next_attempt_at is about now + 60 s ("60") or due ("0").
  std::string claim_of(std::int64_t id) {
    auto r = conn_->exec(
        "SELECT coalesce(claimed_by, '-') || '|' || (claimed_at IS NOT DISTINCT FROM created_at)::text || '|' || "
        "round(extract(epoch FROM next_attempt_at - created_at))::text FROM outbox WHERE id = $1",
        {id});
    return r && r->rows() == 1 ? std::string(r->get(0, 0)) : "?";
  }

  std::string status_of(std::int64_t id) {
    auto r = conn_->exec("SELECT status FROM outbox WHERE id = $1", {id});
    return r && r->rows() == 1 ? std::string(r->get(0, 0)) : "?";
  }

  /// The recipients NOTIFYed while `act` ran, read through a real LISTEN connection that counts
  /// every notification (none is skipped as its own node's).
  template <typename Act>
  std::vector<std::string> notified_during(Act act) {
    boost::asio::io_context io;
    std::vector<std::string> woken;
    net::OutboxListener listener(io.get_executor(), conninfo_, "test", [&](const std::string& r) { woken.push_back(r); },
                                 [] {}, [](int) { return false; });
    boost::asio::co_spawn(io, listener.run(), boost::asio::detached);
    bool listening = false;
    for (int i = 0; i < 500 && !listening; ++i) {
      io.run_for(10ms);
      auto r = conn_->exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'illd-node-test' "
                           "AND query = 'LISTEN illhub_outbox'");
      listening = r && r->get(0, 0) == "1";
    }
    EXPECT_TRUE(listening);
    act();
    // Notifications arrive in commit order: once the marker is in, the act's were read.
    EXPECT_TRUE(conn_->exec("SELECT pg_notify('illhub_outbox', 'MARKER')"));
    for (int i = 0; i < 500 && (woken.empty() || woken.back() != "MARKER"); ++i) io.run_for(10ms);
    listener.stop();
    io.run_for(50ms);
    EXPECT_FALSE(woken.empty());
    if (!woken.empty() && woken.back() == "MARKER") woken.pop_back();
    return woken;
  }

  std::string conninfo_;
  std::optional<PgConnection> conn_;
  std::optional<ConnectionPool> pool_;
  std::optional<TransactionStore> store_;
  std::set<std::string> connected_{kBorrower, kLender};
};

TEST_F(BornClaimedTest, RowForARecipientConnectedHereIsBornClaimedWithoutNotify) {
  ApplyResult r;
  const auto notified = notified_during([&] { r = apply(ApduKind::kIllRequest, "BORN1", "100001", kBorrower); });
  EXPECT_TRUE(r.born_claimed);
  ASSERT_GT(r.outbox_id, 0);
  EXPECT_EQ(claim_of(r.outbox_id), std::string(kNode) + "|true|60");  // as the claim leaves a claimed row
  EXPECT_EQ(status_of(r.outbox_id), "pending");
  EXPECT_TRUE(notified.empty()) << notified.front();
  // Nothing else claims it while this node lives: the claim path finds nothing due.
  net::OutboxStore other(*pool_, net::DeliveryOptions{}, "node-other");
  auto claimed = other.claim(kLender);
  ASSERT_TRUE(claimed) << claimed.error().describe();
  EXPECT_TRUE(claimed->empty());
}

TEST_F(BornClaimedTest, RowForARecipientNotConnectedHereIsPendingAndNotified) {
  connected_.erase(kLender);
  ApplyResult r;
  const auto notified = notified_during([&] { r = apply(ApduKind::kIllRequest, "AWAY1", "100001", kBorrower); });
  EXPECT_FALSE(r.born_claimed);
  EXPECT_EQ(claim_of(r.outbox_id), "-|false|0");  // pending, due at once, nobody's
  EXPECT_EQ(notified, std::vector<std::string>{kLender});
}

TEST_F(BornClaimedTest, WithoutBirthClaimsEveryRowIsPendingAndNotified) {
  store_->set_birth_claims(std::nullopt);
  ApplyResult r;
  const auto notified = notified_during([&] { r = apply(ApduKind::kIllRequest, "OFF1", "100001", kBorrower); });
  EXPECT_FALSE(r.born_claimed);
  EXPECT_EQ(claim_of(r.outbox_id), "-|false|0");
  EXPECT_EQ(notified, std::vector<std::string>{kLender});
}

TEST_F(BornClaimedTest, AnOlderUndeliveredRowForTheSameRecipientKeepsTheNextOnTheOldPathAndInOrder) {
  apply(ApduKind::kIllRequest, "ORDER1", "100001", kBorrower);
  // The answer is born claimed (nothing pending for the borrower) and not yet marked delivered.
  const ApplyResult answer = apply(ApduKind::kIllAnswer, "ORDER1", "100002", kLender);
  ASSERT_TRUE(answer.born_claimed);
  // Shipped, to the borrower too: the answer is still pending, so the SQL refuses to birth it.
  ApplyResult shipped;
  const auto notified = notified_during([&] { shipped = apply(ApduKind::kShipped, "ORDER1", "100003", kLender); });
  EXPECT_FALSE(shipped.born_claimed);
  EXPECT_EQ(claim_of(shipped.outbox_id), "-|false|0");
  EXPECT_EQ(notified, std::vector<std::string>{kBorrower});
  // The claim path does not let Shipped overtake the leased answer...
  net::OutboxStore outbox(*pool_, net::DeliveryOptions{}, kNode);
  auto before = outbox.claim(kBorrower);
  ASSERT_TRUE(before) << before.error().describe();
  EXPECT_TRUE(before->empty());
  // ... and takes it once the answer is marked delivered.
  ASSERT_TRUE(outbox.mark_delivered({answer.outbox_id}));
  auto after = outbox.claim(kBorrower);
  ASSERT_TRUE(after) << after.error().describe();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().id, shipped.outbox_id);
}

TEST_F(BornClaimedTest, AnUndeliveredRowForTheOtherPartyDoesNotStopTheBirth) {
  // The request to the lender stays pending (unmarked); the answer goes to the borrower, who
  // cannot see the order of the two: each recipient's own order is what is kept.
  const ApplyResult request = apply(ApduKind::kIllRequest, "OTHER1", "100001", kBorrower);
  ASSERT_TRUE(request.born_claimed);
  const ApplyResult answer = apply(ApduKind::kIllAnswer, "OTHER1", "100002", kLender);
  EXPECT_TRUE(answer.born_claimed);
  EXPECT_EQ(claim_of(answer.outbox_id), std::string(kNode) + "|true|60");
}

TEST_F(BornClaimedTest, ARowInBackoffOrClaimedByAnotherNodeKeepsTheNextOnTheOldPath) {
  connected_.erase(kBorrower);
  apply(ApduKind::kIllRequest, "BACK1", "100001", kBorrower);
  const ApplyResult answer = apply(ApduKind::kIllAnswer, "BACK1", "100002", kLender);
  ASSERT_FALSE(answer.born_claimed);
  connected_.insert(kBorrower);
  // The answer failed once and waits for its backoff.
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET attempts = 1, next_attempt_at = now() + interval '30 s' WHERE id = $1",
                          {answer.outbox_id}));
  const ApplyResult shipped = apply(ApduKind::kShipped, "BACK1", "100003", kLender);
  EXPECT_FALSE(shipped.born_claimed);
  EXPECT_EQ(claim_of(shipped.outbox_id), "-|false|0");
  // Everything delivered; then the lender's next row is claimed by another (live) node.
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'delivered' WHERE status = 'pending'"));
  const ApplyResult received = apply(ApduKind::kReceived, "BACK1", "100004", kBorrower);
  ASSERT_TRUE(received.born_claimed);  // nothing pending for the lender any more
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET claimed_by = 'node-other', claimed_at = now() - interval '1 s' "
                          "WHERE id = $1",
                          {received.outbox_id}));
  const ApplyResult returned = apply(ApduKind::kReturned, "BACK1", "100005", kBorrower);
  EXPECT_FALSE(returned.born_claimed);
  EXPECT_EQ(claim_of(returned.outbox_id), "-|false|0");
}

TEST_F(BornClaimedTest, ADisabledRecipientGetsNoBornClaimedRow) {
  const ApplyResult request = apply(ApduKind::kIllRequest, "DIS1", "100001", kBorrower);
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'delivered'"));
  // The borrower is disabled (its rows are not claimed either) while the lender answers.
  ASSERT_TRUE(conn_->exec("UPDATE peers SET enabled = false WHERE symbol = 'IRL:BOR'"));
  const ApplyResult r = apply(ApduKind::kIllAnswer, "DIS1", "100002", kLender);
  EXPECT_FALSE(r.born_claimed);
  EXPECT_EQ(claim_of(r.outbox_id), "-|false|0");
}

TEST_F(BornClaimedTest, ARowBornClaimedByANodeThatIsGoneIsTakenOverAfterTheGrace) {
  // This node "died" right after COMMIT: no LISTEN connection named illd-node-node-here exists.
  const ApplyResult r = apply(ApduKind::kIllRequest, "DEAD1", "100001", kBorrower);
  ASSERT_TRUE(r.born_claimed);
  net::DeliveryOptions options;
  options.dead_node_grace = 200ms;
  net::OutboxStore other(*pool_, options, "node-other");
  std::this_thread::sleep_for(300ms);
  auto due = other.due_recipients();
  ASSERT_TRUE(due) << due.error().describe();
  ASSERT_EQ(due->size(), 1u);  // the sweep of another node (or of this one restarted) sees it
  EXPECT_EQ(due->front().symbol, kLender);
  auto claimed = other.claim(kLender);
  ASSERT_TRUE(claimed) << claimed.error().describe();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().id, r.outbox_id);
  EXPECT_EQ(claim_of(r.outbox_id).substr(0, 11), "node-other|");
}

}  // namespace
}  // namespace illhub::store
