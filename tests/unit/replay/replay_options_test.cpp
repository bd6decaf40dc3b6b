// illctl replay's command-line values: endpoints, --peer-endpoint, --speed, and where replay
// listens for the hub's dials.
#include "app/illctl/replay/replay_options.hpp"

#include <gtest/gtest.h>

#include "replay_test_data.hpp"

namespace illhub::test {
namespace {

using namespace app::replay;

TEST(ReplayOptions, ParsesEndpointsAndRefusesBadOnes) {
  auto v4 = parse_endpoint("127.0.0.1:4999");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 4999);
  auto v6 = parse_endpoint("[::1]:7");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->text(), "[::1]:7");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":80", "h:0", "h:65536", "h:12x", "[::1:5"})
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  EXPECT_TRUE(parse_endpoint("h:0", /*allow_zero=*/true));
}

TEST(ReplayOptions, PeerEndpointSplitsAtTheLastEqualsSign) {
  auto pe = parse_peer_endpoint("IRL:LEN=127.0.0.1:5001");
  ASSERT_TRUE(pe) << pe.error();
  EXPECT_EQ(pe->first, "IRL:LEN");
  EXPECT_EQ(pe->second.port, 5001);
  EXPECT_FALSE(parse_peer_endpoint("IRL:LEN"));
  EXPECT_FALSE(parse_peer_endpoint("=127.0.0.1:1"));
  EXPECT_FALSE(parse_peer_endpoint("IRL:LEN=nowhere"));
}

TEST(ReplayOptions, SpeedIsFastOriginalOrAPositiveFactor) {
  EXPECT_EQ(*parse_speed("fast"), 0.0);
  EXPECT_EQ(*parse_speed("original"), 1.0);
  EXPECT_EQ(*parse_speed("2.5"), 2.5);
  for (const char* bad : {"0", "-1", "slow", "2x", "", "inf"}) EXPECT_FALSE(parse_speed(bad)) << bad;
}

TEST(ReplayOptions, SpeedScalesTheRecordedTimeSinceTheFirstRecord) {
  using std::chrono::microseconds;
  EXPECT_EQ(due_after(1'500'000, 500'000, 0), microseconds(0));  // fast: never waits
  EXPECT_EQ(due_after(1'500'000, 500'000, 1), microseconds(1'000'000));
  EXPECT_EQ(due_after(1'500'000, 500'000, 2), microseconds(500'000));
  EXPECT_EQ(due_after(1'500'000, 500'000, 0.5), microseconds(2'000'000));
  EXPECT_EQ(due_after(500'000, 500'000, 1), microseconds(0));
}

TEST(ReplayOptions, DialledConnectionsListenAtTheRecordedAddressUnlessToldOtherwise) {
  Plan plan;
  plan.connections = {{"r", 1, false, "127.0.0.2:40000", "IRL:BOR"},
                      {"r", 2, true, "127.0.0.1:5001", "IRL:LEN"},
                      {"r", 3, true, "127.0.0.1:5002", "IRL:OTH"},
                      {"r", 4, true, "127.0.0.1:5001", "IRL:LEN"}};
  auto recorded = dial_listeners(plan, {});
  ASSERT_TRUE(recorded) << recorded.error();
  ASSERT_EQ(recorded->size(), 2u);
  EXPECT_EQ(recorded->at(*parse_endpoint("127.0.0.1:5001")), (std::vector<std::size_t>{1, 3}));
  auto moved = dial_listeners(plan, {{"IRL:OTH", *parse_endpoint("127.0.0.1:6000")}});
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->at(*parse_endpoint("127.0.0.1:6000")), (std::vector<std::size_t>{2}));

  plan.connections[2].remote = "somewhere";
  auto bad = dial_listeners(plan, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("--peer-endpoint IRL:OTH=HOST:PORT"), std::string::npos) << bad.error();
  EXPECT_EQ(*source_address(plan.connections[0]), "127.0.0.2");
}

}  // namespace
}  // namespace illhub::test
