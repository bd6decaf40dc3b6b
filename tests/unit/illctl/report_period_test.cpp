#include "app/illctl/report_period.hpp"

#include <gtest/gtest.h>

namespace illhub::app {
namespace {

TEST(ReportPeriod, ToIncludesItsWholeDay) {
  auto p = make_period(std::string("2025-02-01"), std::string("2025-02-28"));
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->from_timestamp, "2025-02-01 00:00:00+00");
  EXPECT_EQ(p->to_timestamp, "2025-03-01 00:00:00+00");
}

TEST(ReportPeriod, EndOfYearAndLeapDayRollOver) {
  EXPECT_EQ(make_period(std::nullopt, std::string("2024-12-31"))->to_timestamp, "2025-01-01 00:00:00+00");
  EXPECT_EQ(make_period(std::nullopt, std::string("2024-02-29"))->to_timestamp, "2024-03-01 00:00:00+00");
}

TEST(ReportPeriod, OpenOnBothSidesWhenNotGiven) {
  auto p = make_period(std::nullopt, std::nullopt);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->from_timestamp.empty());
  EXPECT_TRUE(p->to_timestamp.empty());
}

TEST(ReportPeriod, RefusesWhatIsNotADay) {
  for (const char* bad : {"2025-02-30", "2023-02-29", "2025-13-01", "2025-1-01", "20250101", "2025-01-0x", ""})
    EXPECT_FALSE(make_period(std::string(bad), std::nullopt)) << bad;
  auto reversed = make_period(std::string("2025-03-01"), std::string("2025-02-01"));
  ASSERT_FALSE(reversed);
  EXPECT_NE(reversed.error().find("after"), std::string::npos);
}

}  // namespace
}  // namespace illhub::app
