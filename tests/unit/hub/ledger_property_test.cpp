// Random lifecycles through the engine: every currency always sums to zero, and the balances
// equal a recomputation from the accepted APDUs alone (not from the postings).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "hub_test_util.hpp"
#include "illhub/hub/engine.hpp"

namespace illhub::hub {
namespace {

using codec::ApduKind;
using testing::kBorrower;
using testing::kLender;

struct Candidate {
  codec::Envelope apdu;
  const char* from;
};

std::vector<Candidate> candidates(std::mt19937& rng, int n) {
  std::uniform_int_distribution<int> cost(0, 3), yes(0, 1);
  const std::string costs[] = {"", "5.00", "12,50", "0.99"};
  auto reply = [&](ApduKind k) {
    codec::Envelope e = testing::apdu(k, n);
    e.answer = yes(rng) == 1;
    return e;
  };
  codec::Envelope copy = testing::shipped(costs[cost(rng)], "", n, codec::IllServiceType::kCopyNonReturnable);
  return {
      {testing::answer(codec::TransactionResults::kWillSupply, n), kLender},
      {testing::answer(codec::TransactionResults::kConditional, n), kLender},
      {testing::answer(codec::TransactionResults::kUnfilled, n), kLender},
      {reply(ApduKind::kConditionalReply), kBorrower},
      {testing::apdu(ApduKind::kCancel, n), kBorrower},
      {reply(ApduKind::kCancelReply), kLender},
      {testing::shipped(costs[cost(rng)], yes(rng) ? "40.00" : "", n), kLender},
      {copy, kLender},
      {testing::apdu(ApduKind::kReceived, n), kBorrower},
      {testing::apdu(ApduKind::kRenew, n), kBorrower},
      {reply(ApduKind::kRenewAnswer), kLender},
      {testing::apdu(ApduKind::kOverdue, n), kLender},
      {testing::apdu(ApduKind::kRecall, n), kLender},
      {testing::apdu(ApduKind::kReturned, n), kBorrower},
      {testing::apdu(ApduKind::kCheckedIn, n), kLender},
      {testing::apdu(ApduKind::kLost, n), yes(rng) ? kBorrower : kLender},
      {testing::apdu(ApduKind::kDamaged, n), kLender},
      {testing::apdu(ApduKind::kMessage, n), kBorrower},
  };
}

TEST(LedgerProperty, RandomLifecyclesBalanceAndMatchARecomputation) {
  LedgerPolicy policy;
  policy.subsidy_percent = 25;
  std::mt19937 rng(20261124);
  int accepted_total = 0;
  for (int run = 0; run < 400; ++run) {
    TransactionSnapshot t;
    std::vector<Posting> postings;
    std::int64_t expected_charges = 0, expected_replacement = 0;
    std::optional<std::int64_t> insured;
    bool replaced = false;
    Decision first = decide(Incoming{testing::apdu(ApduKind::kIllRequest), kBorrower}, t, policy);
    ASSERT_EQ(first.outcome, Outcome::kAccepted);
    t = first.next;
    for (int n = 1; n < 40; ++n) {
      auto options = candidates(rng, n);
      const Candidate& c = options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)];
      const Decision d = decide(Incoming{c.apdu, c.from}, t, policy);
      if (d.outcome != Outcome::kAccepted) continue;
      ++accepted_total;
      // Independent recomputation from the APDU's own fields.
      if (c.apdu.kind == ApduKind::kShipped && c.apdu.cost)
        expected_charges += *parse_decimal(c.apdu.cost->value == "12,50" ? "12.50" : c.apdu.cost->value);
      if (c.apdu.kind == ApduKind::kShipped && c.apdu.insured_for) insured = 400000;
      if ((c.apdu.kind == ApduKind::kLost || c.apdu.kind == ApduKind::kDamaged) && insured && !replaced) {
        expected_replacement += *insured;
        replaced = true;
      }
      postings.insert(postings.end(), d.postings.begin(), d.postings.end());
      t = d.next;
    }
    std::map<std::string, std::int64_t> per_currency;
    std::map<std::string, std::int64_t> lender, subsidy, borrower_items;
    for (const Posting& p : postings) {
      per_currency[p.currency] += p.amount;
      if (p.account == "library:IRL:LEN") lender[p.currency] += p.amount;
      if (p.account == "consortium:subsidy") subsidy[p.currency] += p.amount;
      if (p.account == "library:IRL:BOR" && p.currency == "ITM") borrower_items["ITM"] += p.amount;
    }
    for (const auto& [currency, sum] : per_currency) ASSERT_EQ(sum, 0) << "run " << run << " " << currency;
    ASSERT_EQ(lender["EUR"], expected_charges + expected_replacement) << "run " << run;
    ASSERT_EQ(subsidy["EUR"], -(expected_charges * 25 / 100)) << "run " << run;
    // The borrower holds the item exactly when the tables say the borrower has custody of a loan.
    const bool holds = protocol::custody_of(t.view.requester) == protocol::Custody::kBorrower &&
                       t.view.conditions.return_variable != protocol::Return::kCopy;
    ASSERT_EQ(borrower_items["ITM"], holds ? kMoneyScale : 0) << "run " << run;
  }
  EXPECT_GT(accepted_total, 2000);  // the walks really went somewhere
}

}  // namespace
}  // namespace illhub::hub
