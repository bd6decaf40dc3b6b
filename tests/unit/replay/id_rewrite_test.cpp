// --rewrite-ids: the peers' transaction-qualifiers get the suffix in what is sent and, the
// same way, in what is expected (relays stay byte-identical, the hub's correlation text
// follows); what names no transaction of the peers is left alone.
#include "app/illctl/replay/id_rewrite.hpp"

#include <gtest/gtest.h>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "replay_test_data.hpp"

namespace illhub::test {
namespace {

using app::replay::NamedRecording;
using record::EventKind;

std::string qualifier_of(const Bytes& b) {
  auto apdu = codec::decode(b);
  return apdu ? codec::read_envelope(*apdu).transaction_id.qualifier : "(does not decode)";
}

app::replay::Plan loan_plan(const Bytes& unknown_report) {
  NamedRecording n;
  n.name = "r";
  n.recording.records = {open_rec(0, 1, false, "127.0.0.2:1"), open_rec(0, 2, false, "127.0.0.3:1"),
                         rec(EventKind::kIn, 1, 1, sample("ill-request")),
                         rec(EventKind::kOut, 2, 2, sample("ill-request")),
                         rec(EventKind::kIn, 3, 1, {0x61, 0x03, 0x02, 0x01, 0x05}),
                         rec(EventKind::kOut, 4, 1, unknown_report),
                         rec(EventKind::kOut, 5, 1, refusal("T0001", "20261124", "101500"))};
  auto plan = app::replay::make_plan({n});
  EXPECT_TRUE(plan) << plan.error();
  return std::move(plan).value();
}

TEST(IdRewrite, SuffixesThePeersQualifierInSentAndExpectedAlike) {
  const Bytes unknown = refusal("unknown", "20261124", "101500");
  auto plan = loan_plan(unknown);
  ASSERT_TRUE(app::replay::rewrite_ids(plan, "-x1"));
  const auto& s = plan.steps;
  EXPECT_EQ(qualifier_of(s[2].bytes), "T0001-x1");  // sent
  EXPECT_EQ(s[3].bytes, s[2].bytes);                // the relay expected is exactly what is sent
  EXPECT_TRUE(s[3].relayed);
  EXPECT_EQ(s[4].bytes, (Bytes{0x61, 0x03, 0x02, 0x01, 0x05}));  // undecodable: sent as recorded
  EXPECT_EQ(s[5].bytes, unknown);  // the hub's "unknown" is no qualifier of the peers
  EXPECT_EQ(qualifier_of(s[6].bytes), "T0001-x1");
  auto report = codec::decode(s[6].bytes);
  ASSERT_TRUE(report);
  EXPECT_NE(codec::to_json(*report).find("\"correlation-information\": \"G1/T0001-x1\""), std::string::npos)
      << codec::to_json(*report);
}

TEST(IdRewrite, TwoRunsWithTheirOwnSuffixesDiffer) {
  const std::string a = app::replay::default_id_suffix();
  EXPECT_EQ(a.rfind("-r", 0), 0u);
  EXPECT_GT(a.size(), 4u);
  auto plan1 = loan_plan(refusal("unknown", "20261124", "101500"));
  auto plan2 = loan_plan(refusal("unknown", "20261124", "101500"));
  ASSERT_TRUE(app::replay::rewrite_ids(plan1, "-a"));
  ASSERT_TRUE(app::replay::rewrite_ids(plan2, "-b"));
  EXPECT_NE(plan1.steps[2].bytes, plan2.steps[2].bytes);
  EXPECT_EQ(qualifier_of(plan2.steps[2].bytes), "T0001-b");
}

}  // namespace
}  // namespace illhub::test
