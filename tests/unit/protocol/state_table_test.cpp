// The two tables cell by cell: every (state, event) pair of both roles under each set of
// guard conditions, plus rules the standard's phases imply, checked independently of the rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "illhub/protocol/state_table.hpp"
#include "protocol_test_util.hpp"

namespace illhub::protocol {
namespace {

using test::all_events;
using test::condition_sets;
using A = ApduKind;
using S = State;

constexpr Role kRoles[] = {Role::kRequester, Role::kResponder};

std::string cell_name(Role role, State s, const Event& e, const Conditions& c) {
  std::string out(to_string(role));
  out += " ";
  out += to_string(s);
  out += " ";
  out += to_string(e);
  out += " return=";
  out += to_string(c.return_variable);
  out += c.optional_messages == OptionalMessages{} ? " all-messages" : " messages-skipped";
  return out;
}

bool allowed(Role role, State s, const Event& e, const Conditions& c) {
  return find_transition(role, s, e, c).has_value();
}

Conditions strict_loan() {
  Conditions c;
  c.return_variable = Return::kLoan;
  return c;
}

TEST(StateTable, EveryCellOfBothRolesIsOneRowOrRefused) {
  int cells = 0;
  int allowed_cells = 0;
  for (Role role : kRoles)
    for (const Conditions& c : condition_sets())
      for (State s : kAllStates)
        for (const Event& e : all_events(role)) {
          SCOPED_TRACE(cell_name(role, s, e, c));
          ++cells;
          std::vector<const Transition*> matches;
          for (const Transition& row : table(role))
            if (row.from == s && row.event == e && holds(row.guard, c)) matches.push_back(&row);
          ASSERT_LE(matches.size(), 1u) << "two rows claim the same cell";
          const auto found = find_transition(role, s, e, c);
          if (e.trigger != Trigger::kTimer && is_stateless(e.apdu)) {
            ASSERT_TRUE(matches.empty()) << "stateless APDUs are a rule, not rows";
            ASSERT_EQ(found.has_value(), s != S::kIdle);
            if (found) {
              EXPECT_EQ(found->target, to(s));
            }
          } else if (matches.empty()) {
            EXPECT_FALSE(found.has_value());
          } else {
            ASSERT_TRUE(found.has_value());
            EXPECT_EQ(found->target, matches[0]->target);
            EXPECT_EQ(found->why, matches[0]->why);
          }
          if (found) ++allowed_cells;
        }
  // 2 roles x 5 condition sets x 19 states x (events of the role): all looked at.
  EXPECT_EQ(cells, 6840);
  EXPECT_GT(allowed_cells, 0);
}

TEST(StateTable, RowsUseOnlyEventsTheRoleCanMeet) {
  for (Role role : kRoles)
    for (const Transition& row : table(role)) {
      SCOPED_TRACE(std::string(to_string(row.from)) + " " + to_string(row.event));
      EXPECT_TRUE(is_event_of(role, row.event));
      EXPECT_FALSE(row.event.trigger != Trigger::kTimer && is_stateless(row.event.apdu));
      EXPECT_FALSE(row.why.empty()) << "every row says why";
    }
}

TEST(StateTable, OnlyIllRequestLeavesIdle) {
  for (Role role : kRoles)
    for (const Transition& row : table(role))
      if (row.from == S::kIdle) {
        EXPECT_EQ(row.event.apdu, A::kIllRequest);
      }
}

// The hub needs both tables to allow an APDU: an event in one table without its mirror in
// the other could never happen through the hub.
TEST(StateTable, EveryApduEventHasItsMirrorInTheOtherTable) {
  for (Role role : kRoles)
    for (const Transition& row : table(role)) {
      Event mirror = row.event;
      if (row.event.trigger == Trigger::kSend) mirror.trigger = Trigger::kReceive;
      else if (row.event.trigger == Trigger::kReceive) mirror.trigger = Trigger::kSend;
      const auto other_rows = table(other(role));
      EXPECT_TRUE(std::any_of(other_rows.begin(), other_rows.end(),
                              [&](const Transition& r) { return r.event == mirror; }))
          << to_string(role) << " " << to_string(row.event) << " has no mirror";
    }
}

TEST(StateTable, NoEventLeavesATerminalState) {
  const State terminal[] = {S::kNotSupplied, S::kCancelled, S::kCheckedIn, S::kLost,
                            S::kForward};
  for (Role role : kRoles)
    for (const Conditions& c : condition_sets())
      for (State s : terminal)
        for (const Event& e : all_events(role)) {
          const auto found = find_transition(role, s, e, c);
          if (found) {
            EXPECT_EQ(target_state(*found, S::kIdle), s) << cell_name(role, s, e, c);
          }
        }
}

TEST(StateTable, CopyEndsAtReceived) {
  Conditions copy;
  copy.return_variable = Return::kCopy;
  for (Role role : kRoles)
    for (const Event& e : all_events(role)) {
      const auto found = find_transition(role, S::kReceived, e, copy);
      if (found) {
        EXPECT_EQ(found->target, to(S::kReceived)) << cell_name(role, S::kReceived, e, copy);
      }
    }
}

TEST(StateTable, TrackingEventsAreRefusedBeforeShipment) {
  const State before[] = {S::kIdle, S::kPending, S::kInProcess, S::kConditional,
                          S::kCancelPending};
  const A tracking[] = {A::kReceived, A::kReturned, A::kCheckedIn, A::kRenew,
                        A::kRenewAnswer, A::kRecall, A::kOverdue, A::kLost};
  for (Role role : kRoles)
    for (State s : before)
      for (const Event& e : all_events(role)) {
        const bool is_tracking =
            std::find(std::begin(tracking), std::end(tracking), e.apdu) != std::end(tracking);
        if (is_tracking) {
          EXPECT_FALSE(allowed(role, s, e, strict_loan()))
              << cell_name(role, s, e, strict_loan());
        }
      }
}

TEST(StateTable, ProcessingEventsAreRefusedOnceShipped) {
  const State after[] = {S::kShipped, S::kNotReceivedOverdue, S::kReceived, S::kRenewPending,
                         S::kOverdue, S::kRenewOverdue, S::kRecall, S::kReturned};
  for (Role role : kRoles)
    for (State s : after)
      for (const Event& e : all_events(role)) {
        const bool processing =
            e.apdu == A::kIllAnswer || e.apdu == A::kConditionalReply ||
            e.apdu == A::kForwardNotification || e.apdu == A::kExpired ||
            e.apdu == A::kIllRequest ||
            (e.apdu == A::kCancelReply && e.detail == Detail::kYes);
        if (processing) {
          EXPECT_FALSE(allowed(role, s, e, strict_loan()))
              << cell_name(role, s, e, strict_loan());
        }
      }
}

TEST(StateTable, StatelessApdusChangeNothingOutsideIdle) {
  for (Role role : kRoles)
    for (A kind : kStatelessApdus)
      for (Trigger t : {Trigger::kSend, Trigger::kReceive})
        for (State s : kAllStates) {
          const auto found = find_transition(role, s, Event{t, kind, Detail::kNone}, {});
          EXPECT_EQ(found.has_value(), s != S::kIdle);
          if (found) {
            EXPECT_EQ(found->target.state, s);
          }
        }
}

TEST(ResponderTable, RefusesShippedInIdle) {
  EXPECT_FALSE(allowed(Role::kResponder, S::kIdle, send(A::kShipped), strict_loan()));
}

TEST(RequesterTable, RefusesReceivedInPendingWhileShippedIsExpected) {
  EXPECT_FALSE(allowed(Role::kRequester, S::kPending, send(A::kReceived), strict_loan()));
}

TEST(ResponderTable, AcceptsReceivedInPendingWhenItCannotSendShipped) {
  Conditions c = strict_loan();
  c.optional_messages.responder_can_send_shipped = false;
  const auto row = find_transition(Role::kResponder, S::kPending, receive(A::kReceived), c);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->target, to(S::kReceived));
}

TEST(RequesterTable, CancelReplyNoResumesTheInterruptedState) {
  const auto row =
      find_transition(Role::kRequester, S::kCancelPending, receive(A::kCancelReply, Detail::kNo), {});
  ASSERT_TRUE(row);
  EXPECT_EQ(target_state(*row, S::kConditional), S::kConditional);
  EXPECT_EQ(target_state(*row, S::kPending), S::kPending);
}

TEST(RequesterTable, RenewAnswerInRenewOverdueLeadsBackToReceivedOrOverdue) {
  const Conditions c = strict_loan();
  EXPECT_EQ(find_transition(Role::kRequester, S::kRenewOverdue,
                            receive(A::kRenewAnswer, Detail::kYes), c)->target,
            to(S::kReceived));
  EXPECT_EQ(find_transition(Role::kRequester, S::kRenewOverdue,
                            receive(A::kRenewAnswer, Detail::kNo), c)->target,
            to(S::kOverdue));
}

TEST(ResponderTable, RefusesIllAnswerConditionalOncePending) {
  EXPECT_FALSE(allowed(Role::kResponder, S::kPending, send(A::kIllAnswer, Detail::kConditional),
                       strict_loan()));
}

TEST(RequesterTable, NamesNoResponderOnlyState) {
  const auto named = named_states(Role::kRequester);
  for (State s : {S::kInProcess, S::kForward, S::kUnknown})
    EXPECT_EQ(std::count(named.begin(), named.end(), s), 0) << to_string(s);
}

TEST(ResponderTable, NamesForwardAndInProcess) {
  const auto named = named_states(Role::kResponder);
  for (State s : {S::kInProcess, S::kForward, S::kIdle})
    EXPECT_EQ(std::count(named.begin(), named.end(), s), 1) << to_string(s);
}

TEST(StateTable, ConfirmedRowsAreTheOnesPublicSourcesGive) {
  // A guard against a row silently changing confidence: the confirmed rows, counted.
  const auto confirmed = [](Role role) {
    const auto rows = table(role);
    return std::count_if(rows.begin(), rows.end(), [](const Transition& r) {
      return r.confidence == Confidence::kConfirmed;
    });
  };
  EXPECT_EQ(confirmed(Role::kRequester), 8);
  EXPECT_EQ(confirmed(Role::kResponder), 10);
}

TEST(State, NamesRoundTripAndReportableValuesAreCurrentState) {
  std::set<std::string_view> names;
  for (State s : kAllStates) {
    EXPECT_EQ(state_from_name(to_string(s)), s);
    names.insert(to_string(s));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kStateCount));
  EXPECT_FALSE(current_state_value(S::kIdle));
  EXPECT_EQ(current_state_value(S::kNotSupplied), 1);
  EXPECT_EQ(current_state_value(S::kNotReceivedOverdue), 11);
  EXPECT_EQ(current_state_value(S::kUnknown), 18);
  EXPECT_FALSE(state_from_name("EXPIRED")) << "ISO 10161 has no EXPIRED state";
}

TEST(Event, PrintsInTheTablesNotation) {
  EXPECT_EQ(to_string(send(A::kIllAnswer, Detail::kWillSupply)), "→ILL-Answer(will-supply)");
  EXPECT_EQ(to_string(receive(A::kShipped)), "←Shipped");
  EXPECT_EQ(to_string(timer(Timer::kOverdue)), "timer:overdue");
}

TEST(Guard, UnknownReturnCountsAsLoan) {
  Conditions c;
  EXPECT_TRUE(holds(Guard::kLoan, c));
  c.return_variable = Return::kCopy;
  EXPECT_FALSE(holds(Guard::kLoan, c));
  c.optional_messages.requester_can_send_returned = false;
  EXPECT_FALSE(holds(Guard::kLoanReturnedSkipped, c)) << "a copy is never returned";
}

TEST(IsFinal, DependsOnReturnAndCheckedInDeclaration) {
  Conditions c;
  EXPECT_FALSE(is_final(S::kReceived, c));
  c.return_variable = Return::kCopy;
  EXPECT_TRUE(is_final(S::kReceived, c));
  EXPECT_FALSE(is_final(S::kReturned, c));
  EXPECT_TRUE(is_final(S::kReturned, c, /*returned_is_final=*/true));
  c.optional_messages.responder_can_send_checked_in = false;
  EXPECT_TRUE(is_final(S::kReturned, c));
  EXPECT_TRUE(is_final(S::kCheckedIn, c));
}

}  // namespace
}  // namespace illhub::protocol
