// Whole transactions through the hub, told as stories. Each step is what one library's system
// sends; the hub decides against both tables and the story checks both sides' states.
#include <gtest/gtest.h>

#include "illhub/protocol/hub_view.hpp"
#include "protocol_test_util.hpp"

namespace illhub::protocol {
namespace {

using test::Story;
using A = ApduKind;
using D = Detail;
using S = State;

#define EXPECT_STATES(story, req, resp)            \
  do {                                             \
    EXPECT_EQ((story).view().requester, (req));    \
    EXPECT_EQ((story).view().responder, (resp));   \
  } while (0)

void expect_allowed(const Decision& d) {
  EXPECT_EQ(d.verdict, Verdict::kAllowed) << (d.report ? to_string(*d.report) : "");
}

void expect_prohibited(const Decision& d, A kind, S state) {
  ASSERT_EQ(d.verdict, Verdict::kRefused);
  EXPECT_EQ(d.report->kind, ErrorReport::Kind::kStateTransitionProhibited);
  EXPECT_EQ(d.report->apdu_type, kind);
  EXPECT_EQ(d.report->current_state, state);
}

// A loan requested: ILL-Request (loan) relayed, both sides moving off IDLE.
Story requested_loan(TransactionView start = {}) {
  Story story(std::move(start));
  HubApdu request = test::hub_apdu(A::kIllRequest, Role::kRequester, D::kNone);
  request.service_type = ShippedServiceType::kLoan;
  expect_allowed(story.hand(request));
  EXPECT_STATES(story, S::kPending, S::kInProcess);
  return story;
}

HubApdu shipped(ShippedServiceType type) {
  HubApdu a = test::hub_apdu(A::kShipped, Role::kResponder, D::kNone);
  a.service_type = type;
  return a;
}

// A loan the borrower holds: requested, promised, shipped, received.
Story loan_received(TransactionView start = {}) {
  Story story = requested_loan(std::move(start));
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  return story;
}

TEST(Scenario, LoanHappyPath) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  EXPECT_STATES(story, S::kPending, S::kPending);
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  EXPECT_FALSE(is_finished(story.view())) << "a loan goes on after RECEIVED";
  expect_allowed(story.requester(A::kReturned));
  EXPECT_STATES(story, S::kReturned, S::kReturned);
  const Decision last = story.responder(A::kCheckedIn);
  expect_allowed(last);
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
  EXPECT_TRUE(last.finished);
}

TEST(Scenario, CopyEndsWhenReceived) {
  Story story;
  HubApdu request = test::hub_apdu(A::kIllRequest, Role::kRequester, D::kNone);
  request.service_type = ShippedServiceType::kCopyNonReturnable;
  expect_allowed(story.hand(request));
  expect_allowed(story.hand(shipped(ShippedServiceType::kCopyNonReturnable)));
  EXPECT_EQ(story.view().conditions.return_variable, Return::kCopy);
  const Decision received = story.requester(A::kReceived);
  expect_allowed(received);
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  EXPECT_TRUE(received.finished);
  expect_prohibited(story.requester(A::kReturned), A::kReturned, S::kReceived);
  expect_prohibited(story.requester(A::kRenew), A::kRenew, S::kReceived);
  expect_prohibited(story.responder(A::kOverdue), A::kOverdue, S::kReceived);
  expect_allowed(story.requester(A::kMessage));  // still talkable, no state
  EXPECT_STATES(story, S::kReceived, S::kReceived);
}

TEST(Scenario, ConditionalAnswerAccepted) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kConditional));
  EXPECT_STATES(story, S::kConditional, S::kConditional);
  expect_prohibited(story.hand(shipped(ShippedServiceType::kLoan)), A::kShipped,
                    S::kConditional);
  expect_allowed(story.requester(A::kConditionalReply, D::kYes));
  EXPECT_STATES(story, S::kPending, S::kPending);
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
}

TEST(Scenario, ConditionalAnswerRefused) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kConditional));
  const Decision no = story.requester(A::kConditionalReply, D::kNo);
  expect_allowed(no);
  EXPECT_STATES(story, S::kNotSupplied, S::kNotSupplied);
  EXPECT_TRUE(no.finished);
  expect_prohibited(story.hand(shipped(ShippedServiceType::kLoan)), A::kShipped,
                    S::kNotSupplied);
}

TEST(Scenario, CancelAccepted) {
  Story story = requested_loan();
  expect_allowed(story.requester(A::kCancel));
  EXPECT_STATES(story, S::kCancelPending, S::kCancelPending);
  const Decision yes = story.responder(A::kCancelReply, D::kYes);
  expect_allowed(yes);
  EXPECT_STATES(story, S::kCancelled, S::kCancelled);
  EXPECT_TRUE(yes.finished);
  expect_prohibited(story.hand(shipped(ShippedServiceType::kLoan)), A::kShipped, S::kCancelled);
}

TEST(Scenario, CancelRefusedResumesEachSideWhereItWas) {
  Story story = requested_loan();
  expect_allowed(story.requester(A::kCancel));
  expect_allowed(story.responder(A::kCancelReply, D::kNo));
  EXPECT_STATES(story, S::kPending, S::kInProcess);

  expect_allowed(story.responder(A::kIllAnswer, D::kConditional));
  expect_allowed(story.requester(A::kCancel));
  expect_allowed(story.responder(A::kCancelReply, D::kNo));
  EXPECT_STATES(story, S::kConditional, S::kConditional);
  expect_allowed(story.requester(A::kConditionalReply, D::kYes));
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
}

TEST(Scenario, CancelCrossingShippedWhenTheCancelReachesTheHubFirst) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  expect_allowed(story.requester(A::kCancel));
  EXPECT_STATES(story, S::kCancelPending, S::kCancelPending);
  // The lender shipped before it saw the Cancel: shipping declines the cancel.
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
  // It may still answer the Cancel it then reads; yes is impossible with the item on its way.
  expect_prohibited(story.responder(A::kCancelReply, D::kYes), A::kCancelReply, S::kShipped);
  expect_allowed(story.responder(A::kCancelReply, D::kNo));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
}

TEST(Scenario, CancelCrossingShippedWhenTheShippedReachesTheHubFirst) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  // The borrower sent Cancel before the Shipped reached it: relayed, changes nothing.
  expect_allowed(story.requester(A::kCancel));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
  expect_allowed(story.responder(A::kCancelReply, D::kNo));
  EXPECT_STATES(story, S::kShipped, S::kShipped);
}

TEST(Scenario, RenewAccepted) {
  Story story = loan_received();
  expect_allowed(story.requester(A::kRenew));
  EXPECT_STATES(story, S::kRenewPending, S::kRenewPending);
  expect_allowed(story.responder(A::kRenewAnswer, D::kYes));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  expect_allowed(story.requester(A::kReturned));
  expect_allowed(story.responder(A::kCheckedIn));
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, RenewRefused) {
  Story story = loan_received();
  expect_allowed(story.requester(A::kRenew));
  expect_prohibited(story.requester(A::kRenew), A::kRenew, S::kRenewPending);
  expect_allowed(story.responder(A::kRenewAnswer, D::kNo));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  // Refused, then overdue, then asked again late and refused again: still overdue.
  expect_allowed(story.responder(A::kOverdue));
  expect_allowed(story.requester(A::kRenew));
  EXPECT_STATES(story, S::kRenewOverdue, S::kRenewOverdue);
  expect_allowed(story.responder(A::kRenewAnswer, D::kNo));
  EXPECT_STATES(story, S::kOverdue, S::kOverdue);
}

TEST(Scenario, OverdueThenReturned) {
  Story story = loan_received();
  expect_allowed(story.responder(A::kOverdue));
  EXPECT_STATES(story, S::kOverdue, S::kOverdue);
  expect_allowed(story.responder(A::kOverdue));  // a reminder
  const TimerDecision reminder = story.timer_runs_out(Timer::kOverdue);
  EXPECT_TRUE(reminder.fires);
  EXPECT_STATES(story, S::kOverdue, S::kOverdue);
  expect_allowed(story.requester(A::kReturned));
  EXPECT_STATES(story, S::kReturned, S::kReturned);
  // The lender's next reminder crossed the Returned: relayed, changes nothing.
  expect_allowed(story.responder(A::kOverdue));
  EXPECT_STATES(story, S::kReturned, S::kReturned);
  EXPECT_FALSE(story.timer_runs_out(Timer::kOverdue).fires) << "nothing is overdue once returned";
  expect_allowed(story.responder(A::kCheckedIn));
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, OverdueTimerBeforeReceipt) {
  Story story = requested_loan();
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  const TimerDecision t = story.timer_runs_out(Timer::kOverdue);
  ASSERT_TRUE(t.fires);
  EXPECT_EQ(t.to_requester, A::kOverdue);
  EXPECT_STATES(story, S::kNotReceivedOverdue, S::kNotReceivedOverdue);
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kOverdue, S::kOverdue);
}

TEST(Scenario, Recall) {
  Story story = loan_received();
  expect_allowed(story.responder(A::kRecall));
  EXPECT_STATES(story, S::kRecall, S::kRecall);
  // A Renew that crossed the Recall, and its answer: the recall stands.
  expect_allowed(story.requester(A::kRenew));
  expect_allowed(story.responder(A::kRenewAnswer, D::kNo));
  EXPECT_STATES(story, S::kRecall, S::kRecall);
  expect_allowed(story.requester(A::kReturned));
  EXPECT_STATES(story, S::kReturned, S::kReturned);
  expect_allowed(story.responder(A::kCheckedIn));
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, LostAfterShipped) {
  Story story = requested_loan();
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  const Decision lost = story.responder(A::kLost);
  expect_allowed(lost);
  EXPECT_STATES(story, S::kLost, S::kLost);
  EXPECT_TRUE(lost.finished);
  expect_prohibited(story.requester(A::kReceived), A::kReceived, S::kLost);
}

TEST(Scenario, LostAfterReceived) {
  Story story = loan_received();
  const Decision lost = story.requester(A::kLost);
  expect_allowed(lost);
  EXPECT_STATES(story, S::kLost, S::kLost);
  EXPECT_TRUE(lost.finished);
  expect_prohibited(story.requester(A::kReturned), A::kReturned, S::kLost);
}

TEST(Scenario, ReceivedBeforeShippedIsRefusedWhenStrict) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  const Decision d = story.requester(A::kReceived);
  expect_prohibited(d, A::kReceived, S::kPending);
  EXPECT_EQ(d.report->refused_by, Role::kRequester);
  EXPECT_STATES(story, S::kPending, S::kPending);
}

TEST(Scenario, ReceivedBeforeShippedIsAcceptedForALenientBorrower) {
  TransactionView start;
  start.requester_profile = find_lenient_profile("received-before-shipped");
  ASSERT_NE(start.requester_profile, nullptr);
  Story story = requested_loan(start);
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  // The Shipped arrives afterwards: a crossing message, relayed for its supply details.
  const Decision late = story.hand(shipped(ShippedServiceType::kLoan));
  expect_allowed(late);
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  expect_allowed(story.requester(A::kReturned));
  expect_allowed(story.responder(A::kCheckedIn));
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, ReceivedWithoutShippedWhenTheLenderDeclaredItCannotSendShipped) {
  Story story = requested_loan();
  HubApdu answer = test::hub_apdu(A::kIllAnswer, Role::kResponder, D::kWillSupply);
  answer.responder_optional_messages = ResponderOptionalMessages{false, true};
  expect_allowed(story.hand(answer));
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  // Shipped was declared unsendable, but one crossing the Received is still only relayed.
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
}

TEST(Scenario, BorrowerThatCannotSendReceivedOrReturned) {
  TransactionView start;
  Story story = requested_loan(start);
  story.view().conditions.optional_messages.requester_can_send_received = false;
  story.view().conditions.optional_messages.requester_can_send_returned = false;
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  // No Received is coming: the Renew moves both sides on.
  expect_allowed(story.requester(A::kRenew));
  EXPECT_STATES(story, S::kRenewPending, S::kRenewPending);
  expect_allowed(story.responder(A::kRenewAnswer, D::kYes));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
  // No Returned is coming: the Checked-In ends it.
  expect_allowed(story.responder(A::kCheckedIn));
  EXPECT_STATES(story, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, LenderThatCannotSendCheckedInEndsAtReturned) {
  Story story = requested_loan();
  HubApdu answer = test::hub_apdu(A::kIllAnswer, Role::kResponder, D::kWillSupply);
  answer.responder_optional_messages = ResponderOptionalMessages{true, false};
  expect_allowed(story.hand(answer));
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  expect_allowed(story.requester(A::kReceived));
  const Decision returned = story.requester(A::kReturned);
  expect_allowed(returned);
  EXPECT_TRUE(returned.finished);
}

TEST(Scenario, LenderWithTheNoCheckedInProfileEndsAtReturned) {
  TransactionView start;
  start.responder_profile = find_lenient_profile("no-checked-in");
  Story story = loan_received(start);
  const Decision returned = story.requester(A::kReturned);
  expect_allowed(returned);
  EXPECT_TRUE(returned.finished);
}

TEST(Scenario, CheckedInWithoutReturnedNeedsTheDeclarationOrTheProfile) {
  Story strict = loan_received();
  expect_prohibited(strict.responder(A::kCheckedIn), A::kCheckedIn, S::kReceived);

  TransactionView start;
  start.requester_profile = find_lenient_profile("checked-in-without-returned");
  Story lenient = loan_received(start);
  expect_allowed(lenient.responder(A::kCheckedIn));
  EXPECT_STATES(lenient, S::kCheckedIn, S::kCheckedIn);
}

TEST(Scenario, ExpiryTimerEndsAnUnansweredRequest) {
  Story story = requested_loan();
  const TimerDecision t = story.timer_runs_out(Timer::kExpiry);
  ASSERT_TRUE(t.fires);
  EXPECT_EQ(t.to_requester, A::kExpired);
  EXPECT_TRUE(t.finished);
  EXPECT_STATES(story, S::kNotSupplied, S::kNotSupplied);
  expect_prohibited(story.hand(shipped(ShippedServiceType::kLoan)), A::kShipped,
                    S::kNotSupplied);
}

TEST(Scenario, ExpiredSentByTheLender) {
  Story story = requested_loan();
  expect_allowed(story.responder(A::kIllAnswer, D::kHoldPlaced));
  expect_allowed(story.responder(A::kExpired));
  EXPECT_STATES(story, S::kNotSupplied, S::kNotSupplied);
}

TEST(Scenario, ExpiryTimerIsMootOnceShipped) {
  Story story = requested_loan();
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  EXPECT_FALSE(story.timer_runs_out(Timer::kExpiry).fires);
  EXPECT_STATES(story, S::kShipped, S::kShipped);
}

TEST(Scenario, ForwardToAnotherResponder) {
  Story story = requested_loan();
  const Decision fwd = story.responder(A::kForwardNotification);
  expect_allowed(fwd);
  EXPECT_TRUE(fwd.forwarded);
  ASSERT_TRUE(fwd.responder_row);
  EXPECT_EQ(fwd.responder_row->target, to(S::kForward));
  EXPECT_STATES(story, S::kPending, S::kIdle);
  // Nothing reaches the new responder before its ILL-Request.
  expect_prohibited(story.requester(A::kCancel), A::kCancel, S::kPending);
  // The intermediary sends the request on, in the requester's role.
  expect_allowed(story.requester(A::kIllRequest));
  EXPECT_STATES(story, S::kPending, S::kInProcess);
  expect_allowed(story.responder(A::kIllAnswer, D::kWillSupply));
  expect_allowed(story.hand(shipped(ShippedServiceType::kLoan)));
  expect_allowed(story.requester(A::kReceived));
  EXPECT_STATES(story, S::kReceived, S::kReceived);
}

TEST(Scenario, UnfilledEndsTheTransaction) {
  Story story = requested_loan();
  const Decision d = story.responder(A::kIllAnswer, D::kUnfilled);
  expect_allowed(d);
  EXPECT_STATES(story, S::kNotSupplied, S::kNotSupplied);
  EXPECT_TRUE(d.finished);
}

TEST(Scenario, DamagedMessageAndStatusChangeNoState) {
  Story story = loan_received();
  for (A kind : {A::kDamaged, A::kMessage, A::kStatusQuery, A::kStatusOrErrorReport}) {
    expect_allowed(story.requester(kind));
    expect_allowed(story.responder(kind));
    EXPECT_STATES(story, S::kReceived, S::kReceived);
  }
}

TEST(Scenario, TheSameApduTwiceIsAppliedOnce) {
  Story story = loan_received();
  HubApdu returned = test::hub_apdu(A::kReturned, Role::kRequester, D::kNone);
  returned.service_date = "20240501";
  returned.service_time = "101500";
  const Decision first = decide(story.view(), returned);
  expect_allowed(first);
  const Decision again = decide(first.next, returned);
  EXPECT_EQ(again.verdict, Verdict::kDuplicate);
  EXPECT_EQ(again.next.requester, S::kReturned);
  EXPECT_FALSE(again.report) << "a re-sent APDU is not an error";
}

}  // namespace
}  // namespace illhub::protocol

namespace illhub::protocol {
namespace {

TEST(Scenario, ACrossingShippedIsAcceptedOnceOnly) {
  TransactionView v;
  auto apply = [&v](ApduKind kind, Role sender, std::optional<ShippedServiceType> type = std::nullopt) {
    HubApdu a;
    a.kind = kind;
    a.sender = sender;
    a.service_type = type;
    a.service_date = "20261124";
    a.service_time = std::to_string(100000 + static_cast<int>(kind) * 10 + static_cast<int>(sender));
    const Decision d = decide(v, a);
    if (d.verdict == Verdict::kAllowed) v = d.next;
    return d.verdict;
  };
  ASSERT_EQ(apply(ApduKind::kIllRequest, Role::kRequester, ShippedServiceType::kLoan), Verdict::kAllowed);
  // The lender declares it cannot send Shipped, the borrower then reports Received...
  HubApdu answer;
  answer.kind = ApduKind::kIllAnswer;
  answer.sender = Role::kResponder;
  answer.transaction_results = TransactionResults::kWillSupply;
  answer.responder_optional_messages = ResponderOptionalMessages{false, true};
  answer.service_date = "20261124";
  answer.service_time = "110000";
  ASSERT_EQ(decide(v, answer).verdict, Verdict::kAllowed);
  v = decide(v, answer).next;
  ASSERT_EQ(apply(ApduKind::kReceived, Role::kRequester), Verdict::kAllowed);
  // ...and a Shipped sent before it knew crosses the Received: accepted once, not twice.
  EXPECT_EQ(apply(ApduKind::kShipped, Role::kResponder, ShippedServiceType::kLoan), Verdict::kAllowed);
  EXPECT_EQ(v.requester, State::kReceived);
  HubApdu again;
  again.kind = ApduKind::kShipped;
  again.sender = Role::kResponder;
  again.service_type = ShippedServiceType::kCopyNonReturnable;
  again.service_date = "20261125";
  again.service_time = "090000";
  const Decision second = decide(v, again);
  EXPECT_EQ(second.verdict, Verdict::kRefused);
  EXPECT_EQ(second.next.conditions.return_variable, Return::kLoan) << "a refused Shipped sets nothing";
}

}  // namespace
}  // namespace illhub::protocol
