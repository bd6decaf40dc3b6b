// The hub's timers end to end: a real illd sweeping every 200 ms (timers.interval), a
// throwaway PostgreSQL, and YAZ-encoded member libraries on loopback addresses. illd uses the
// real date, so the tests move a stored date into the past instead of moving the clock.
#include <gtest/gtest.h>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

enum TimerKind : int { kOverdue = 12, kExpired = 20 };

class TimersTest : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
    ASSERT_TRUE(illd_.start(conninfo_, IlldLaunch{{"--set", "timers.interval=200ms"}})) << illd_.error();
  }

  /// Sends `kind` from `sender`; `recipient` must get it unchanged.
  static void relay(TestPeer& sender, TestPeer& recipient, int kind, const std::string& qualifier,
                    const std::string& time) {
    const Bytes sent = apdu(kind, qualifier, time);
    ASSERT_TRUE(sender.send(sent));
    const auto got = recipient.receive();
    ASSERT_TRUE(got) << "APDU kind " << kind << " did not arrive";
    EXPECT_EQ(*got, sent);
  }

  /// `frame` decoded by YAZ and by our codec: must be `kind` on transaction `qualifier`.
  static codec::Envelope decoded(const std::optional<Bytes>& frame, int kind, const std::string& qualifier) {
    EXPECT_TRUE(frame) << "nothing arrived";
    if (!frame) return {};
    const auto yaz = testing::yaz_decode(*frame);
    EXPECT_TRUE(yaz.ok) << yaz.error;
    EXPECT_EQ(yaz.kind, kind) << yaz.dump;
    EXPECT_NE(yaz.dump.find(qualifier), std::string::npos) << yaz.dump;
    auto ours = codec::decode(*frame);
    EXPECT_TRUE(ours);
    if (!ours) return {};
    codec::Envelope e = codec::read_envelope(*ours);
    EXPECT_EQ(static_cast<int>(e.kind), kind);
    EXPECT_EQ(e.transaction_id.qualifier, qualifier);
    return e;
  }
};

TEST_F(TimersTest, TheBorrowerGetsTheHubsOverdueOverTcpAndCanStillReturnTheItem) {
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  relay(borrower, lender, kIllRequest, "DUE", "110001");
  relay(lender, borrower, kIllAnswer, "DUE", "110002");
  relay(lender, borrower, kShipped, "DUE", "110003");
  relay(borrower, lender, kReceived, "DUE", "110004");
  ASSERT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "9/9"));

  // The loan falls due: the next sweep makes it overdue and sends the borrower an Overdue.
  ASSERT_TRUE(conn_->exec("UPDATE transactions SET date_due = '2020-01-15'"));
  const codec::Envelope e = decoded(borrower.receive(), kOverdue, "DUE");
  ASSERT_TRUE(e.date_due);
  EXPECT_EQ(e.date_due->date, "20200115");
  EXPECT_EQ(e.responder_id.symbol, "IRL:LEN");
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "13/13"));
  EXPECT_TRUE(eventually("SELECT status FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.direction = 'out'",
                         "delivered"));
  // Many sweeps later, still one Overdue; nothing went to the lender.
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'out'"), "1");
  EXPECT_FALSE(borrower.receive(200ms));
  EXPECT_FALSE(lender.receive(200ms));

  relay(borrower, lender, kReturned, "DUE", "110005");
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "14/14"));
}

TEST_F(TimersTest, AnExpiredRequestWaitsInTheOutboxUntilTheBorrowerConnects) {
  {
    TestPeer borrower, lender;
    ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
    relay(borrower, lender, kIllRequest, "WAITED", "120001");
  }  // both hang up
  ASSERT_TRUE(conn_->exec("UPDATE transactions SET expiry_date = '2020-02-01'"));
  ASSERT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "1/1"));
  EXPECT_EQ(text("SELECT status FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.direction = 'out'"),
            "pending");

  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  decoded(borrower.receive(), kExpired, "WAITED");
  EXPECT_TRUE(eventually("SELECT status FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.direction = 'out'",
                         "delivered"));
}

}  // namespace
}  // namespace illhub::test
