// Look-up in the tables: strict rows, the stateless APDUs, then lenient profiles' cells.
#include "illhub/protocol/state_table.hpp"

#include <algorithm>

#include "tables.hpp"

namespace illhub::protocol {
namespace {

std::optional<Transition> find_in(std::span<const Transition> rows, State from,
                                  const Event& event, const Conditions& conditions) {
  for (const Transition& row : rows)
    if (row.from == from && row.event == event && holds(row.guard, conditions)) return row;
  return std::nullopt;
}

std::optional<Transition> find_in_profile(const LenientProfile* profile, Role role, State from,
                                          const Event& event, const Conditions& conditions) {
  if (profile == nullptr) return std::nullopt;
  for (const ProfileCell& cell : profile->cells)
    if (cell.role == role && cell.row.from == from && cell.row.event == event &&
        holds(cell.row.guard, conditions))
      return cell.row;
  return std::nullopt;
}

}  // namespace

std::span<const Transition> table(Role role) {
  return role == Role::kRequester ? detail::requester_rows() : detail::responder_rows();
}

bool is_stateless(ApduKind kind) {
  return std::find(kStatelessApdus.begin(), kStatelessApdus.end(), kind) !=
         kStatelessApdus.end();
}

bool role_sends(Role role, ApduKind kind) {
  const std::optional<Role> only = sole_sender(kind);
  return !only || *only == role;
}

bool is_event_of(Role role, const Event& event) {
  switch (event.trigger) {
    case Trigger::kSend:
      return role_sends(role, event.apdu) && detail_fits(event.apdu, event.detail);
    case Trigger::kReceive:
      return role_sends(other(role), event.apdu) && detail_fits(event.apdu, event.detail);
    case Trigger::kTimer:
      return (event.apdu == ApduKind::kExpired || event.apdu == ApduKind::kOverdue) &&
             event.detail == Detail::kNone;
  }
  return false;
}

std::optional<Transition> find_transition(Role role, State from, const Event& event,
                                          const Conditions& conditions,
                                          const LenientProfile* profile_a,
                                          const LenientProfile* profile_b) {
  if (!is_event_of(role, event)) return std::nullopt;
  if (event.trigger != Trigger::kTimer && is_stateless(event.apdu)) {
    if (from == State::kIdle) return std::nullopt;
    return Transition{from, event, to(from), Guard::kAlways, Confidence::kInferred,
                      "changes no state (PROTOCOL.md 1.3)"};
  }
  if (auto row = find_in(table(role), from, event, conditions)) return row;
  if (auto row = find_in_profile(profile_a, role, from, event, conditions)) return row;
  return find_in_profile(profile_b, role, from, event, conditions);
}

std::vector<State> named_states(Role role) {
  std::vector<State> out;
  auto add = [&out](State s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const Transition& row : table(role)) {
    add(row.from);
    if (!row.target.resume) add(row.target.state);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_final(State state, const Conditions& conditions, bool returned_is_final) {
  switch (state) {
    case State::kNotSupplied:
    case State::kCancelled:
    case State::kCheckedIn:
    case State::kLost:
    case State::kForward:
      return true;
    case State::kReceived:
      return conditions.return_variable == Return::kCopy;
    case State::kReturned:
      return returned_is_final || !conditions.optional_messages.responder_can_send_checked_in;
    default:
      return false;
  }
}

}  // namespace illhub::protocol
