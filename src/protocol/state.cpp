// Names of the states and who holds the item in each.
#include "illhub/protocol/state.hpp"

namespace illhub::protocol {

std::string_view to_string(State state) {
  switch (state) {
    case State::kIdle: return "IDLE";
    case State::kNotSupplied: return "NOT-SUPPLIED";
    case State::kPending: return "PENDING";
    case State::kInProcess: return "IN-PROCESS";
    case State::kForward: return "FORWARD";
    case State::kConditional: return "CONDITIONAL";
    case State::kCancelPending: return "CANCEL-PENDING";
    case State::kCancelled: return "CANCELLED";
    case State::kShipped: return "SHIPPED";
    case State::kReceived: return "RECEIVED";
    case State::kRenewPending: return "RENEW-PENDING";
    case State::kNotReceivedOverdue: return "NOT-RECEIVED-OVERDUE";
    case State::kRenewOverdue: return "RENEW-OVERDUE";
    case State::kOverdue: return "OVERDUE";
    case State::kReturned: return "RETURNED";
    case State::kCheckedIn: return "CHECKED-IN";
    case State::kRecall: return "RECALL";
    case State::kLost: return "LOST";
    case State::kUnknown: return "UNKNOWN";
  }
  return "?";
}

std::optional<State> state_from_name(std::string_view name) {
  for (State s : kAllStates)
    if (to_string(s) == name) return s;
  return std::nullopt;
}

std::optional<int> current_state_value(State state) {
  if (state == State::kIdle) return std::nullopt;
  return static_cast<int>(state);
}

Custody custody_of(State state) {
  switch (state) {
    case State::kShipped:
    case State::kNotReceivedOverdue:
    case State::kReceived:
    case State::kRenewPending:
    case State::kRenewOverdue:
    case State::kOverdue:
    case State::kRecall:
      return Custody::kBorrower;
    case State::kLost:
    case State::kUnknown:
      return Custody::kNobody;
    default:
      return Custody::kLender;
  }
}

std::string_view to_string(Custody custody) {
  switch (custody) {
    case Custody::kLender: return "lender";
    case Custody::kBorrower: return "borrower";
    case Custody::kNobody: return "nobody";
  }
  return "?";
}

}  // namespace illhub::protocol
