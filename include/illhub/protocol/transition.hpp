#pragma once
// One row of a state table: in state `from`, event `event` (when `guard` holds) leads to `to`.

#include <cstdint>
#include <string_view>

#include "illhub/protocol/event.hpp"
#include "illhub/protocol/state.hpp"

namespace illhub::protocol {

/// The value of the RETURN variable of ISO 10161: true for a loan (the item comes back),
/// false for a copy-non-returnable (RECEIVED ends the transaction). Unknown until the
/// ILL-Request names a single service type or a Shipped names the shipped-service-type;
/// while unknown the tables treat the transaction as a loan, which keeps it open.
enum class Return : std::uint8_t { kUnknown, kLoan, kCopy };

std::string_view to_string(Return value);

/// What each side declared about the optional messages it can send (requester in the
/// ILL-Request, responder in the ILL-Answer). The default is "can send all": the strict
/// case, where no step may be skipped.
struct OptionalMessages {
  bool requester_can_send_received = true;
  bool requester_can_send_returned = true;
  bool responder_can_send_shipped = true;
  bool responder_can_send_checked_in = true;
  friend bool operator==(const OptionalMessages&, const OptionalMessages&) = default;
};

/// The facts the guards of a row read: the RETURN variable and the optional-messages
/// declarations.
struct Conditions {
  Return return_variable = Return::kUnknown;
  OptionalMessages optional_messages;
  /// A Shipped has been applied. A Shipped crossing the borrower's Received is accepted once;
  /// a second one would charge and set RETURN again.
  bool shipped = false;
  friend bool operator==(const Conditions&, const Conditions&) = default;
};

/// When a row applies (ISO 10161 uses predicates on the RETURN variable and the
/// optional-messages parameters for the same purpose).
enum class Guard : std::uint8_t {
  kAlways,
  kLoan,                  // RETURN is true (or not yet known)
  kShippedSkipped,        // the responder declared it cannot send Shipped
  kLoanReceivedSkipped,   // loan, and the requester declared it cannot send Received
  kLoanReturnedSkipped,   // loan, and the requester declared it cannot send Returned
  kNotYetShipped,         // no Shipped has been applied yet (a crossing Shipped, once)
};

/// "", "loan", "no-Shipped", "loan,no-Received", "loan,no-Returned", "not-yet-shipped".
std::string_view to_string(Guard guard);

/// Whether a guard holds under the given conditions.
bool holds(Guard guard, const Conditions& conditions);

/// How sure the row is: confirmed by a public source or a test, or inferred (the ISO
/// 10161-1 Annex A tables are not public; see docs/PROTOCOL-STATES.md).
enum class Confidence : std::uint8_t { kConfirmed, kInferred };

/// "C" or "I".
std::string_view to_string(Confidence confidence);

/// Where a row leads: a named state, or back to the state the machine was in before it
/// entered CANCEL-PENDING (a Cancel-Reply "no" resumes where the cancel interrupted).
struct Target {
  State state = State::kIdle;
  bool resume = false;
  friend bool operator==(const Target&, const Target&) = default;
};

constexpr Target to(State state) { return {state, false}; }
inline constexpr Target kResume{State::kIdle, true};

struct Transition {
  State from;
  Event event;
  Target target;
  Guard guard;
  Confidence confidence;
  std::string_view why;  // the source, or the reason the cell was chosen
};

}  // namespace illhub::protocol
