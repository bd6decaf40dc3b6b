#include "illhub/hub/engine.hpp"

#include <gtest/gtest.h>

#include "hub_test_util.hpp"

namespace illhub::hub {
namespace {

using codec::ApduKind;
using protocol::State;
using testing::kBorrower;
using testing::kLender;

/// Applies an APDU the way the store does: decide, and keep `next` when accepted.
Decision step(TransactionSnapshot& t, const codec::Envelope& apdu, const std::string& from) {
  Decision d = decide(Incoming{apdu, from}, t, {});
  if (d.outcome == Outcome::kAccepted) t = d.next;
  return d;
}

TEST(Engine, AcceptsANewRequestFromItsRequester) {
  TransactionSnapshot t;
  const Decision d = step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  ASSERT_EQ(d.outcome, Outcome::kAccepted) << d.reason;
  EXPECT_EQ(d.recipient_symbol, kLender);
  EXPECT_EQ(d.sender_role, protocol::Role::kRequester);
  EXPECT_TRUE(t.exists);
  EXPECT_EQ(t.requester_symbol, kBorrower);
  EXPECT_EQ(t.responder_symbol, kLender);
  EXPECT_EQ(t.view.requester, State::kPending);
  EXPECT_EQ(t.view.responder, State::kInProcess);
}

TEST(Engine, RefusesARequestSentOnBehalfOfAnotherLibrary) {
  TransactionSnapshot t;
  const Decision d = step(t, testing::apdu(ApduKind::kIllRequest), "IRL:XYZ");
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  ASSERT_TRUE(d.refusal);
  EXPECT_TRUE(std::holds_alternative<codec::SecurityProblem>(d.refusal->problem));
  EXPECT_FALSE(t.exists);
}

TEST(Engine, RefusesARequestToALibraryThatIsNotAMember) {
  TransactionSnapshot t;
  const Decision d = decide(Incoming{testing::apdu(ApduKind::kIllRequest), kBorrower, false}, t, {});
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_EQ(std::get<codec::SecurityProblem>(d.refusal->problem).text, "IRL:LEN is not a member of this hub");
}

TEST(Engine, RefusesAnApduForAnUnknownTransaction) {
  TransactionSnapshot t;
  const Decision d = step(t, testing::shipped("1.00"), kLender);
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_EQ(std::get<codec::TransactionIdProblem>(d.refusal->problem), codec::TransactionIdProblem::kUnknown);
}

TEST(Engine, RequiresRequesterAndResponderIds) {
  TransactionSnapshot t;
  codec::Envelope e = testing::apdu(ApduKind::kIllRequest);
  e.responder_id = {};
  const Decision d = step(t, e, kBorrower);
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_NE(d.reason.find("responder-id"), std::string::npos);
}

TEST(Engine, RefusesAPeerThatIsNotAPartyAsIfTheTransactionDidNotExist) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  const Decision d = step(t, testing::apdu(ApduKind::kCancel, 1), "IRL:XYZ");
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  // The answer an unknown transaction gets: nothing tells the stranger that this one exists.
  EXPECT_EQ(std::get<codec::TransactionIdProblem>(d.refusal->problem), codec::TransactionIdProblem::kUnknown);
  EXPECT_EQ(d.reason, "sender is neither requester nor responder of the transaction");
}

TEST(Engine, RefusesARequestStartedInTheNameOfAnotherLibrary) {
  for (const bool by_name : {false, true}) {
    TransactionSnapshot t;
    codec::Envelope e = testing::apdu(ApduKind::kIllRequest);
    e.transaction_id.initial_requester = {};
    (by_name ? e.transaction_id.initial_requester.name : e.transaction_id.initial_requester.symbol) = kLender;
    const Decision d = step(t, e, kBorrower);
    ASSERT_EQ(d.outcome, Outcome::kRefused) << by_name;
    EXPECT_EQ(std::get<codec::SecurityProblem>(d.refusal->problem).text,
              "IRL:BOR may not start a transaction in the name of IRL:LEN (initial-requester-id)");
    EXPECT_FALSE(t.exists);
  }
  // Its own symbol, or none at all, is fine.
  for (const char* initial : {kBorrower, ""}) {
    TransactionSnapshot t;
    codec::Envelope e = testing::apdu(ApduKind::kIllRequest);
    e.transaction_id.initial_requester.symbol = initial;
    EXPECT_EQ(step(t, e, kBorrower).outcome, Outcome::kAccepted) << initial;
  }
}

TEST(Engine, RefusesAnApduNamingOtherParties) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  codec::Envelope e = testing::answer(codec::TransactionResults::kWillSupply, 1);
  e.requester_id.symbol = "IRL:OTHER";
  const Decision d = step(t, e, kLender);
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  EXPECT_EQ(std::get<codec::TransactionIdProblem>(d.refusal->problem), codec::TransactionIdProblem::kInvalid);
}

TEST(Engine, RefusesReturnedBeforeShippedWithTheStateItMet) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  const TransactionSnapshot before = t;
  const Decision d = step(t, testing::apdu(ApduKind::kReturned, 1), kBorrower);
  ASSERT_EQ(d.outcome, Outcome::kRefused);
  const auto& p = std::get<codec::StateTransitionProhibited>(d.refusal->problem);
  EXPECT_EQ(p.apdu_type, ApduKind::kReturned);
  EXPECT_EQ(p.current_state, 2);  // PENDING, the requester's own state
  EXPECT_EQ(t.view, before.view);
  EXPECT_TRUE(d.postings.empty());
}

TEST(Engine, RecognisesTheSameApduSentAgain) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  ASSERT_EQ(step(t, testing::answer(codec::TransactionResults::kWillSupply, 1), kLender).outcome, Outcome::kAccepted);
  const TransactionSnapshot before = t;
  const Decision d = step(t, testing::answer(codec::TransactionResults::kWillSupply, 1), kLender);
  EXPECT_EQ(d.outcome, Outcome::kDuplicate);
  EXPECT_EQ(t.view, before.view);
}

TEST(Engine, WholeLoanLeavesItemsBalancedAndTheChargeOwed) {
  TransactionSnapshot t;
  std::vector<Posting> all;
  auto run = [&](const codec::Envelope& e, const std::string& from) {
    const Decision d = step(t, e, from);
    EXPECT_EQ(d.outcome, Outcome::kAccepted) << codec::to_string(e.kind) << ": " << d.reason;
    all.insert(all.end(), d.postings.begin(), d.postings.end());
  };
  run(testing::apdu(ApduKind::kIllRequest), kBorrower);
  run(testing::answer(codec::TransactionResults::kWillSupply, 1), kLender);
  run(testing::shipped("7.50", "30.00", 2), kLender);
  EXPECT_EQ(t.date_due, "20261231");
  ASSERT_TRUE(t.insured_value);
  EXPECT_EQ(t.insured_value->units, 300000);
  run(testing::apdu(ApduKind::kReceived, 3), kBorrower);
  run(testing::apdu(ApduKind::kReturned, 4), kBorrower);
  run(testing::apdu(ApduKind::kCheckedIn, 5), kLender);
  EXPECT_EQ(t.view.requester, State::kCheckedIn);
  EXPECT_EQ(t.view.responder, State::kCheckedIn);
  std::int64_t items = 0, lender_eur = 0;
  for (const auto& p : all) {
    if (p.currency == "ITM" && p.account == "library:IRL:BOR") items += p.amount;
    if (p.currency == "EUR" && p.account == "library:IRL:LEN") lender_eur += p.amount;
  }
  EXPECT_EQ(items, 0);  // lent and back
  EXPECT_EQ(lender_eur, 75000);
}

TEST(Engine, LostAfterReceivedChargesTheInsuredValue) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  step(t, testing::shipped("", "30.00", 1), kLender);
  step(t, testing::apdu(ApduKind::kReceived, 2), kBorrower);
  const Decision d = step(t, testing::apdu(ApduKind::kLost, 3), kBorrower);
  ASSERT_EQ(d.outcome, Outcome::kAccepted) << d.reason;
  std::int64_t replacement = 0;
  for (const auto& p : d.postings)
    if (p.kind == PostingKind::kReplacement && p.account == "library:IRL:LEN") replacement += p.amount;
  EXPECT_EQ(replacement, 300000);
  EXPECT_TRUE(t.replacement_charged);
}

TEST(Engine, AnUnreadableCostIsRelayedWithANoteAndNoPosting) {
  TransactionSnapshot t;
  step(t, testing::apdu(ApduKind::kIllRequest), kBorrower);
  const Decision d = step(t, testing::shipped("a lot", "", 1), kLender);
  ASSERT_EQ(d.outcome, Outcome::kAccepted);
  EXPECT_FALSE(d.ledger_note.empty());
  EXPECT_TRUE(d.postings.empty());
}

}  // namespace
}  // namespace illhub::hub
