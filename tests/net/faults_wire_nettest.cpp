// Faults between peers and the hub: each peer reaches a real illd through a FaultProxy
// (tests/support/fault_proxy.hpp) that keeps the peer's loopback address, so the hub still
// knows who is speaking. 1-byte fragments, delays, a reset in the middle of an APDU or of its
// acknowledgement, a recipient whose bytes vanish. Peers encode with YAZ; every wait is bounded.
#include <gtest/gtest.h>

#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"
#include "support/fault_proxy.hpp"

namespace illhub::test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string json_of(const Bytes& frame) {
  auto decoded = codec::decode(frame);
  return decoded ? codec::to_json(*decoded) : std::string();
}

class FaultsOnTheWire : public IlldFixture {
 protected:
  /// Accepted events of one kind for one transaction-qualifier.
  std::string accepted(int kind, const std::string& qualifier) {
    return text("SELECT count(*) FROM events e JOIN transactions t ON t.id = e.transaction_id "
                "WHERE e.accepted AND e.apdu_kind = " + std::to_string(kind) + " AND t.qualifier = '" + qualifier + "'");
  }
};

TEST_F(FaultsOnTheWire, OneByteFragmentsAndDelaysStillRelayAWholeLoanByteForByte) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  auto to_borrower = FaultProxy::to_tcp(illd_.port());
  auto to_lender = FaultProxy::to_tcp(illd_.port());
  to_borrower->set_both({FaultMode::kFragment});
  to_lender->set_both({FaultMode::kDelay, 50ms});
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(to_borrower->port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(to_lender->port(), kLenderAddress)) << lender.error();

  int n = 0;
  for (const auto& [kind, from_borrower] : kLoanSteps) {
    const Bytes sent = apdu(kind, "FRAG", "1200" + std::to_string(10 + n++));
    ASSERT_TRUE((from_borrower ? borrower : lender).send(sent));
    const auto got = (from_borrower ? lender : borrower).receive();
    ASSERT_TRUE(got) << "APDU kind " << kind << " did not cross the faulty links\n" << illd_.log();
    EXPECT_EQ(*got, sent);
  }
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "15/15"));
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted"), "6");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT event_id, currency FROM ledger_postings "
                 "GROUP BY event_id, currency HAVING sum(amount) <> 0) x"),
            "0");
  // The borrower's side really went byte by byte: far more bytes than one write each.
  EXPECT_GT(to_borrower->forwarded(Direction::kUpstream), 100u);
  EXPECT_EQ(to_borrower->accepted(), 1u) << "the connection survived the fragments";
}

TEST_F(FaultsOnTheWire, AResetMidApduRecordsNothingAndTheRetryAfterALostReceiptIsAppliedOnce) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  text("UPDATE peers SET receipts = true WHERE symbol = 'IRL:BOR' RETURNING symbol");
  start_illd();
  auto proxy = FaultProxy::to_tcp(illd_.port());
  TestPeer lender;
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  const Bytes request = apdu(kIllRequest, "RST", "160000");
  ASSERT_GT(request.size(), 40u);

  // 1. The connection is reset after 20 bytes of the request: half an APDU reaches the hub.
  proxy->set(Direction::kUpstream, {FaultMode::kResetAfter, 0ms, 20});
  {
    TestPeer borrower;
    ASSERT_TRUE(borrower.connect(proxy->port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(borrower.send(request));
    EXPECT_TRUE(borrower.wait_closed(5s)) << "the proxy did not reset the connection";
  }
  EXPECT_FALSE(lender.receive(500ms)) << "half an APDU was relayed";
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0") << "half an APDU was recorded";

  // 2. Sent again on a new connection: recorded and relayed, but the receipt is lost (the
  //    connection is reset as the hub answers), so the borrower cannot know it was taken.
  proxy->set(Direction::kUpstream, {FaultMode::kPass});
  proxy->set(Direction::kDownstream, {FaultMode::kResetAfter, 0ms, 0});
  {
    TestPeer borrower;
    ASSERT_TRUE(borrower.connect(proxy->port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(borrower.send(request));
    const auto relayed = lender.receive();
    ASSERT_TRUE(relayed) << illd_.log();
    EXPECT_EQ(*relayed, request);
    EXPECT_TRUE(borrower.wait_closed(5s)) << "the receipt got through";
  }

  // 3. And again, as a careful peer does: a duplicate, answered as such, relayed no more.
  proxy->set(Direction::kDownstream, {FaultMode::kPass});
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(proxy->port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(borrower.send(request));
  const auto receipt = borrower.receive();
  ASSERT_TRUE(receipt) << illd_.log();
  EXPECT_TRUE(contains(json_of(*receipt), "was recorded before")) << json_of(*receipt);
  EXPECT_FALSE(lender.receive(500ms)) << "the retry was relayed a second time";
  EXPECT_EQ(accepted(kIllRequest, "RST"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM events"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "1");
  EXPECT_EQ(proxy->accepted(), 3u);
}

TEST_F(FaultsOnTheWire, ARecipientWhoseBytesVanishDoesNotStopTheOthers) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  add_peer("IRL:LEN2", "127.0.0.4/32");
  text("UPDATE peers SET receipts = true WHERE symbol = 'IRL:BOR' RETURNING symbol");
  start_illd();
  auto hole = FaultProxy::to_tcp(illd_.port());
  hole->set(Direction::kDownstream, {FaultMode::kBlackHole});
  TestPeer borrower, lost, other;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lost.connect(hole->port(), kLenderAddress)) << lost.error();
  ASSERT_TRUE(other.connect(illd_.port(), "127.0.0.4")) << other.error();

  constexpr int kEach = 20;
  for (int i = 0; i < 2 * kEach; ++i) {
    testing::SampleOptions o;
    o.qualifier = "H" + std::to_string(i);
    o.responder_symbol = i % 2 == 0 ? "IRL:LEN" : "IRL:LEN2";
    ASSERT_TRUE(borrower.send(testing::yaz_encode_sample(kIllRequest, o)));
  }
  int receipts = 0, relayed = 0;
  for (int i = 0; i < 2 * kEach && receipts < 2 * kEach; ++i)
    if (borrower.receive()) ++receipts;
  for (int i = 0; i < kEach && relayed < kEach; ++i)
    if (other.receive()) ++relayed;
  EXPECT_EQ(receipts, 2 * kEach) << illd_.log();
  EXPECT_EQ(relayed, kEach) << illd_.log();
  EXPECT_FALSE(lost.receive(300ms));
  // The hub did write to the black-holed recipient: its APDUs went into the hole.
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", std::to_string(2 * kEach)));
  for (int i = 0; i < 100 && hole->discarded(Direction::kDownstream) == 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_GT(hole->discarded(Direction::kDownstream), 0u);
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted"), std::to_string(2 * kEach));
}

}  // namespace
}  // namespace illhub::test
