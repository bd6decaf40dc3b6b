// illd end to end: a real illd process, a throwaway PostgreSQL, and member libraries that
// speak ISO 10161 with YAZ's encoder, each connecting from its own loopback address (the hub
// knows peers by allowed_networks). Every wait is bounded.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

class IlldTest : public IlldFixture {};

TEST_F(IlldTest, RelaysAWholeLoanByteForByteBetweenTwoConnectedLibraries) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  int n = 0;
  for (const auto& [kind, from_borrower] : kLoanSteps) {
    const Bytes sent = apdu(kind, "LIFE", "1100" + std::to_string(10 + n++));
    TestPeer& sender = from_borrower ? borrower : lender;
    TestPeer& recipient = from_borrower ? lender : borrower;
    ASSERT_TRUE(sender.send(sent));
    const auto got = recipient.receive();
    ASSERT_TRUE(got) << "APDU kind " << kind << " did not arrive";
    EXPECT_EQ(*got, sent) << "APDU kind " << kind << " changed on the way";
  }
  EXPECT_TRUE(eventually("SELECT requester_state || '/' || responder_state FROM transactions", "15/15"));
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered' AND delivered_at IS NOT NULL", "6"));
  // The ledger: the item went out and came back (every account's ITM balance is zero again),
  // and every event's postings balance in every currency.
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings WHERE currency = 'ITM'"), "4");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT account FROM ledger_postings WHERE currency = 'ITM' "
                 "GROUP BY account HAVING sum(amount) <> 0) x"),
            "0");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT event_id, currency FROM ledger_postings "
                 "GROUP BY event_id, currency HAVING sum(amount) <> 0) x"),
            "0");
  // Nothing else came back to either side (no reports for accepted APDUs).
  EXPECT_FALSE(borrower.receive(300ms));
  EXPECT_FALSE(lender.receive(300ms));
}

TEST_F(IlldTest, AnswersAProhibitedApduWithStateTransitionProhibitedAndDoesNotRelayIt) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(borrower.send(apdu(kIllRequest, "EARLY", "120001")));
  ASSERT_TRUE(lender.receive());

  ASSERT_TRUE(borrower.send(apdu(kReturned, "EARLY", "120002")));  // nothing was shipped
  const auto report = borrower.receive();
  const std::string dump = report_dump(report);
  EXPECT_NE(dump.find("EARLY"), std::string::npos) << dump;  // about the same transaction
  auto ours = codec::decode(*report);
  ASSERT_TRUE(ours);
  EXPECT_TRUE(codec::read_envelope(*ours).has_error_report);
  EXPECT_NE(dump.find("state_transition_prohibited"), std::string::npos) << dump;
  EXPECT_NE(dump.find("aPDU_type 10"), std::string::npos) << dump;  // Returned
  EXPECT_NE(dump.find("current_state 2"), std::string::npos) << dump;
  EXPECT_FALSE(lender.receive(1s)) << "a refused APDU was relayed";
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE NOT accepted"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "1");
}

TEST_F(IlldTest, MalformedBerGetsAGeneralProblemAndOtherConnectionsKeepWorking) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender, broken;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(broken.connect(illd_.port(), kBorrowerAddress));

  // A whole frame that is not an ILL-Request: [APPLICATION 1] holding an INTEGER.
  ASSERT_TRUE(borrower.send({0x61, 0x03, 0x02, 0x01, 0x05}));
  const std::string dump = report_dump(borrower.receive());
  EXPECT_NE(dump.find("frame 1"), std::string::npos) << dump;

  // A stream that cannot be framed (a tag number longer than 4 octets): report, then closed.
  ASSERT_TRUE(broken.send({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}));
  report_dump(broken.receive());
  EXPECT_TRUE(broken.wait_closed());

  // The borrower's connection still works, and so does the lender's.
  const Bytes request = apdu(kIllRequest, "AFTERBAD", "130001");
  ASSERT_TRUE(borrower.send(request));
  const auto got = lender.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, request);
  const Bytes answer = apdu(kIllAnswer, "AFTERBAD", "130002");
  ASSERT_TRUE(lender.send(answer));
  const auto back = borrower.receive();
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, answer);
}

TEST_F(IlldTest, AnUnknownSenderGetsASecurityProblemAndNothingIsRecorded) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer stranger;
  ASSERT_TRUE(stranger.connect(illd_.port(), kStrangerAddress));
  // Claims to be IRL:BOR, from an address IRL:BOR may not use.
  ASSERT_TRUE(stranger.send(apdu(kIllRequest, "STRANGE", "140001")));
  const std::string dump = report_dump(stranger.receive());
  EXPECT_NE(dump.find("IRL:BOR"), std::string::npos) << dump;
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "0");
}

TEST_F(IlldTest, ARecipientThatWasOfflineGetsTheApduOnceWhenItConnects) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  const Bytes request = apdu(kIllRequest, "OFFLINE", "150001");
  ASSERT_TRUE(borrower.send(request));
  ASSERT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'pending'", "1"));
  std::this_thread::sleep_for(1500ms);  // a few sweeps pass: it must stay waiting
  EXPECT_EQ(text("SELECT status || '/' || attempts FROM outbox"), "pending/0");

  TestPeer lender;
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  const auto got = lender.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, request);
  EXPECT_FALSE(lender.receive(1500ms)) << "delivered twice";
  EXPECT_TRUE(eventually("SELECT status FROM outbox", "delivered"));
}

TEST_F(IlldTest, DialsARecipientWhoseDeliveryModeIsDial) {
  // The lender listens; the hub dials it.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string endpoint = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32", "dial", endpoint);
  start_illd();
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  const Bytes request = apdu(kIllRequest, "DIAL", "160001");
  ASSERT_TRUE(borrower.send(request));

  pollfd p{listener, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << "the hub did not dial";
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(fd, 0);
  codec::StreamFramer framer;
  std::optional<Bytes> got;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!got && std::chrono::steady_clock::now() < deadline) {
    pollfd q{fd, POLLIN, 0};
    if (::poll(&q, 1, 200) != 1) continue;
    std::uint8_t buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    framer.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
    got = framer.next();
  }
  ::close(fd);
  ::close(listener);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, request);
  EXPECT_TRUE(eventually("SELECT status FROM outbox", "delivered"));
}

}  // namespace
}  // namespace illhub::test
