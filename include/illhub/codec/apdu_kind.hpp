#pragma once
// The twenty ISO 10161 APDU kinds. The numeric value of each is its [APPLICATION n] tag
// and its ILL-APDU-Type value, so one number names the kind everywhere (wire, database, logs).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace illhub::codec {

enum class ApduKind : std::uint8_t {
  kIllRequest = 1,
  kForwardNotification = 2,
  kShipped = 3,
  kIllAnswer = 4,
  kConditionalReply = 5,
  kCancel = 6,
  kCancelReply = 7,
  kReceived = 8,
  kRecall = 9,
  kReturned = 10,
  kCheckedIn = 11,
  kOverdue = 12,
  kRenew = 13,
  kRenewAnswer = 14,
  kLost = 15,
  kDamaged = 16,
  kMessage = 17,
  kStatusQuery = 18,
  kStatusOrErrorReport = 19,
  kExpired = 20,
};

inline constexpr int kApduKindCount = 20;

/// All kinds in tag order, for loops in tables and tests.
inline constexpr std::array<ApduKind, kApduKindCount> kAllApduKinds = {
    ApduKind::kIllRequest,   ApduKind::kForwardNotification, ApduKind::kShipped,
    ApduKind::kIllAnswer,    ApduKind::kConditionalReply,    ApduKind::kCancel,
    ApduKind::kCancelReply,  ApduKind::kReceived,            ApduKind::kRecall,
    ApduKind::kReturned,     ApduKind::kCheckedIn,           ApduKind::kOverdue,
    ApduKind::kRenew,        ApduKind::kRenewAnswer,         ApduKind::kLost,
    ApduKind::kDamaged,      ApduKind::kMessage,             ApduKind::kStatusQuery,
    ApduKind::kStatusOrErrorReport, ApduKind::kExpired};

/// The APPLICATION tag number (1..20) of a kind.
constexpr int application_tag(ApduKind kind) { return static_cast<int>(kind); }

/// The kind for an APPLICATION tag number, or nothing when the tag is not an ISO 10161 APDU.
constexpr std::optional<ApduKind> apdu_kind_from_tag(long tag) {
  if (tag < 1 || tag > kApduKindCount) return std::nullopt;
  return static_cast<ApduKind>(tag);
}

/// The ISO 10161 name of the APDU, e.g. "ILL-Request", "Status-Or-Error-Report".
constexpr std::string_view to_string(ApduKind kind) {
  constexpr std::array<std::string_view, kApduKindCount> names = {
      "ILL-Request", "Forward-Notification", "Shipped",   "ILL-Answer",
      "Conditional-Reply", "Cancel",         "Cancel-Reply", "Received",
      "Recall",      "Returned",             "Checked-In", "Overdue",
      "Renew",       "Renew-Answer",         "Lost",       "Damaged",
      "Message",     "Status-Query",         "Status-Or-Error-Report", "Expired"};
  return names[static_cast<std::size_t>(kind) - 1];
}

/// The kind for an ISO 10161 name (as printed by to_string), or nothing.
constexpr std::optional<ApduKind> apdu_kind_from_name(std::string_view name) {
  for (ApduKind k : kAllApduKinds)
    if (to_string(k) == name) return k;
  return std::nullopt;
}

}  // namespace illhub::codec
