#include "illhub/hub/override_rules.hpp"

#include <gtest/gtest.h>

namespace illhub::hub {
namespace {

using protocol::Custody;
using protocol::Role;
using protocol::State;

TEST(OverrideRules, RefusesMovingALoanedItemBackWithoutItsPosting) {
  const LedgerFacts with_borrower{Custody::kBorrower, true};
  auto refusal = override_refusal(Role::kResponder, State::kCheckedIn, true, with_borrower);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("ledger has it with borrower"), std::string::npos) << *refusal;
  EXPECT_TRUE(override_refusal(Role::kResponder, State::kLost, true, with_borrower));
  EXPECT_TRUE(override_refusal(Role::kRequester, State::kReturned, true, with_borrower));
}

TEST(OverrideRules, AllowsStatesThatAgreeWithTheLedger) {
  const LedgerFacts with_borrower{Custody::kBorrower, true};
  EXPECT_FALSE(override_refusal(Role::kRequester, State::kReceived, true, with_borrower));
  EXPECT_FALSE(override_refusal(Role::kResponder, State::kOverdue, true, with_borrower));
  const LedgerFacts not_shipped{Custody::kLender, false};
  EXPECT_FALSE(override_refusal(Role::kResponder, State::kNotSupplied, true, not_shipped));
  EXPECT_FALSE(override_refusal(Role::kRequester, State::kCancelled, std::nullopt, not_shipped));
  const LedgerFacts lost{Custody::kNobody, true};
  EXPECT_FALSE(override_refusal(Role::kRequester, State::kLost, true, lost));
}

TEST(OverrideRules, RefusesShippedWhenTheLedgerHasTheItemWithTheLender) {
  EXPECT_TRUE(override_refusal(Role::kResponder, State::kShipped, true, LedgerFacts{}));
}

TEST(OverrideRules, RefusesAnUnshippedStateOnceAChargeIsPosted) {
  // A copy: no item postings, but the Shipped's charge stands.
  const LedgerFacts charged{Custody::kLender, true};
  auto refusal = override_refusal(Role::kResponder, State::kNotSupplied, false, charged);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("charge"), std::string::npos);
  EXPECT_FALSE(override_refusal(Role::kResponder, State::kCheckedIn, false, charged));
  EXPECT_FALSE(override_refusal(Role::kResponder, State::kNotSupplied, false, LedgerFacts{}));
}

TEST(OverrideRules, NeverSetsIdle) {
  EXPECT_TRUE(override_refusal(Role::kRequester, State::kIdle, true, LedgerFacts{}));
}

}  // namespace
}  // namespace illhub::hub
