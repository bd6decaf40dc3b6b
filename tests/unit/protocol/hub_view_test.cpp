// The hub's view: every APDU in every pair of states, the transaction-id checks, duplicates,
// and what the view records (RETURN, optional messages, resume states).
#include <gtest/gtest.h>

#include "illhub/protocol/hub_view.hpp"
#include "protocol_test_util.hpp"

namespace illhub::protocol {
namespace {

using test::all_hub_apdus;
using test::hub_apdu;
using A = ApduKind;
using S = State;

std::string case_name(const TransactionView& v, const HubApdu& a) {
  std::string out = std::string(to_string(v.requester)) + "/" + std::string(to_string(v.responder)) +
                    " " + std::string(to_string(a.sender)) + " " +
                    to_string(event_for(a, a.sender));
  return out;
}

// What decide() must answer, derived from the rules stated in hub_view.hpp and the per-role
// look-up (which state_table_test checks cell by cell).
struct Expected {
  Verdict verdict;
  std::optional<ErrorReport> report;
  S requester;
  S responder;
};

Expected expected_for(const TransactionView& v, const HubApdu& a) {
  auto id_problem = [&](TransactionIdProblem p, Role by) {
    ErrorReport r;
    r.kind = ErrorReport::Kind::kTransactionIdProblem;
    r.transaction_id_problem = p;
    r.apdu_type = a.kind;
    r.refused_by = by;
    return Expected{Verdict::kRefused, r, v.requester, v.responder};
  };
  if (a.kind == A::kIllRequest && v.responder != S::kIdle)
    return id_problem(TransactionIdProblem::kDuplicateTransactionId, Role::kResponder);
  if (v.requester == S::kIdle && v.responder == S::kIdle && a.kind != A::kIllRequest)
    return id_problem(TransactionIdProblem::kUnknownTransactionId, a.sender);
  const Role snd = a.sender;
  const Role rcv = other(snd);
  const S snd_state = snd == Role::kRequester ? v.requester : v.responder;
  const S rcv_state = rcv == Role::kRequester ? v.requester : v.responder;
  const auto s_row = find_transition(snd, snd_state, send(a.kind, event_for(a, snd).detail),
                                     v.conditions);
  if (!s_row) {
    if (snd_state == S::kIdle)
      return id_problem(TransactionIdProblem::kUnknownTransactionId, snd);
    ErrorReport r;
    r.apdu_type = a.kind;
    r.current_state = snd_state;
    r.refused_by = snd;
    return {Verdict::kRefused, r, v.requester, v.responder};
  }
  const auto r_row = find_transition(rcv, rcv_state, receive(a.kind, event_for(a, rcv).detail),
                                     v.conditions);
  if (!r_row) {
    ErrorReport r;
    r.apdu_type = a.kind;
    r.current_state = rcv_state == S::kIdle ? snd_state : rcv_state;
    r.refused_by = rcv;
    return {Verdict::kRefused, r, v.requester, v.responder};
  }
  const S before_req = v.requester_before_cancel;
  const S before_resp = v.responder_before_cancel;
  S req = target_state(snd == Role::kRequester ? *s_row : *r_row, before_req);
  S resp = target_state(snd == Role::kResponder ? *s_row : *r_row, before_resp);
  if (resp == S::kForward && v.responder != S::kForward) resp = S::kIdle;
  return {Verdict::kAllowed, std::nullopt, req, resp};
}

TEST(HubView, EveryApduInEveryPairOfStatesIsAllowedExactlyWhenBothTablesAllowIt) {
  int allowed = 0;
  int refused = 0;
  for (const Conditions& c : test::condition_sets())
    for (S req : kAllStates)
      for (S resp : kAllStates)
        for (const HubApdu& a : all_hub_apdus()) {
          TransactionView v;
          v.requester = req;
          v.responder = resp;
          v.requester_before_cancel = S::kPending;
          v.responder_before_cancel = S::kInProcess;
          v.conditions = c;
          SCOPED_TRACE(case_name(v, a));
          const Decision d = decide(v, a);
          const Expected e = expected_for(v, a);
          ASSERT_EQ(d.verdict, e.verdict);
          ASSERT_EQ(d.report, e.report);
          EXPECT_EQ(d.next.requester, e.requester);
          EXPECT_EQ(d.next.responder, e.responder);
          if (d.verdict == Verdict::kRefused) {
            ++refused;
            EXPECT_EQ(d.next, v) << "a refused APDU changes nothing";
          } else {
            ++allowed;
            ASSERT_TRUE(d.requester_row && d.responder_row);
          }
        }
  EXPECT_GT(allowed, 1000);
  EXPECT_GT(refused, allowed);
}

TEST(HubView, RefusesAnyApduButIllRequestForAnUnknownTransaction) {
  for (const HubApdu& a : all_hub_apdus()) {
    const Decision d = decide(TransactionView{}, a);
    if (a.kind == A::kIllRequest && a.sender == Role::kRequester) {
      EXPECT_EQ(d.verdict, Verdict::kAllowed);
      continue;
    }
    ASSERT_EQ(d.verdict, Verdict::kRefused) << case_name({}, a);
    EXPECT_EQ(d.report->kind, ErrorReport::Kind::kTransactionIdProblem);
    EXPECT_EQ(d.report->transaction_id_problem, TransactionIdProblem::kUnknownTransactionId);
  }
}

TEST(HubView, RefusesASecondIllRequestForAnExistingTransactionAsDuplicateTransactionId) {
  TransactionView v;
  v.requester = S::kPending;
  for (S resp : {S::kInProcess, S::kPending, S::kShipped, S::kCheckedIn, S::kNotSupplied}) {
    v.responder = resp;
    HubApdu a = hub_apdu(A::kIllRequest, Role::kRequester, Detail::kNone);
    a.service_date = "20240102";
    const Decision d = decide(v, a);
    ASSERT_EQ(d.verdict, Verdict::kRefused);
    EXPECT_EQ(d.report->kind, ErrorReport::Kind::kTransactionIdProblem);
    EXPECT_EQ(d.report->transaction_id_problem, TransactionIdProblem::kDuplicateTransactionId);
  }
}

TEST(HubView, RecognisesTheLastAppliedApduSentAgainAndChangesNothing) {
  test::Story story;
  HubApdu request = hub_apdu(A::kIllRequest, Role::kRequester, Detail::kNone);
  request.service_date = "20240301";
  request.service_time = "093000";
  Decision first = decide(story.view(), request);
  ASSERT_EQ(first.verdict, Verdict::kAllowed);
  const Decision again = decide(first.next, request);
  EXPECT_EQ(again.verdict, Verdict::kDuplicate);
  EXPECT_EQ(again.next, first.next);
  EXPECT_FALSE(again.report);

  HubApdu later = request;
  later.service_time = "093001";
  const Decision second = decide(first.next, later);
  ASSERT_EQ(second.verdict, Verdict::kRefused) << "a new ILL-Request under a taken id";
  EXPECT_EQ(second.report->transaction_id_problem, TransactionIdProblem::kDuplicateTransactionId);
}

TEST(ApduIdentity, IsADuplicateOnlyWhenKindSideAndServiceDateTimeAllMatch) {
  const ApduIdentity last{A::kShipped, Role::kResponder, "20240301", "120000"};
  EXPECT_TRUE(is_duplicate(last, &last));
  EXPECT_FALSE(is_duplicate(last, nullptr));
  ApduIdentity other_time = last;
  other_time.service_time = "120001";
  EXPECT_FALSE(is_duplicate(other_time, &last));
  ApduIdentity other_side = last;
  other_side.sender = Role::kRequester;
  EXPECT_FALSE(is_duplicate(other_side, &last));
  ApduIdentity other_kind = last;
  other_kind.kind = A::kRecall;
  EXPECT_FALSE(is_duplicate(other_kind, &last));
  ApduIdentity undated{A::kMessage, Role::kRequester, "", ""};
  EXPECT_FALSE(is_duplicate(undated, &undated)) << "no date: cannot be told apart";
}

TEST(HubView, ReportsTheSendersStateWhenItsOwnTableRefuses) {
  TransactionView v;
  v.requester = S::kPending;
  v.responder = S::kInProcess;
  const Decision d = decide(v, hub_apdu(A::kReturned, Role::kRequester, Detail::kNone));
  ASSERT_EQ(d.verdict, Verdict::kRefused);
  EXPECT_EQ(d.report->kind, ErrorReport::Kind::kStateTransitionProhibited);
  EXPECT_EQ(d.report->apdu_type, A::kReturned);
  EXPECT_EQ(d.report->current_state, S::kPending);
  EXPECT_EQ(d.report->refused_by, Role::kRequester);
  EXPECT_EQ(to_string(*d.report),
            "state-transition-prohibited (Returned in PENDING, requester table)");
}

TEST(HubView, ReportsTheRecipientsStateWhenOnlyItsTableRefuses) {
  // KINT lets a requester machine send a Conditional-Reply in PENDING; a responder that never
  // set conditions refuses it.
  TransactionView v;
  v.requester = S::kPending;
  v.responder = S::kPending;
  const Decision d = decide(v, hub_apdu(A::kConditionalReply, Role::kRequester, Detail::kYes));
  ASSERT_EQ(d.verdict, Verdict::kRefused);
  EXPECT_EQ(d.report->current_state, S::kPending);
  EXPECT_EQ(d.report->refused_by, Role::kResponder);
}

TEST(HubView, RecordsReturnFromTheRequestAndTheShipment) {
  TransactionView v;
  HubApdu request = hub_apdu(A::kIllRequest, Role::kRequester, Detail::kNone);
  request.service_type = ShippedServiceType::kCopyNonReturnable;
  v = decide(v, request).next;
  EXPECT_EQ(v.conditions.return_variable, Return::kCopy);
  HubApdu shipped = hub_apdu(A::kShipped, Role::kResponder, Detail::kNone);
  shipped.service_type = ShippedServiceType::kLoan;
  v = decide(v, shipped).next;
  EXPECT_EQ(v.conditions.return_variable, Return::kLoan) << "what was shipped decides";
}

TEST(HubView, RecordsOptionalMessageDeclarations) {
  TransactionView v;
  HubApdu request = hub_apdu(A::kIllRequest, Role::kRequester, Detail::kNone);
  request.requester_optional_messages = RequesterOptionalMessages{false, true};
  v = decide(v, request).next;
  HubApdu answer = hub_apdu(A::kIllAnswer, Role::kResponder, Detail::kWillSupply);
  answer.responder_optional_messages = ResponderOptionalMessages{false, false};
  v = decide(v, answer).next;
  EXPECT_EQ(v.conditions.optional_messages, (OptionalMessages{false, true, false, false}));
}

TEST(HubView, TimersFireOnlyWhereBothTablesHaveTheirCell) {
  TransactionView v;
  v.requester = S::kShipped;
  v.responder = S::kShipped;
  EXPECT_FALSE(decide_timer(v, Timer::kExpiry).fires) << "expiry is moot once shipped";
  const TimerDecision overdue = decide_timer(v, Timer::kOverdue);
  ASSERT_TRUE(overdue.fires);
  EXPECT_EQ(overdue.to_requester, A::kOverdue);
  EXPECT_EQ(overdue.next.requester, S::kNotReceivedOverdue);
  EXPECT_EQ(overdue.next.responder, S::kNotReceivedOverdue);
  EXPECT_FALSE(decide_timer(TransactionView{}, Timer::kOverdue).fires);
}

TEST(HubView, EveryTimerInEveryPairOfStatesFiresExactlyWhenBothTablesAllowIt) {
  for (Timer which : {Timer::kExpiry, Timer::kOverdue})
    for (S req : kAllStates)
      for (S resp : kAllStates) {
        TransactionView v;
        v.requester = req;
        v.responder = resp;
        const auto r = find_transition(Role::kRequester, req, timer(which), v.conditions);
        const auto s = find_transition(Role::kResponder, resp, timer(which), v.conditions);
        const TimerDecision d = decide_timer(v, which);
        EXPECT_EQ(d.fires, r && s) << to_string(req) << "/" << to_string(resp);
        if (!d.fires) {
          EXPECT_EQ(d.next, v);
        }
      }
}

}  // namespace
}  // namespace illhub::protocol
