// illd under failure: two nodes on one database, illd killed with SIGKILL in the middle of a
// stream, PostgreSQL stopped and restarted under load. Peers encode with YAZ; every wait is
// bounded; every process started here is stopped by its PID.
#include <gtest/gtest.h>

#include <signal.h>

#include <set>
#include <thread>

#include "illhub/codec/render.hpp"

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The transaction-qualifier of an APDU frame (our decoder), "" when it does not decode.
std::string qualifier_of(const Bytes& frame) {
  auto decoded = codec::decode(frame);
  return decoded ? codec::read_envelope(*decoded).transaction_id.qualifier : std::string();
}

/// The JSON rendering of a frame (our decoder), "" when it does not decode.
std::string json_of(const Bytes& frame) {
  auto decoded = codec::decode(frame);
  return decoded ? codec::to_json(*decoded) : std::string();
}

class Resilience : public IlldFixture {};

TEST_F(Resilience, TwoNodesOnOneDatabaseRelayAWholeLoanBetweenThem) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  IlldProcess second;
  ASSERT_TRUE(second.start(conninfo_)) << second.error();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(second.port(), kLenderAddress)) << lender.error();

  int n = 0;
  for (const auto& [kind, from_borrower] : kLoanSteps) {
    const Bytes sent = apdu(kind, "TWO", "1200" + std::to_string(10 + n++));
    ASSERT_TRUE((from_borrower ? borrower : lender).send(sent));
    const auto got = (from_borrower ? lender : borrower).receive();
    ASSERT_TRUE(got) << "APDU kind " << kind << " did not cross from one node to the other\n" << second.log();
    EXPECT_EQ(*got, sent);
  }
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "15/15"));
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "6"));
  EXPECT_FALSE(borrower.receive(300ms));
  EXPECT_FALSE(lender.receive(300ms)) << "each APDU is delivered once, by the node holding the recipient";
  EXPECT_EQ(second.stop(), 0) << second.log();
}

TEST_F(Resilience, AfterSigkillMidStreamNothingAcknowledgedIsLostNothingIsAppliedTwiceAndDeliveryResumes) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  text("UPDATE peers SET receipts = true WHERE symbol = 'IRL:BOR' RETURNING symbol");
  ASSERT_TRUE(illd_.start(conninfo_)) << illd_.error();

  constexpr int kRequests = 30;
  std::vector<Bytes> requests;
  for (int i = 0; i < kRequests; ++i) requests.push_back(apdu(kIllRequest, "K" + std::to_string(i), "130000"));

  std::set<std::string> acknowledged, relayed;
  {
    TestPeer borrower, lender;
    ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
    ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
    for (const Bytes& r : requests) ASSERT_TRUE(borrower.send(r));
    // Kill while the stream is in flight: after the lender has seen a few.
    for (int i = 0; i < 5; ++i) {
      const auto got = lender.receive();
      ASSERT_TRUE(got) << illd_.log();
      relayed.insert(qualifier_of(*got));
    }
    illd_.kill_hard();
    // Whatever reached the peers before the kill: receipts (acknowledged) and relayed APDUs.
    while (const auto got = borrower.receive(500ms)) acknowledged.insert(qualifier_of(*got));
    while (const auto got = lender.receive(500ms)) relayed.insert(qualifier_of(*got));
  }
  ASSERT_GE(acknowledged.size(), 1u);
  // Everything acknowledged or relayed is in the database, exactly once.
  for (const auto& set : {acknowledged, relayed})
    for (const std::string& q : set)
      EXPECT_EQ(text("SELECT count(*) FROM events e JOIN transactions t ON t.id = e.transaction_id "
                     "WHERE e.accepted AND e.apdu_kind = 1 AND t.qualifier = '" + q + "'"),
                "1")
          << q;

  // Restart; the borrower sends all of it again (it cannot know what the hub kept).
  ASSERT_TRUE(illd_.start(conninfo_)) << illd_.error();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  for (const Bytes& r : requests) ASSERT_TRUE(borrower.send(r));
  int receipts = 0, repeats = 0;
  while (receipts < kRequests) {
    const auto got = borrower.receive();
    ASSERT_TRUE(got) << "receipt " << receipts + 1 << " missing\n" << illd_.log();
    ++receipts;
    if (contains(json_of(*got), "was recorded before")) ++repeats;
  }
  EXPECT_GE(repeats, static_cast<int>(acknowledged.size())) << "every request acknowledged before is a repeat now";
  // Deliveries resume: the lender ends up with every request (at least once).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (relayed.size() < kRequests && std::chrono::steady_clock::now() < deadline)
    if (const auto got = lender.receive(1s)) relayed.insert(qualifier_of(*got));
  EXPECT_EQ(relayed.size(), static_cast<std::size_t>(kRequests)) << illd_.log();

  EXPECT_EQ(text("SELECT count(*) FROM transactions"), std::to_string(kRequests));
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted AND apdu_kind = 1"), std::to_string(kRequests));
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), std::to_string(kRequests));
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", std::to_string(kRequests), 20s));
}

/// PostgreSQL of its own, so that stopping it disturbs no other test.
class PostgresOutage : public IlldFixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.ok()) << scratch_.error();
    conninfo_ = scratch_.fresh_database();
    auto conn = store::PgConnection::connect(conninfo_);
    ASSERT_TRUE(conn) << conn.error().describe();
    conn_.emplace(std::move(conn).value());
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
  }

  /// Reconnects the test's own connection after a restart.
  void reconnect() {
    conn_.reset();
    auto conn = store::PgConnection::connect(conninfo_);
    ASSERT_TRUE(conn) << conn.error().describe();
    conn_.emplace(std::move(conn).value());
  }

  ScratchCluster scratch_;
};

TEST_F(PostgresOutage, WhileTheDatabaseIsDownPeersGetATemporaryErrorAndTheHubCarriesOnAfterwards) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  ASSERT_TRUE(borrower.send(apdu(kIllRequest, "UP", "140000")));
  ASSERT_TRUE(lender.receive());

  conn_.reset();
  ASSERT_TRUE(scratch_.cluster().stop()) << "cannot stop PostgreSQL";
  const Bytes during = apdu(kIllRequest, "DOWN", "140100");
  ASSERT_TRUE(borrower.send(during));
  const auto report = borrower.receive(30s);
  const std::string json = report ? json_of(*report) : std::string();
  EXPECT_TRUE(contains(json, "resource-limitation")) << json;
  EXPECT_TRUE(contains(json, "temporary")) << json;
  EXPECT_FALSE(lender.receive(300ms));

  ASSERT_TRUE(scratch_.cluster().start_if_stopped()) << "cannot start PostgreSQL again";
  reconnect();
  // The same connections carry on: the borrower sends the refused APDU again until it is
  // taken (the first tries may meet pooled connections the restart cut; illd reconnects).
  std::optional<Bytes> got;
  for (int attempt = 0; attempt < 20 && !got; ++attempt) {
    ASSERT_TRUE(borrower.send(during));
    got = lender.receive(1s);
    while (borrower.receive(100ms)) {
    }  // a temporary error for this attempt, if any
  }
  ASSERT_TRUE(got) << illd_.log();
  EXPECT_EQ(*got, during);
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted AND apdu_kind = 1"), "2");
}

TEST_F(PostgresOutage, ARestartUnderLoadLosesNothingAndAppliesNothingTwice) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  constexpr int kRequests = 40;
  std::set<std::string> relayed;
  std::vector<int> refused;  // got a temporary error: to send again
  std::thread restarter;
  for (int i = 0; i < kRequests; ++i) {
    if (i == 10) restarter = std::thread([this] { (void)scratch_.cluster().restart(); });
    ASSERT_TRUE(borrower.send(apdu(kIllRequest, "L" + std::to_string(i), "150000")));
    // Either it is relayed or the borrower hears why not (bounded).
    bool settled = false;
    for (int poll = 0; poll < 300 && !settled; ++poll) {
      if (const auto got = lender.receive(50ms)) {
        relayed.insert(qualifier_of(*got));
        settled = relayed.count("L" + std::to_string(i)) > 0;
      }
      if (!settled && borrower.receive(50ms)) {
        refused.push_back(i);
        settled = true;
      }
    }
    ASSERT_TRUE(settled) << "request " << i << " neither relayed nor refused\n" << illd_.log();
  }
  restarter.join();
  reconnect();
  // The temporarily refused ones are sent again, until taken (bounded).
  for (int i : refused) {
    const std::string q = "L" + std::to_string(i);
    for (int attempt = 0; attempt < 20 && !relayed.count(q); ++attempt) {
      ASSERT_TRUE(borrower.send(apdu(kIllRequest, q, "150000")));
      if (const auto got = lender.receive(1s)) relayed.insert(qualifier_of(*got));
      while (borrower.receive(100ms)) {
      }
    }
  }
  EXPECT_EQ(relayed.size(), static_cast<std::size_t>(kRequests)) << illd_.log();
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted AND apdu_kind = 1"), std::to_string(kRequests));
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), std::to_string(kRequests));
  EXPECT_EQ(::kill(illd_.pid(), 0), 0) << "illd died during the restart";
}

}  // namespace
}  // namespace illhub::test
