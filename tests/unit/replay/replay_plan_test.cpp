// The replay plan: merging recordings in time order, what replay sends and expects, relays
// recognised by their bytes, and recordings that make no sense refused with their line.
#include "app/illctl/replay/replay_plan.hpp"

#include <gtest/gtest.h>

#include "replay_test_data.hpp"

namespace illhub::test {
namespace {

using app::replay::make_plan;
using app::replay::NamedRecording;
using app::replay::StepKind;
using record::ClosedBy;
using record::EventKind;

NamedRecording recording(std::string name, std::int64_t started, std::vector<record::Record> records) {
  NamedRecording n;
  n.name = std::move(name);
  n.recording.header.started_unix_us = started;
  n.recording.records = std::move(records);
  return n;
}

TEST(ReplayPlan, TurnsALoanIntoSendsExpectationsAndClosesMarkingTheRelay) {
  const Bytes request = sample("ill-request");
  const Bytes report = refusal("T0001", "20261124", "101500");
  auto plan = make_plan({recording("a.illrec", 1000,
                                   {open_rec(0, 1, false, "127.0.0.2:40000"), open_rec(5, 2, true, "127.0.0.1:5001", "IRL:LEN"),
                                    rec(EventKind::kIn, 10, 1, request, "IRL:BOR"), rec(EventKind::kOut, 11, 2, request, "IRL:LEN"),
                                    rec(EventKind::kOut, 12, 1, report, "IRL:BOR"), close_rec(20, 1, ClosedBy::kPeer),
                                    close_rec(21, 2, ClosedBy::kHub)})});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->connections.size(), 2u);
  EXPECT_EQ(plan->connections[0].peer, "IRL:BOR");  // learnt from its first APDU
  EXPECT_FALSE(plan->connections[0].dialled);
  EXPECT_TRUE(plan->connections[1].dialled);
  EXPECT_EQ(plan->connections[1].label(), "conn 2 of a.illrec (IRL:LEN, dialled by the hub)");
  std::vector<StepKind> kinds;
  for (const auto& s : plan->steps) kinds.push_back(s.kind);
  EXPECT_EQ(kinds, (std::vector<StepKind>{StepKind::kOpen, StepKind::kOpen, StepKind::kSend, StepKind::kExpect,
                                          StepKind::kExpect, StepKind::kPeerClose, StepKind::kHubClose}));
  EXPECT_TRUE(plan->steps[3].relayed);   // the request, passed on byte for byte
  EXPECT_FALSE(plan->steps[4].relayed);  // the hub's own report
  EXPECT_EQ(plan->steps[4].where, "a.illrec:6");
  EXPECT_EQ(plan->steps[4].at_unix_us, 1012);
}

TEST(ReplayPlan, MergesFilesByRecordedTimeKeepingEachFilesOrder) {
  const Bytes a = sample("ill-request"), b = sample("shipped");
  auto plan = make_plan({recording("one", 1000, {open_rec(0, 1, false, "127.0.0.2:1"), rec(EventKind::kIn, 50, 1, a)}),
                         recording("two", 1010, {open_rec(0, 1, false, "127.0.0.3:1"), rec(EventKind::kIn, 20, 1, b)})});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->steps.size(), 4u);
  EXPECT_EQ(plan->steps[0].where, "one:2");
  EXPECT_EQ(plan->steps[1].where, "two:2");
  EXPECT_EQ(plan->steps[2].where, "two:3");  // 1030 before 1050
  EXPECT_EQ(plan->steps[3].where, "one:3");
  EXPECT_NE(plan->steps[2].connection, plan->steps[3].connection);  // same number, other file
}

TEST(ReplayPlan, UnframedBytesAreSentAsRecorded) {
  auto plan = make_plan({recording("u", 0, {open_rec(0, 1, false, "127.0.0.2:1"),
                                            rec(EventKind::kUnframed, 1, 1, {0x7f, 0xff, 0xff})})});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->steps[1].kind, StepKind::kSend);
  EXPECT_TRUE(plan->steps[1].unframed);
  EXPECT_EQ(plan->steps[1].bytes, (Bytes{0x7f, 0xff, 0xff}));
}

TEST(ReplayPlan, RefusesARecordOnAConnectionNeverOpenedNamingTheLine) {
  auto plan = make_plan({recording("bad.illrec", 0, {rec(EventKind::kIn, 1, 9, sample("ill-request"))})});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error(), "bad.illrec:2: connection 9 was never opened");
}

TEST(ReplayPlan, RefusesARecordAfterItsConnectionClosedAndASecondOpen) {
  auto after = make_plan({recording("x", 0, {open_rec(0, 1, false, "127.0.0.2:1"), close_rec(1, 1, ClosedBy::kHub),
                                             rec(EventKind::kIn, 2, 1, sample("ill-request"))})});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error(), "x:4: connection 1 was closed before");
  auto twice = make_plan({recording("y", 0, {open_rec(0, 1, false, "127.0.0.2:1"), open_rec(1, 1, false, "127.0.0.2:2")})});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), "y:3: connection 1 is opened a second time");
}

}  // namespace
}  // namespace illhub::test
