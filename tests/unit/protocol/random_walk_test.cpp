// Property: random walks of allowed events from IDLE, seeded and bounded. Whatever path the
// two libraries take through the hub, each side stays in states its table names, both sides
// agree on who holds the item, and a terminal state is never left.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "illhub/protocol/hub_view.hpp"
#include "protocol_test_util.hpp"

namespace illhub::protocol {
namespace {

// A fixed 64-bit LCG: the same walks on every platform (std distributions are not).
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  std::size_t below(std::size_t n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state_ >> 33) % n);
  }

 private:
  std::uint64_t state_;
};

// Every APDU the hub can be handed, with the variants of the declarations the tables read.
std::vector<HubApdu> walk_alphabet() {
  std::vector<HubApdu> out;
  for (HubApdu a : test::all_hub_apdus()) {
    if (a.kind == ApduKind::kIllRequest || a.kind == ApduKind::kShipped) {
      for (ShippedServiceType t : {ShippedServiceType::kLoan,
                                   ShippedServiceType::kCopyNonReturnable}) {
        HubApdu v = a;
        v.service_type = t;
        if (a.kind == ApduKind::kIllRequest) {
          for (bool can : {true, false}) {
            v.requester_optional_messages = RequesterOptionalMessages{can, can};
            out.push_back(v);
          }
        } else {
          out.push_back(v);
        }
      }
    } else if (a.kind == ApduKind::kIllAnswer) {
      for (bool can : {true, false}) {
        HubApdu v = a;
        v.responder_optional_messages = ResponderOptionalMessages{can, can};
        out.push_back(v);
      }
    } else {
      out.push_back(a);
    }
  }
  return out;
}

bool contains(const std::vector<State>& states, State s) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

bool is_hard_terminal(State s) {
  return s == State::kNotSupplied || s == State::kCancelled || s == State::kCheckedIn ||
         s == State::kLost;
}

struct WalkStats {
  int steps = 0;
  int finished = 0;
  std::vector<State> seen;
};

void walk(std::uint64_t seed, const LenientProfile* requester_profile,
          const LenientProfile* responder_profile, WalkStats& stats) {
  static const std::vector<HubApdu> alphabet = walk_alphabet();
  static const std::vector<State> requester_named = named_states(Role::kRequester);
  static const std::vector<State> responder_named = named_states(Role::kResponder);
  Lcg rng(seed);
  TransactionView view;
  view.requester_profile = requester_profile;
  view.responder_profile = responder_profile;
  for (int step = 0; step < 40; ++step) {
    // Gather what is allowed here: every APDU, plus the two timers.
    std::vector<TransactionView> nexts;
    for (HubApdu a : alphabet) {
      a.service_date = "20240101";
      a.service_time = std::to_string(step);
      const Decision d = decide(view, a);
      if (d.verdict == Verdict::kAllowed) nexts.push_back(d.next);
    }
    for (Timer t : {Timer::kExpiry, Timer::kOverdue}) {
      const TimerDecision d = decide_timer(view, t);
      if (d.fires) nexts.push_back(d.next);
    }
    if (nexts.empty()) break;
    const TransactionView next = nexts[rng.below(nexts.size())];
    const std::string where = "seed " + std::to_string(seed) + " step " + std::to_string(step) +
                              ": " + std::string(to_string(view.requester)) + "/" +
                              std::string(to_string(view.responder)) + " -> " +
                              std::string(to_string(next.requester)) + "/" +
                              std::string(to_string(next.responder));
    ASSERT_TRUE(contains(requester_named, next.requester)) << where;
    ASSERT_TRUE(contains(responder_named, next.responder)) << where;
    ASSERT_EQ(custody_of(next.requester), custody_of(next.responder)) << where;
    if (is_hard_terminal(view.requester)) {
      ASSERT_EQ(next.requester, view.requester) << where;
    }
    if (is_hard_terminal(view.responder)) {
      ASSERT_EQ(next.responder, view.responder) << where;
    }
    view = next;
    ++stats.steps;
    for (State s : {view.requester, view.responder})
      if (!contains(stats.seen, s)) stats.seen.push_back(s);
  }
  if (is_finished(view)) ++stats.finished;
}

TEST(RandomWalk, StaysInNamedStatesAndBothSidesAgreeWhoHoldsTheItem) {
  WalkStats stats;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    walk(seed, nullptr, nullptr, stats);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(stats.steps, 3000);
  EXPECT_GT(stats.finished, 100);
  // The walks cover the machines: every state but UNKNOWN (reported, never entered) and
  // FORWARD (the responder slot goes back to IDLE for the next responder).
  for (State s : kAllStates)
    if (s != State::kUnknown && s != State::kForward) {
      EXPECT_TRUE(contains(stats.seen, s)) << to_string(s) << " never reached";
    }
}

TEST(RandomWalk, LenientProfilesKeepTheSameProperties) {
  for (const LenientProfile& profile : lenient_profiles()) {
    WalkStats stats;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
      walk(seed, &profile, &profile, stats);
      if (HasFatalFailure()) return;
    }
    EXPECT_GT(stats.steps, 1000) << profile.name;
  }
}

}  // namespace
}  // namespace illhub::protocol
