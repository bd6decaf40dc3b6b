#include "illhub/hub/ledger_rules.hpp"

#include <gtest/gtest.h>

#include <map>

#include "hub_test_util.hpp"

namespace illhub::hub {
namespace {

using protocol::State;
using testing::kBorrower;
using testing::kLender;

LedgerContext context(State r0, State s0, State r1, State s1) {
  LedgerContext c;
  c.requester_symbol = kBorrower;
  c.responder_symbol = kLender;
  c.before.requester = r0;
  c.before.responder = s0;
  c.after.requester = r1;
  c.after.responder = s1;
  return c;
}

std::map<std::pair<std::string, std::string>, std::int64_t> balances(const std::vector<Posting>& ps) {
  std::map<std::pair<std::string, std::string>, std::int64_t> b;
  for (const auto& p : ps) b[{p.account, p.currency}] += p.amount;
  return b;
}

TEST(LedgerRules, ShippedLoanMovesOneItemAndChargesTheCost) {
  auto ps = postings_for(testing::shipped("7.50"), context(State::kPending, State::kPending, State::kShipped, State::kShipped), {});
  ASSERT_TRUE(ps);
  auto b = balances(*ps);
  EXPECT_EQ((b[{"library:IRL:BOR", "ITM"}]), kMoneyScale);
  EXPECT_EQ((b[{"library:IRL:LEN", "ITM"}]), -kMoneyScale);
  EXPECT_EQ((b[{"library:IRL:BOR", "EUR"}]), -75000);
  EXPECT_EQ((b[{"library:IRL:LEN", "EUR"}]), 75000);
}

TEST(LedgerRules, CopiesMoveNoItem) {
  auto c = context(State::kPending, State::kPending, State::kShipped, State::kShipped);
  c.after.conditions.return_variable = protocol::Return::kCopy;
  auto ps = postings_for(testing::shipped("2.00", "", 0, codec::IllServiceType::kCopyNonReturnable), c, {});
  ASSERT_TRUE(ps);
  for (const auto& p : *ps) EXPECT_NE(p.currency, "ITM");
  EXPECT_EQ(ps->size(), 2u);  // the charge only
}

TEST(LedgerRules, ReturnBringsTheItemBack) {
  auto ps = postings_for(testing::apdu(codec::ApduKind::kReturned),
                         context(State::kReceived, State::kReceived, State::kReturned, State::kReturned), {});
  ASSERT_TRUE(ps);
  auto b = balances(*ps);
  EXPECT_EQ((b[{"library:IRL:LEN", "ITM"}]), kMoneyScale);
  ASSERT_EQ(ps->size(), 2u);
  EXPECT_EQ((*ps)[0].kind, PostingKind::kLoanBack);
}

TEST(LedgerRules, LostChargesTheInsuredValueOnce) {
  auto c = context(State::kReceived, State::kReceived, State::kLost, State::kLost);
  c.insured_value = Money{300000, "EUR"};
  auto ps = postings_for(testing::apdu(codec::ApduKind::kLost), c, {});
  ASSERT_TRUE(ps);
  auto b = balances(*ps);
  EXPECT_EQ((b[{"library:IRL:BOR", "EUR"}]), -300000);
  EXPECT_EQ((b[{"library:IRL:LEN", "ITM"}]), kMoneyScale);  // written off as lost
  c.replacement_charged = true;
  auto again = postings_for(testing::apdu(codec::ApduKind::kLost), c, {});
  for (const auto& p : *again) EXPECT_NE(p.kind, PostingKind::kReplacement);
}

TEST(LedgerRules, SubsidyPaysPartOfTheChargeForTheBorrower) {
  LedgerPolicy policy;
  policy.subsidy_percent = 40;
  auto ps = postings_for(testing::shipped("10.00"), context(State::kPending, State::kPending, State::kShipped, State::kShipped), policy);
  ASSERT_TRUE(ps);
  auto b = balances(*ps);
  EXPECT_EQ((b[{"library:IRL:BOR", "EUR"}]), -60000);
  EXPECT_EQ((b[{"library:IRL:LEN", "EUR"}]), 100000);
  EXPECT_EQ((b[{"consortium:subsidy", "EUR"}]), -40000);
}

TEST(LedgerRules, EveryPostingSetSumsToZeroPerCurrency) {
  LedgerPolicy policy;
  policy.subsidy_percent = 33;
  auto c = context(State::kPending, State::kPending, State::kShipped, State::kShipped);
  auto ps = postings_for(testing::shipped("9.99"), c, policy);
  ASSERT_TRUE(ps);
  std::map<std::string, std::int64_t> sums;
  for (const auto& p : *ps) sums[p.currency] += p.amount;
  for (const auto& [currency, sum] : sums) EXPECT_EQ(sum, 0) << currency;
}

TEST(LedgerRules, AnUnreadableCostIsAnErrorNotAGuess) {
  auto ps = postings_for(testing::shipped("lots"), context(State::kPending, State::kPending, State::kShipped, State::kShipped), {});
  ASSERT_FALSE(ps);
  EXPECT_NE(ps.error().find("Shipped cost"), std::string::npos);
}

}  // namespace
}  // namespace illhub::hub
