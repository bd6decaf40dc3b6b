// TimerSweep against a real PostgreSQL: overdue and expiry fire once, only where the state
// tables allow them, survive being swept again and by two sweepers at once, and leave in the
// outbox an APDU that our decoder and YAZ both read. Transactions are driven by
// TransactionStore::apply() with YAZ-encoded APDUs; "today" is a parameter of the sweep.
#include "illhub/store/timer_sweep.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "illhub/codec/codec.hpp"
#include "illhub/store/transaction.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/pg_cluster.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::store {
namespace {

using codec::ApduKind;
using protocol::Timer;

constexpr const char* kBorrower = "IRL:BOR";
constexpr const char* kLender = "IRL:LEN";
// In the YAZ samples: Shipped's date due, the request's need-before-date (its expiry date,
// expiry-flag need-Before-Date), and Renew-Answer's new date due.
constexpr const char* kDateDue = "20261225";
constexpr const char* kNeedBefore = "20261231";
constexpr const char* kRenewedDue = "20270110";

codec::ServiceDateTime at(const std::string& date) { return {date, "093000", "", ""}; }

class TimerSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::LoanDatabase db = test::fresh_loan_database();
    conninfo_ = std::move(db.conninfo);
    conn_.emplace(std::move(db.conn));
    pool_.emplace(PoolOptions{conninfo_, 8});
    store_.emplace(*pool_, hub::LedgerPolicy{});
    timers_.emplace(*pool_);
  }

  /// Applies the YAZ sample of `kind` on transaction `qualifier`; must be accepted.
  void apply(ApduKind kind, const std::string& qualifier, testing::SampleOptions o = {}) {
    o.qualifier = qualifier;
    o.time = "10" + std::to_string(1000 + ++step_);  // each APDU distinct
    const auto ber = testing::yaz_encode_sample(static_cast<int>(kind), o);
    auto apdu = codec::decode(ber);
    ASSERT_TRUE(apdu) << codec::to_string(kind);
    const auto sender = protocol::sole_sender(kind) == protocol::Role::kResponder ? kLender : kBorrower;
    auto r = store_->apply(*apdu, sender);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_EQ(r->outcome, hub::Outcome::kAccepted) << codec::to_string(kind) << ": " << r->decision.reason;
  }

  /// Request, will-supply, Shipped, Received: a loan the borrower holds, due on kDateDue.
  void lend(const std::string& qualifier) {
    for (ApduKind k : {ApduKind::kIllRequest, ApduKind::kIllAnswer, ApduKind::kShipped, ApduKind::kReceived}) {
      apply(k, qualifier);
    }
  }

  SweepResult sweep(const std::string& date, int limit = 100) {
    auto r = timers_->sweep(at(date), limit);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? std::move(*r) : SweepResult{};
  }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  std::string states(const std::string& qualifier) {
    return text("SELECT requester_state || '/' || responder_state FROM transactions WHERE qualifier = '" +
                qualifier + "'");
  }

  /// The outbox row `id` decoded by our codec and by YAZ: must be `kind` on `qualifier`,
  /// addressed to the borrower.
  codec::Envelope check_outbox(std::int64_t id, ApduKind kind, const std::string& qualifier) {
    auto row = conn_->exec("SELECT recipient_symbol, apdu FROM outbox WHERE id = $1", {id});
    EXPECT_TRUE(row && row->rows() == 1);
    if (!row || row->rows() != 1) return {};
    EXPECT_EQ(row->get(0, 0), kBorrower);
    const auto ber = row->get_bytea(0, 1);
    const auto yaz = testing::yaz_decode(ber);
    EXPECT_TRUE(yaz.ok) << yaz.error;
    EXPECT_EQ(yaz.kind, static_cast<int>(kind)) << yaz.dump;
    EXPECT_NE(yaz.dump.find(qualifier), std::string::npos) << yaz.dump;
    auto ours = codec::decode(ber);
    EXPECT_TRUE(ours);
    if (!ours) return {};
    codec::Envelope e = codec::read_envelope(*ours);
    EXPECT_EQ(e.kind, kind);
    EXPECT_EQ(e.transaction_id.qualifier, qualifier);
    EXPECT_EQ(e.transaction_id.initial_requester.symbol, kBorrower);
    EXPECT_EQ(e.requester_id.symbol, kBorrower);
    EXPECT_EQ(e.responder_id.symbol, kLender);
    return e;
  }

  std::string conninfo_;
  std::optional<PgConnection> conn_;
  std::optional<ConnectionPool> pool_;
  std::optional<TransactionStore> store_;
  std::optional<TimerSweep> timers_;
  int step_ = 0;
};

TEST_F(TimerSweepTest, ApplyRecordsTheDatesTheTimersRunOn) {
  apply(ApduKind::kIllRequest, "DATES");
  // expiry-flag need-Before-Date: the need-before-date is the expiry date.
  EXPECT_EQ(text("SELECT to_char(need_before, 'YYYYMMDD') || '/' || to_char(expiry_date, 'YYYYMMDD') FROM transactions"),
            std::string(kNeedBefore) + "/" + kNeedBefore);
  apply(ApduKind::kIllAnswer, "DATES");
  apply(ApduKind::kShipped, "DATES");
  EXPECT_EQ(text("SELECT to_char(date_due, 'YYYYMMDD') FROM transactions"), kDateDue);
}

TEST_F(TimerSweepTest, OverdueFiresOnceTheDayAfterTheDateDue) {
  lend("LATE");
  EXPECT_EQ(states("LATE"), "9/9");  // RECEIVED
  const std::string version = text("SELECT version FROM transactions");

  EXPECT_TRUE(sweep(kDateDue).fired.empty()) << "the date due itself is still in time";
  const SweepResult r = sweep("20261226");
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(r.fired[0].timer, Timer::kOverdue);
  EXPECT_EQ(r.fired[0].recipient, kBorrower);
  EXPECT_FALSE(r.more);
  ASSERT_GT(r.fired[0].outbox_id, 0);
  const codec::Envelope e = check_outbox(r.fired[0].outbox_id, ApduKind::kOverdue, "LATE");
  ASSERT_TRUE(e.date_due);
  EXPECT_EQ(e.date_due->date, kDateDue);
  EXPECT_EQ(e.service_date_time.date, "20261226");

  // RECEIVED --timer:overdue--> OVERDUE on both sides (the tables' cells).
  EXPECT_EQ(states("LATE"), "13/13");
  EXPECT_EQ(text("SELECT version FROM transactions"), std::to_string(std::stoi(version) + 1));
  // The event: sent by the hub to the borrower, the bytes in the outbox, seq = new version.
  EXPECT_EQ(text("SELECT direction || '|' || peer_symbol || '|' || apdu_kind || '|' || accepted || '|' || "
                 "old_requester_state || '>' || new_requester_state || '|' || (seq = t.version) "
                 "FROM events e JOIN transactions t ON t.id = e.transaction_id WHERE e.id = " +
                 std::to_string(r.fired[0].event_id)),
            "out|IRL:BOR|12|true|9>13|true");
  EXPECT_EQ(text("SELECT count(*) FROM events e JOIN outbox o ON o.event_id = e.id AND o.apdu = e.raw_ber WHERE e.direction = 'out'"), "1");

  // Swept again, later, or as if by another node after a restart: nothing more.
  EXPECT_TRUE(sweep("20261226").fired.empty());
  EXPECT_TRUE(sweep("20270301").fired.empty());
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out'"), "1");

  // The borrower can still return it: OVERDUE --Returned--> RETURNED.
  apply(ApduKind::kReturned, "LATE");
  EXPECT_EQ(states("LATE"), "14/14");
}

TEST_F(TimerSweepTest, NoOverdueForALoanReturnedInTime) {
  lend("BACK");
  apply(ApduKind::kReturned, "BACK");
  EXPECT_TRUE(sweep("20270301").fired.empty());
  EXPECT_EQ(states("BACK"), "14/14");
  EXPECT_EQ(text("SELECT count(*) FROM outbox WHERE recipient_symbol = 'IRL:BOR'"), "2");  // the relayed answer and Shipped only
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out'"), "0");
}

TEST_F(TimerSweepTest, ShippedButNeverReceivedBecomesNotReceivedOverdue) {
  for (ApduKind k : {ApduKind::kIllRequest, ApduKind::kIllAnswer, ApduKind::kShipped}) apply(k, "LOSTPOST");
  const SweepResult r = sweep("20261226");
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(states("LOSTPOST"), "11/11");  // NOT-RECEIVED-OVERDUE
  check_outbox(r.fired[0].outbox_id, ApduKind::kOverdue, "LOSTPOST");
  EXPECT_TRUE(sweep("20261227").fired.empty());
}

TEST_F(TimerSweepTest, ARenewalArmsTheOverdueTimerAgainForTheNewDateDue) {
  lend("RENEW");
  ASSERT_EQ(sweep("20261226").fired.size(), 1u);
  apply(ApduKind::kRenew, "RENEW");
  EXPECT_EQ(states("RENEW"), "12/12");  // RENEW-OVERDUE: not overdue again while waiting
  EXPECT_TRUE(sweep("20261228").fired.empty());
  apply(ApduKind::kRenewAnswer, "RENEW");  // yes, new date due
  EXPECT_EQ(states("RENEW"), "9/9");
  EXPECT_EQ(text("SELECT to_char(date_due, 'YYYYMMDD') FROM transactions"), kRenewedDue);
  EXPECT_TRUE(sweep(kRenewedDue).fired.empty());
  const SweepResult r = sweep("20270111");
  ASSERT_EQ(r.fired.size(), 1u);
  const codec::Envelope e = check_outbox(r.fired[0].outbox_id, ApduKind::kOverdue, "RENEW");
  ASSERT_TRUE(e.date_due);
  EXPECT_EQ(e.date_due->date, kRenewedDue);
  EXPECT_EQ(states("RENEW"), "13/13");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out'"), "2");
}

TEST_F(TimerSweepTest, ALenderThatSendsItsOwnOverdueGetsTheStateButNoApdu) {
  ASSERT_TRUE(conn_->exec("UPDATE peers SET send_overdue = false WHERE symbol = 'IRL:LEN'"));
  lend("QUIET");
  const SweepResult r = sweep("20261226");
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(r.fired[0].outbox_id, 0);
  EXPECT_TRUE(r.fired[0].recipient.empty());
  EXPECT_EQ(states("QUIET"), "13/13");
  EXPECT_EQ(text("SELECT coalesce(peer_symbol, 'none') || '|' || reason FROM events WHERE direction = 'out'"),
            "none|not sent: peers.send_overdue is false for IRL:LEN");
  EXPECT_EQ(text("SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.direction = 'out'"), "0");
  EXPECT_TRUE(sweep("20261227").fired.empty());
  // The lender's own Overdue is then relayed as usual (OVERDUE --Overdue--> OVERDUE).
  apply(ApduKind::kOverdue, "QUIET");
  EXPECT_TRUE(sweep("20261228").fired.empty());
}

TEST_F(TimerSweepTest, ExpiryEndsAnUnansweredRequestAfterItsExpiryDate) {
  apply(ApduKind::kIllRequest, "NOANSWER");
  EXPECT_EQ(states("NOANSWER"), "2/3");  // PENDING / IN-PROCESS
  EXPECT_TRUE(sweep(kNeedBefore).fired.empty());
  const SweepResult r = sweep("20270101");
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(r.fired[0].timer, Timer::kExpiry);
  check_outbox(r.fired[0].outbox_id, ApduKind::kExpired, "NOANSWER");
  EXPECT_EQ(states("NOANSWER"), "1/1");  // NOT-SUPPLIED
  EXPECT_EQ(text("SELECT apdu_kind || '|' || new_responder_state FROM events WHERE direction = 'out'"), "20|1");
  EXPECT_TRUE(sweep("20270102").fired.empty());
  // The lender answering late meets NOT-SUPPLIED: refused.
  testing::SampleOptions o;
  o.qualifier = "NOANSWER";
  auto late = codec::decode(testing::yaz_encode_sample(static_cast<int>(ApduKind::kShipped), o));
  ASSERT_TRUE(late);
  auto refused = store_->apply(*late, kLender);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->outcome, hub::Outcome::kRefused);
}

TEST_F(TimerSweepTest, NoExpiryForARequestAnsweredOrShipped) {
  testing::SampleOptions unfilled;
  unfilled.answer_results = 3;
  apply(ApduKind::kIllRequest, "UNFILLED");
  apply(ApduKind::kIllAnswer, "UNFILLED", unfilled);
  for (ApduKind k : {ApduKind::kIllRequest, ApduKind::kIllAnswer, ApduKind::kShipped}) apply(k, "SHIPPED");
  apply(ApduKind::kIllRequest, "PROMISED");
  apply(ApduKind::kIllAnswer, "PROMISED");  // will-supply: still not shipped, so it can expire
  const SweepResult r = sweep("20270101");
  int expired = 0;
  for (const FiredTimer& f : r.fired) {
    if (f.timer == Timer::kExpiry) {
      ++expired;
      EXPECT_EQ(text("SELECT qualifier FROM transactions WHERE id = " + std::to_string(f.transaction_id)), "PROMISED");
    }
  }
  EXPECT_EQ(expired, 1);
  EXPECT_EQ(states("UNFILLED"), "1/1");
  EXPECT_EQ(states("SHIPPED"), "11/11") << "the shipped loan is overdue, not expired";
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE apdu_kind = 20"), "1");
}

TEST_F(TimerSweepTest, ARowLockedElsewhereIsSkippedNotWaitedFor) {
  lend("BUSY");
  lend("FREE");
  // Another node (or an apply in flight) holds BUSY's row.
  PgConnection other = test::connect_or_abort(conninfo_);
  auto tx = Transaction::begin(other);
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->exec("SELECT 1 FROM transactions WHERE qualifier = 'BUSY' FOR UPDATE"));
  const SweepResult r = sweep("20261226");
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(states("FREE"), "13/13");
  EXPECT_EQ(states("BUSY"), "9/9");
  ASSERT_TRUE(tx->rollback());
  ASSERT_EQ(sweep("20261226").fired.size(), 1u);
  EXPECT_EQ(states("BUSY"), "13/13");
}

TEST_F(TimerSweepTest, TwoSweepersAtOnceSendEachOverdueExactlyOnce) {
  constexpr int kLoans = 24;
  for (int i = 0; i < kLoans; ++i) lend("RACE" + std::to_string(i));
  // Two sweepers on their own connections, small batches so that they overlap many times.
  std::atomic<int> fired{0}, errors{0};
  std::atomic<bool> go{false};
  auto sweeper = [&] {
    while (!go) std::this_thread::yield();
    for (int round = 0; round < 100; ++round) {  // bounded
      auto r = timers_->sweep(at("20261226"), 3);
      if (!r) {
        ++errors;
        continue;
      }
      fired += static_cast<int>(r->fired.size());
      if (r->fired.empty() && !r->more) break;
    }
  };
  std::thread a(sweeper), b(sweeper);
  go = true;
  a.join();
  b.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(fired, kLoans);
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out' AND apdu_kind = 12"), std::to_string(kLoans));
  EXPECT_EQ(text("SELECT count(DISTINCT transaction_id) FROM events WHERE direction = 'out'"), std::to_string(kLoans));
  EXPECT_EQ(text("SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.direction = 'out'"),
            std::to_string(kLoans));
}

TEST_F(TimerSweepTest, AReturnedRacingTheSweepEndsReturnedEitherWay) {
  constexpr int kLoans = 12;
  for (int i = 0; i < kLoans; ++i) lend("RACER" + std::to_string(i));
  std::atomic<bool> go{false};
  std::thread returns([&] {
    while (!go) std::this_thread::yield();
    for (int i = 0; i < kLoans; ++i) apply(ApduKind::kReturned, "RACER" + std::to_string(i));
  });
  std::thread sweeps([&] {
    while (!go) std::this_thread::yield();
    // One row at a time with a pause, so that sweeps and returns interleave.
    for (int round = 0; round < 100; ++round) {  // bounded
      auto r = timers_->sweep(at("20261226"), 1);
      EXPECT_TRUE(r) << r.error().describe();
      if (r && r->fired.empty() && !r->more) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });
  go = true;
  returns.join();
  sweeps.join();
  // Whichever came first, every loan is back, and an Overdue (if any) came before the
  // Returned, which then met OVERDUE: both sides of each transaction followed the tables.
  EXPECT_EQ(text("SELECT count(*) FROM transactions WHERE requester_state = 14 AND responder_state = 14"),
            std::to_string(kLoans));
  EXPECT_EQ(text("SELECT count(*) FROM events o JOIN events r ON r.transaction_id = o.transaction_id "
                 "WHERE o.direction = 'out' AND r.apdu_kind = 10 AND r.accepted "
                 "AND NOT (o.seq < r.seq AND o.old_requester_state = 9 AND r.old_requester_state = 13)"),
            "0");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE NOT accepted"), "0");
  EXPECT_TRUE(sweep("20261227").fired.empty());
}

TEST_F(TimerSweepTest, AFiredTimerIsRecordedOnceEvenIfItsMarkIsLost) {
  lend("TWICE");
  ASSERT_EQ(sweep("20261226").fired.size(), 1u);
  // Were the handled mark and the state lost (a bug, a bad manual edit), the event's dedup
  // key still refuses a second Overdue for the same date due: the sweep fails, nothing sent.
  ASSERT_TRUE(conn_->exec("UPDATE transactions SET overdue_handled_for = NULL, requester_state = 9, responder_state = 9"));
  auto again = timers_->sweep(at("20261227"), 100);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, StoreError::Kind::kUniqueViolation) << again.error().describe();
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out'"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM outbox WHERE recipient_symbol = 'IRL:BOR'"), "3");  // answer, Shipped, Overdue
}

TEST_F(TimerSweepTest, RefusesABadDate) {
  auto r = timers_->sweep(at("2026-12-26"), 100);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("YYYYMMDD"), std::string::npos);
  EXPECT_FALSE(timers_->sweep(at("20261226"), 0));
}

}  // namespace
}  // namespace illhub::store
