#pragma once
// Events of the ISO 10161 protocol machines: an APDU sent or received by one role (with the
// one field of its content that selects the table row), or one of the hub's timers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "illhub/codec/apdu_kind.hpp"

namespace illhub::protocol {

using codec::ApduKind;

/// The two roles of a simple transaction: the requester borrows, the responder lends.
/// An intermediary acts as responder towards the requester and as requester towards the
/// next responder; the hub sees it in those two roles.
enum class Role : std::uint8_t { kRequester, kResponder };

/// "requester" or "responder".
std::string_view to_string(Role role);
/// The role for "requester" or "responder", or nothing.
std::optional<Role> role_from_name(std::string_view name);
/// The other end of the transaction: the recipient of what `role` sends.
constexpr Role other(Role role) {
  return role == Role::kRequester ? Role::kResponder : Role::kRequester;
}

/// The only role that sends APDUs of this kind (ILL-Request: the requester; Shipped: the
/// responder; ...), or nothing for the kinds either side sends (Lost, Damaged, Message,
/// Status-Query, Status-Or-Error-Report). One list, used by the tables and by the network
/// layer's identity check.
std::optional<Role> sole_sender(ApduKind kind);

/// How the event reaches the machine: its user sends an APDU (→, ISO "request"), an APDU
/// arrives from the other side (←, ISO "indication"), or a timer runs out.
enum class Trigger : std::uint8_t { kSend, kReceive, kTimer };

/// The hub's timers. Each stands for the APDU its expiry makes the responder's machine issue.
enum class Timer : std::uint8_t {
  kExpiry,   // the request's expiry date passed before anything was shipped: Expired
  kOverdue,  // the date due passed while the borrower holds the item: Overdue
};

/// "expiry" or "overdue".
std::string_view to_string(Timer timer);

/// ISO 10161 Transaction-Results of an ILL-Answer (values as in the ASN.1 ENUMERATED).
enum class TransactionResults : std::uint8_t {
  kConditional = 1,
  kRetry = 2,
  kUnfilled = 3,
  kLocationsProvided = 4,
  kWillSupply = 5,
  kHoldPlaced = 6,
  kEstimate = 7,
};

/// ISO 10161 Shipped-Service-Type: what the responder sent. It sets the RETURN variable.
enum class ShippedServiceType : std::uint8_t { kLoan = 1, kCopyNonReturnable = 2 };

/// The part of an APDU's content that selects a table row. Only ILL-Answer (by its
/// transaction-results) and the three replies (by their answer BOOLEAN) have one.
enum class Detail : std::uint8_t {
  kNone,
  kConditional,
  kRetry,
  kUnfilled,
  kLocationsProvided,
  kWillSupply,
  kHoldPlaced,
  kEstimate,
  kYes,  // answer TRUE
  kNo,   // answer FALSE
};

/// "conditional", "will-supply", "yes", … ; "" for kNone.
std::string_view to_string(Detail detail);
/// The detail an ILL-Answer selects by its transaction-results.
constexpr Detail detail_of(TransactionResults results) {
  switch (results) {
    case TransactionResults::kConditional: return Detail::kConditional;
    case TransactionResults::kRetry: return Detail::kRetry;
    case TransactionResults::kUnfilled: return Detail::kUnfilled;
    case TransactionResults::kLocationsProvided: return Detail::kLocationsProvided;
    case TransactionResults::kWillSupply: return Detail::kWillSupply;
    case TransactionResults::kHoldPlaced: return Detail::kHoldPlaced;
    case TransactionResults::kEstimate: return Detail::kEstimate;
  }
  return Detail::kNone;
}
/// The detail a Conditional-Reply, Cancel-Reply or Renew-Answer selects by its answer.
constexpr Detail detail_of(bool answer) { return answer ? Detail::kYes : Detail::kNo; }

/// The details an APDU kind can carry: the seven results for ILL-Answer, yes/no for
/// Conditional-Reply, Cancel-Reply and Renew-Answer, only kNone for the rest.
bool detail_fits(ApduKind kind, Detail detail);

/// One event of one machine. For a timer, `apdu` is the APDU the timer stands for (Expired
/// for kExpiry, Overdue for kOverdue) and detail is kNone; build events with the helpers.
struct Event {
  Trigger trigger = Trigger::kSend;
  ApduKind apdu = ApduKind::kIllRequest;
  Detail detail = Detail::kNone;

  friend bool operator==(const Event&, const Event&) = default;
};

/// The events of the tables: this side sends (→), receives (←), or a hub timer runs out.
constexpr Event send(ApduKind apdu, Detail detail = Detail::kNone) {
  return {Trigger::kSend, apdu, detail};
}
constexpr Event receive(ApduKind apdu, Detail detail = Detail::kNone) {
  return {Trigger::kReceive, apdu, detail};
}
constexpr Event timer(Timer which) {
  return {Trigger::kTimer, which == Timer::kExpiry ? ApduKind::kExpired : ApduKind::kOverdue,
          Detail::kNone};
}

/// The timer an event of Trigger::kTimer stands for.
constexpr Timer timer_of(const Event& event) {
  return event.apdu == ApduKind::kExpired ? Timer::kExpiry : Timer::kOverdue;
}

/// "→ILL-Answer(conditional)", "←Shipped", "timer:overdue": the notation of the tables.
std::string to_string(const Event& event);

}  // namespace illhub::protocol
