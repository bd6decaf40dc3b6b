#pragma once
// The states of one ISO 10161 protocol machine (requester or responder). The numeric value of
// each reportable state is its Current-State value, so a state goes into a
// Status-Or-Error-Report (status-report, state-transition-prohibited) unchanged.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace illhub::protocol {

enum class State : std::uint8_t {
  kIdle = 0,  // before any APDU; not a Current-State value, never reported
  kNotSupplied = 1,
  kPending = 2,
  kInProcess = 3,
  kForward = 4,
  kConditional = 5,
  kCancelPending = 6,
  kCancelled = 7,
  kShipped = 8,
  kReceived = 9,
  kRenewPending = 10,
  kNotReceivedOverdue = 11,
  kRenewOverdue = 12,
  kOverdue = 13,
  kReturned = 14,
  kCheckedIn = 15,
  kRecall = 16,
  kLost = 17,
  kUnknown = 18,
};

inline constexpr int kStateCount = 19;

/// Every state, IDLE first, then in Current-State order: for loops in tables and tests.
inline constexpr std::array<State, kStateCount> kAllStates = {
    State::kIdle,         State::kNotSupplied,        State::kPending,
    State::kInProcess,    State::kForward,            State::kConditional,
    State::kCancelPending, State::kCancelled,         State::kShipped,
    State::kReceived,     State::kRenewPending,       State::kNotReceivedOverdue,
    State::kRenewOverdue, State::kOverdue,            State::kReturned,
    State::kCheckedIn,    State::kRecall,             State::kLost,
    State::kUnknown};

/// The ISO 10161 name, e.g. "NOT-RECEIVED-OVERDUE"; "IDLE" for kIdle.
std::string_view to_string(State state);

/// The state for a name as printed by to_string, or nothing.
std::optional<State> state_from_name(std::string_view name);

/// The Current-State value (1..18) to report, or nothing for IDLE, which ISO 10161 does not
/// report (a peer asking about a transaction in IDLE gets unknown-transaction-id instead).
std::optional<int> current_state_value(State state);

/// Who holds the item, as far as one side's state says. Both sides of a transaction must
/// always agree on it: the property test walks the tables to check that they do.
enum class Custody : std::uint8_t {
  kLender,    // not shipped yet, never shipped, or back (RETURNED counts: it left the borrower)
  kBorrower,  // shipped and not returned (SHIPPED counts: it left the lender)
  kNobody,    // LOST, or UNKNOWN
};

/// Custody as implied by one side's state alone.
Custody custody_of(State state);

std::string_view to_string(Custody custody);

}  // namespace illhub::protocol
