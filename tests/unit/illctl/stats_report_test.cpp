#include "app/illctl/stats_report.hpp"

#include <gtest/gtest.h>

namespace illhub::app {
namespace {

TEST(StatsReport, NearestRankPercentilesAreValuesThatOccurred) {
  EXPECT_FALSE(nearest_rank({}, 50));
  EXPECT_EQ(nearest_rank({7}, 90), 7);
  EXPECT_EQ(nearest_rank({4, 1, 3, 2}, 50), 2);  // rank 2 of 4: the lower middle
  EXPECT_EQ(nearest_rank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90), 9);
  EXPECT_EQ(nearest_rank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90), 10);  // rank ceil(9.9) = 10
}

TransactionFacts facts(const char* borrower, const char* lender, const char* title, bool shipped, bool loan) {
  TransactionFacts f;
  f.borrower = borrower;
  f.lender = lender;
  f.title = title;
  f.month = "2025-01";
  f.requested = 0;
  if (shipped) f.shipped = 3600;
  f.is_loan = loan;
  return f;
}

TEST(StatsReport, FillRateUnfilledReasonsFlowAndRepeatedTitles) {
  std::vector<TransactionFacts> all = {facts("A", "B", "Same  Title", true, true),
                                       facts("C", "B", "same title ", true, false),
                                       facts("A", "C", "Other", false, false)};
  all[0].overdue = true;
  all[2].unfilled_reason = 5;
  const StatsReport r = build_stats_report(all, "");
  EXPECT_EQ(r.overall.requests, 3);
  EXPECT_EQ(r.overall.filled, 2);
  EXPECT_EQ(r.overall.unfilled, 1);
  EXPECT_EQ(r.overall.unfilled_by_reason.at("not-owned"), 1);
  EXPECT_DOUBLE_EQ(*r.overall.fill_rate(), 2.0 / 3.0);
  EXPECT_EQ(r.overall.loans, 1);
  EXPECT_DOUBLE_EQ(*r.overall.overdue_rate(), 1.0);
  EXPECT_EQ(r.overall.stages[0].median, 3600);
  EXPECT_FALSE(r.overall.stages[1].median);
  EXPECT_EQ(r.flow.at({"B", "A"}), 1);
  EXPECT_EQ(r.flow.at({"B", "C"}), 1);
  EXPECT_EQ(r.flow.count({"C", "A"}), 0u);
  ASSERT_EQ(r.repeated_titles.size(), 1u);
  EXPECT_EQ(r.repeated_titles[0].requests, 2);
  EXPECT_EQ(r.repeated_titles[0].borrowers, 2);
  EXPECT_EQ(r.as_lender.at("B").filled, 2);
  EXPECT_EQ(r.as_borrower.at("A").requests, 2);
}

TEST(StatsReport, NoRequestsLeavesRatesUndefined) {
  const StatsReport r = build_stats_report({}, "");
  EXPECT_FALSE(r.overall.fill_rate());
  EXPECT_FALSE(r.overall.loss_rate());
  EXPECT_TRUE(r.months.empty());
}

}  // namespace
}  // namespace illhub::app
