// Names of roles, timers, details and events, in the notation of the tables.
#include "illhub/protocol/event.hpp"

namespace illhub::protocol {

std::string_view to_string(Role role) {
  return role == Role::kRequester ? "requester" : "responder";
}

std::optional<Role> role_from_name(std::string_view name) {
  if (name == "requester") return Role::kRequester;
  if (name == "responder") return Role::kResponder;
  return std::nullopt;
}

std::optional<Role> sole_sender(ApduKind kind) {
  switch (kind) {
    // The requester's services: ILL-REQUEST, CONDITIONAL-REPLY, CANCEL, RECEIVED, RETURNED, RENEW.
    case ApduKind::kIllRequest:
    case ApduKind::kConditionalReply:
    case ApduKind::kCancel:
    case ApduKind::kReceived:
    case ApduKind::kReturned:
    case ApduKind::kRenew:
      return Role::kRequester;
    // Either side: LOST, DAMAGED, MESSAGE, STATUS-QUERY, STATUS-OR-ERROR-REPORT.
    case ApduKind::kLost:
    case ApduKind::kDamaged:
    case ApduKind::kMessage:
    case ApduKind::kStatusQuery:
    case ApduKind::kStatusOrErrorReport:
      return std::nullopt;
    // The responder's: FORWARD-NOTIFICATION (from the intermediary), SHIPPED, ILL-ANSWER,
    // CANCEL-REPLY, RECALL, CHECKED-IN, OVERDUE, RENEW-ANSWER, EXPIRED.
    default:
      return Role::kResponder;
  }
}

std::string_view to_string(Timer timer) {
  return timer == Timer::kExpiry ? "expiry" : "overdue";
}

std::string_view to_string(Detail detail) {
  switch (detail) {
    case Detail::kNone: return "";
    case Detail::kConditional: return "conditional";
    case Detail::kRetry: return "retry";
    case Detail::kUnfilled: return "unfilled";
    case Detail::kLocationsProvided: return "locations-provided";
    case Detail::kWillSupply: return "will-supply";
    case Detail::kHoldPlaced: return "hold-placed";
    case Detail::kEstimate: return "estimate";
    case Detail::kYes: return "yes";
    case Detail::kNo: return "no";
  }
  return "?";
}

bool detail_fits(ApduKind kind, Detail detail) {
  switch (kind) {
    case ApduKind::kIllAnswer:
      return detail >= Detail::kConditional && detail <= Detail::kEstimate;
    case ApduKind::kConditionalReply:
    case ApduKind::kCancelReply:
    case ApduKind::kRenewAnswer:
      return detail == Detail::kYes || detail == Detail::kNo;
    default:
      return detail == Detail::kNone;
  }
}

std::string to_string(const Event& event) {
  std::string out;
  switch (event.trigger) {
    case Trigger::kSend: out = "→"; break;
    case Trigger::kReceive: out = "←"; break;
    case Trigger::kTimer:
      out = "timer:";
      out += to_string(timer_of(event));
      return out;
  }
  out += codec::to_string(event.apdu);
  if (event.detail != Detail::kNone) {
    out += "(";
    out += to_string(event.detail);
    out += ")";
  }
  return out;
}

}  // namespace illhub::protocol
