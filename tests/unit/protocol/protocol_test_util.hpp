#pragma once
// Enumerations and a story driver shared by the protocol tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "illhub/protocol/hub_view.hpp"
#include "illhub/protocol/state_table.hpp"

namespace illhub::protocol::test {

inline constexpr Detail kAllDetails[] = {
    Detail::kNone,        Detail::kConditional, Detail::kRetry,      Detail::kUnfilled,
    Detail::kLocationsProvided, Detail::kWillSupply, Detail::kHoldPlaced, Detail::kEstimate,
    Detail::kYes,         Detail::kNo};

/// Every event a machine of `role` can meet: APDUs it sends, APDUs the other side sends,
/// with every detail their content can select, and the two timers.
inline std::vector<Event> all_events(Role role) {
  std::vector<Event> out;
  for (Trigger t : {Trigger::kSend, Trigger::kReceive})
    for (ApduKind k : codec::kAllApduKinds)
      for (Detail d : kAllDetails) {
        const Event e{t, k, d};
        if (is_event_of(role, e)) out.push_back(e);
      }
  out.push_back(timer(Timer::kExpiry));
  out.push_back(timer(Timer::kOverdue));
  return out;
}

/// The field values of an APDU that select a detail.
inline HubApdu hub_apdu(ApduKind kind, Role sender, Detail detail) {
  HubApdu a;
  a.kind = kind;
  a.sender = sender;
  switch (detail) {
    case Detail::kConditional: a.transaction_results = TransactionResults::kConditional; break;
    case Detail::kRetry: a.transaction_results = TransactionResults::kRetry; break;
    case Detail::kUnfilled: a.transaction_results = TransactionResults::kUnfilled; break;
    case Detail::kLocationsProvided:
      a.transaction_results = TransactionResults::kLocationsProvided;
      break;
    case Detail::kWillSupply: a.transaction_results = TransactionResults::kWillSupply; break;
    case Detail::kHoldPlaced: a.transaction_results = TransactionResults::kHoldPlaced; break;
    case Detail::kEstimate: a.transaction_results = TransactionResults::kEstimate; break;
    case Detail::kYes: a.answer = true; break;
    case Detail::kNo: a.answer = false; break;
    case Detail::kNone: break;
  }
  return a;
}

/// Every APDU the hub can be handed: each kind from the side that may send it, with each
/// detail its content can select.
inline std::vector<HubApdu> all_hub_apdus() {
  std::vector<HubApdu> out;
  for (Role sender : {Role::kRequester, Role::kResponder})
    for (ApduKind k : codec::kAllApduKinds)
      for (Detail d : kAllDetails)
        if (role_sends(sender, k) && detail_fits(k, d)) out.push_back(hub_apdu(k, sender, d));
  return out;
}

/// Condition sets the guards distinguish: strict loan, strict copy, unknown RETURN, and a
/// loan where each optional message was declared unsendable.
inline std::vector<Conditions> condition_sets() {
  std::vector<Conditions> out;
  Conditions loan;
  loan.return_variable = Return::kLoan;
  out.push_back(loan);
  Conditions copy;
  copy.return_variable = Return::kCopy;
  out.push_back(copy);
  out.push_back(Conditions{});
  Conditions skip_all = loan;
  skip_all.optional_messages = {false, false, false, false};
  out.push_back(skip_all);
  Conditions copy_skip_all = copy;
  copy_skip_all.optional_messages = {false, false, false, false};
  out.push_back(copy_skip_all);
  return out;
}

/// A transaction told as a story: each step must be allowed (or refused, when checked so).
class Story {
 public:
  Story() = default;
  explicit Story(TransactionView view) : view_(std::move(view)) {}

  /// Hands the APDU to the hub; on kAllowed the story moves on.
  Decision hand(HubApdu apdu) {
    apdu.service_date = "20240101";
    apdu.service_time = std::to_string(100000 + ++clock_);
    Decision d = decide(view_, apdu);
    if (d.verdict == Verdict::kAllowed) view_ = d.next;
    return d;
  }
  Decision requester(ApduKind kind, Detail detail = Detail::kNone) {
    return hand(hub_apdu(kind, Role::kRequester, detail));
  }
  Decision responder(ApduKind kind, Detail detail = Detail::kNone) {
    return hand(hub_apdu(kind, Role::kResponder, detail));
  }
  TimerDecision timer_runs_out(Timer which) {
    TimerDecision d = decide_timer(view_, which);
    if (d.fires) view_ = d.next;
    return d;
  }
  const TransactionView& view() const { return view_; }
  TransactionView& view() { return view_; }

 private:
  TransactionView view_;
  int clock_ = 0;
};

}  // namespace illhub::protocol::test
