// Comparing the hub's APDUs with the recorded ones: equal bytes, the normalised fields (the
// hub's clock, database event numbers), real differences shown as a diff that names the
// field, and relays that must be byte for byte.
#include "app/illctl/replay/apdu_compare.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "illhub/codec/codec.hpp"
#include "replay_test_data.hpp"

namespace illhub::test {
namespace {

using app::replay::compare_apdus;
using app::replay::diff_lines;

bool has_line(const std::vector<std::string>& lines, const std::string& want) {
  return std::find(lines.begin(), lines.end(), want) != lines.end();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

TEST(ApduCompare, EqualBytesMatch) {
  const Bytes request = sample("ill-request");
  auto c = compare_apdus(request, request, /*relayed=*/true);
  EXPECT_TRUE(c.matched);
  EXPECT_TRUE(c.normalised.empty());
}

TEST(ApduCompare, TheHubsServiceTimeAndEventNumberAreNormalisedAndListed) {
  auto c = compare_apdus(refusal("T1", "20261124", "101500"), refusal("T1", "20270101", "235959"), false);
  ASSERT_TRUE(c.matched) << joined(c.diff);
  EXPECT_EQ(c.normalised, (std::vector<std::string>{
                              "status-or-error-report.service-date-time.date-time-of-this-service.date",
                              "status-or-error-report.service-date-time.date-time-of-this-service.time"}));
}

TEST(ApduCompare, ADifferentRefusalIsADivergenceWhoseDiffNamesTheField) {
  const Bytes recorded = refusal("T1", "20261124", "101500", {codec::ApduKind::kReturned, 2});
  const Bytes now = refusal("T1", "20261125", "090000", {codec::ApduKind::kReturned, 3});
  auto c = compare_apdus(recorded, now, false);
  ASSERT_FALSE(c.matched);
  const std::string path =
      "status-or-error-report.error-report.provider-error-report.state-transition-prohibited.current-state: ";
  EXPECT_TRUE(has_line(c.diff, "- " + path + "\"pENDING\"")) << joined(c.diff);
  EXPECT_TRUE(has_line(c.diff, "+ " + path + "\"iN-PROCESS\"")) << joined(c.diff);
  // Only the changed field and its context: not the normalised time, not the whole APDU.
  for (const auto& line : c.diff) EXPECT_EQ(line.find("date-time-of-this-service"), std::string::npos) << line;
  EXPECT_LT(c.diff.size(), 8u) << joined(c.diff);
}

TEST(ApduCompare, ARelayMustKeepItsBytesEvenWhenItDecodesTheSame) {
  const Bytes yaz = sample("ill-request");
  auto apdu = codec::decode(yaz);
  ASSERT_TRUE(apdu);
  auto ours = codec::encode(*apdu);  // same values, our encoding (DEFAULTs written out)
  ASSERT_TRUE(ours);
  ASSERT_NE(*ours, yaz);
  auto c = compare_apdus(yaz, *ours, /*relayed=*/true);
  EXPECT_FALSE(c.matched);
  ASSERT_FALSE(c.diff.empty());
  EXPECT_NE(c.diff[0].find("byte for byte"), std::string::npos) << joined(c.diff);
  // Not relayed (built by the hub), the same values match.
  EXPECT_TRUE(compare_apdus(yaz, *ours, false).matched);
}

TEST(ApduCompare, AReceivedFrameThatDoesNotDecodeIsADivergence) {
  auto c = compare_apdus(sample("shipped"), Bytes{0x61, 0x03, 0x02, 0x01, 0x05}, false);
  EXPECT_FALSE(c.matched);
  ASSERT_FALSE(c.diff.empty());
  EXPECT_NE(c.diff[0].find("received APDU does not decode"), std::string::npos) << joined(c.diff);
}

TEST(ApduCompare, AFieldOnOneSideOnlyIsNotNormalisedAway) {
  // Recorded with a time, received without: a real difference, even in a normalised field.
  auto c = compare_apdus(refusal("T1", "20261124", "101500"), refusal("T1", "20261124", ""), false);
  EXPECT_FALSE(c.matched);
  EXPECT_TRUE(has_line(c.diff, "- status-or-error-report.service-date-time.date-time-of-this-service.time: "
                               "\"101500\"")) << joined(c.diff);
}

TEST(DiffLines, ShowsOnlyChangesWithContextAndMarksGaps) {
  std::vector<std::string> a, b;
  for (int i = 0; i < 20; ++i) a.push_back("line " + std::to_string(i));
  b = a;
  b[3] = "changed 3";
  b.erase(b.begin() + 15);
  const auto d = diff_lines(a, b, 1);
  EXPECT_EQ(d, (std::vector<std::string>{"  line 2", "- line 3", "+ changed 3", "  line 4", "  ...", "  line 14",
                                         "- line 15", "  line 16"}));
  EXPECT_TRUE(diff_lines(a, a).empty());
}

}  // namespace
}  // namespace illhub::test
