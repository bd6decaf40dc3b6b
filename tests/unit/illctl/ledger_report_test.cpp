#include "app/illctl/ledger_report.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace illhub::app {
namespace {

LedgerSum sum(const char* kind, const char* currency, LedgerSide side, bool in_period, std::int64_t amount) {
  return {"L", "B", kind, currency, side, in_period, amount};
}

TEST(LedgerReport, OneLoanWithChargeAndSubsidySeenFromBothSides) {
  const std::vector<LedgerSum> sums = {
      sum("loan-out", "ITM", LedgerSide::kBorrower, true, 10000),
      sum("loan-out", "ITM", LedgerSide::kLender, true, -10000),
      sum("charge", "EUR", LedgerSide::kLender, true, 75000),
      sum("charge", "EUR", LedgerSide::kBorrower, true, -75000),
      sum("subsidy", "EUR", LedgerSide::kBorrower, true, 15000),
      sum("subsidy", "EUR", LedgerSide::kOther, true, -15000)};
  auto report = build_ledger_report(sums, "");
  ASSERT_TRUE(report);
  ASSERT_EQ(report->libraries.size(), 2u);
  const LedgerLine& b = report->libraries[0];  // "B" sorts first
  const LedgerLine& l = report->libraries[1];
  EXPECT_EQ(b.library, "B");
  EXPECT_EQ(l.items.lent, 1);
  EXPECT_EQ(l.items.on_loan_out, 1);
  EXPECT_EQ(b.items.borrowed, 1);
  EXPECT_EQ(b.items.on_loan_in, 1);
  EXPECT_EQ(l.money.at("EUR").charges_due, 75000);
  EXPECT_EQ(l.money.at("EUR").net, 75000);
  EXPECT_EQ(b.money.at("EUR").charges_owed, 75000);
  EXPECT_EQ(b.money.at("EUR").subsidies, 15000);
  EXPECT_EQ(b.money.at("EUR").net, -60000);
  // The pair lines settle the charge alone: the subsidy is not between the two libraries.
  ASSERT_EQ(report->pairs.size(), 2u);
  EXPECT_EQ(report->pairs[0].library, "B");
  EXPECT_EQ(report->pairs[0].money.at("EUR").net, -75000);
  EXPECT_EQ(report->pairs[1].money.at("EUR").net, 75000);
  EXPECT_EQ(report->pairs[0].money.at("EUR").subsidies, 0);
}

TEST(LedgerReport, MovementsBeforeThePeriodCountOnlyTowardsWhatIsOnLoan) {
  const std::vector<LedgerSum> sums = {sum("loan-out", "ITM", LedgerSide::kBorrower, false, 20000),
                                       sum("loan-back", "ITM", LedgerSide::kBorrower, true, -10000),
                                       sum("charge", "EUR", LedgerSide::kLender, false, 50000)};
  auto report = build_ledger_report(sums, "L");
  ASSERT_TRUE(report);
  ASSERT_EQ(report->libraries.size(), 1u);
  const LedgerLine& l = report->libraries[0];
  EXPECT_EQ(l.items.lent, 0);
  EXPECT_EQ(l.items.returned, 1);
  EXPECT_EQ(l.items.on_loan_out, 1);
  EXPECT_TRUE(l.money.empty());
  ASSERT_EQ(report->pairs.size(), 1u);
  EXPECT_EQ(report->pairs[0].counterparty, "B");
}

TEST(LedgerReport, ATotalBeyond64BitsIsAnError) {
  const auto big = std::numeric_limits<std::int64_t>::max() - 1;
  const std::vector<LedgerSum> sums = {sum("charge", "EUR", LedgerSide::kLender, true, big),
                                       {"L", "C", "charge", "EUR", LedgerSide::kLender, true, big}};
  EXPECT_FALSE(build_ledger_report(sums, ""));
}

}  // namespace
}  // namespace illhub::app
