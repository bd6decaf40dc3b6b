// illd's --max-connections: connections past the limit are closed at once and logged, those
// within it are kept and relay, and a slot freed by a closed connection can be used again.
#include <gtest/gtest.h>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

class ConnectionLimit : public IlldFixture {};

TEST_F(ConnectionLimit, ConnectionsPastMaxConnectionsAreClosedAndThoseWithinRelay) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  IlldLaunch launch;
  launch.args = {"--max-connections", "2"};
  ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();

  TestPeer borrower, lender, third;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  // illd accepts in connection order: the third is the one past the limit.
  ASSERT_TRUE(third.connect(illd_.port(), kBorrowerAddress)) << third.error();
  EXPECT_TRUE(third.wait_closed()) << "a third connection must be refused with --max-connections 2";
  EXPECT_NE(illd_.log().find("(max_connections)"), std::string::npos) << illd_.log();

  // The two within the limit are kept and carry a relay.
  const Bytes request = apdu(kIllRequest, "LIMIT", "170001");
  ASSERT_TRUE(borrower.send(request));
  const auto relayed = lender.receive();
  ASSERT_TRUE(relayed) << "the ILL-Request was not relayed";
  EXPECT_EQ(*relayed, request);

  // A freed slot is taken again.
  borrower.close();
  TestPeer again;
  bool accepted = false;
  for (int attempt = 0; attempt < 50 && !accepted; ++attempt) {
    ASSERT_TRUE(again.connect(illd_.port(), kBorrowerAddress)) << again.error();
    accepted = !again.wait_closed(200ms);
    if (!accepted) again.close();
  }
  EXPECT_TRUE(accepted) << "after a connection closed, a new one must be accepted";
}

TEST_F(ConnectionLimit, MaxConnectionsMustBePositive) {
  IlldLaunch launch;
  launch.args = {"--max-connections", "0"};
  EXPECT_FALSE(illd_.start(conninfo_, launch)) << "illd must refuse --max-connections 0";
  EXPECT_NE(illd_.log().find("--max-connections"), std::string::npos) << illd_.log();
}

}  // namespace
}  // namespace illhub::test
