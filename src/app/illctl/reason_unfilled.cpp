#include "app/illctl/reason_unfilled.hpp"

#include <array>
#include <string_view>

namespace illhub::app {

std::string reason_unfilled_name(long value) {
  // Values 1..24 in order; 25 and 26 are unassigned; 27 other, 28 responder-specific.
  static constexpr std::array<std::string_view, 24> kNames = {
      "in-use-on-loan", "in-process", "lost", "non-circulating", "not-owned", "on-order",
      "volume-issue-not-yet-available", "at-bindery", "lacking", "not-on-shelf", "on-reserve",
      "poor-condition", "cost-exceeds-limit", "charges", "prepayment-required",
      "lacks-copyright-compliance", "not-found-as-cited", "locations-not-found", "on-hold",
      "policy-problem", "mandatory-messaging-not-supported", "expiry-not-supported",
      "requested-delivery-services-not-supported", "preferred-delivery-time-not-possible"};
  if (value >= 1 && value <= 24) return std::string(kNames[static_cast<std::size_t>(value - 1)]);
  if (value == 27) return "other";
  if (value == 28) return "responder-specific";
  return "reason-" + std::to_string(value);
}

}  // namespace illhub::app
