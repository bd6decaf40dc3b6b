#pragma once
// The requester and responder state tables of ISO 10161 as data, and the look-up in them.
// The rows live in requester_table.cpp and responder_table.cpp, one row per allowed cell.

#include <array>
#include <optional>
#include <span>
#include <vector>

#include "illhub/protocol/event.hpp"
#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/protocol/state.hpp"
#include "illhub/protocol/transition.hpp"

namespace illhub::protocol {

/// The rows of the strict ISO table of a role, in the order they are written.
std::span<const Transition> table(Role role);

/// Damaged, Message, Status-Query and Status-Or-Error-Report: sent or received in every
/// state except IDLE, they change no state. Not written as rows: one rule for 4 kinds x 2
/// directions x 18 states says the same thing and cannot drift.
inline constexpr std::array<ApduKind, 4> kStatelessApdus = {
    ApduKind::kDamaged, ApduKind::kMessage, ApduKind::kStatusQuery,
    ApduKind::kStatusOrErrorReport};

/// Whether the kind is one of kStatelessApdus.
bool is_stateless(ApduKind kind);

/// Whether the role may send this kind at all (ISO 10161 says who sends what; Lost and the
/// stateless kinds go either way). An APDU the role never sends has no row anywhere.
bool role_sends(Role role, ApduKind kind);

/// Whether the event is one a machine of this role can meet: an APDU it sends, an APDU the
/// other role sends, or a timer. The tests enumerate exactly these.
bool is_event_of(Role role, const Event& event);

/// The cell for (role, from, event) under the conditions, or nothing when the cell is
/// prohibited. The strict rows are searched first, then the extra cells of the given
/// lenient profiles (either may be null). For a stateless APDU outside IDLE the result is a
/// row leading back to `from`. No allocation.
std::optional<Transition> find_transition(Role role, State from, const Event& event,
                                          const Conditions& conditions,
                                          const LenientProfile* profile_a = nullptr,
                                          const LenientProfile* profile_b = nullptr);

/// The state a row leads to, given the state to resume after a refused cancel.
constexpr State target_state(const Transition& row, State resume_state) {
  return row.target.resume ? resume_state : row.target.state;
}

/// Every state the table of the role names, as `from` or as `to` (IDLE included).
std::vector<State> named_states(Role role);

/// Whether a side in this state has nothing more to do: NOT-SUPPLIED, CANCELLED, CHECKED-IN,
/// LOST, FORWARD; RECEIVED for a copy; RETURNED when the responder cannot send Checked-In
/// or `returned_is_final` (a lenient profile says the lender never sends it).
bool is_final(State state, const Conditions& conditions, bool returned_is_final = false);

}  // namespace illhub::protocol
