// Outbox rows born claimed (docs/NET.md, "Delivery") with a real illd: an APDU for a recipient
// connected to the accepting node is written already claimed by that node and handed to the
// recipient's delivery without a claim statement; a recipient connected nowhere gets a pending
// row as before; a row born claimed by a node that was killed is delivered by another node.
#include <gtest/gtest.h>

#include <iostream>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

using namespace std::chrono_literals;

/// Rows claimed in their own transaction (claimed_at, like created_at, is that transaction's
/// now()): born claimed. A row claimed later by a pump has a later claimed_at.
constexpr const char* kBornRows = "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL AND claimed_at = created_at";

class BornClaimed : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    add_peer("IRL:BOR", std::string(kBorrowerAddress) + "/32");
    add_peer("IRL:LEN", std::string(kLenderAddress) + "/32");
  }
};

TEST_F(BornClaimed, AWholeLoanBetweenPeersConnectedHereIsDeliveredOnceEachAndMarked) {
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  int n = 0;
  for (const auto& [kind, from_borrower] : kLoanSteps) {
    const Bytes sent = apdu(kind, "HANDED", "1000" + std::to_string(10 + n++));
    TestPeer& from = from_borrower ? borrower : lender;
    TestPeer& to = from_borrower ? lender : borrower;
    ASSERT_TRUE(from.send(sent)) << from.error();
    EXPECT_EQ(to.receive(), sent) << "kind " << kind << "\n" << illd_.log();
  }
  ASSERT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered' AND delivered_at IS NOT NULL", "6"))
      << text("SELECT string_agg(id || ':' || status, ', ') FROM outbox");
  // Born claimed by this node (its LISTEN connection's id). Not necessarily all six: a row
  // whose recipient's previous row was not yet marked takes the old path, and so does the
  // request when it beats the lender's connection being bound (illd binds it on accept).
  const std::string born = text(kBornRows);
  EXPECT_GE(std::stoi(born), 1);
  EXPECT_EQ(text("SELECT count(*) FROM outbox o JOIN pg_stat_activity a ON a.application_name = "
                 "'illd-node-' || o.claimed_by WHERE o.claimed_at = o.created_at"),
            born);
  std::cout << "born claimed: " << born << " of 6 rows" << std::endl;
  // Nothing arrives twice.
  EXPECT_FALSE(lender.receive(300ms));
  EXPECT_FALSE(borrower.receive(300ms));
}

TEST_F(BornClaimed, ARecipientConnectedNowhereGetsAPendingRowDeliveredWhenItConnects) {
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  const Bytes request = apdu(kIllRequest, "LATER", "100000");
  ASSERT_TRUE(borrower.send(request));
  ASSERT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'pending' AND claimed_by IS NULL", "1"));
  EXPECT_EQ(text(kBornRows), "0");
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  EXPECT_EQ(lender.receive(), request) << illd_.log();
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "1"));
}

TEST_F(BornClaimed, ARowBornClaimedByANodeKilledAfterItsCommitIsDeliveredByAnotherNode) {
  start_illd();
  ASSERT_TRUE(eventually("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'illd-node-%'", "1"));
  const std::string dead = text("SELECT substr(application_name, 11) FROM pg_stat_activity "
                                "WHERE application_name LIKE 'illd-node-%'");
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  const Bytes request = apdu(kIllRequest, "ORPHAN", "100000");
  ASSERT_TRUE(borrower.send(request));
  ASSERT_TRUE(eventually("SELECT count(*) FROM events WHERE accepted", "1"));
  illd_.kill_hard();
  borrower.close();
  // What the killed node's write statement would have left had the lender been connected to
  // it: the row born claimed by it (claimed_at = created_at, leased 60 s), no NOTIFY. Turned
  // into that behind illd's back, so nothing wakes anybody: the new node's sweep must find it.
  ASSERT_EQ(text("UPDATE outbox SET claimed_by = '" + dead + "', claimed_at = created_at, "
                 "next_attempt_at = created_at + interval '60 s' RETURNING id IS NOT NULL"),
            "t");
  ASSERT_TRUE(eventually("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'illd-node-" + dead + "'",
                         "0"));
  start_illd();  // another node: a new node id
  TestPeer lender;
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  EXPECT_EQ(lender.receive(8s), request) << "still waiting for the dead node's lease\n" << illd_.log();
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "1"));
}

}  // namespace
}  // namespace illhub::test
