#include "illhub/hub/override_rules.hpp"

namespace illhub::hub {

using protocol::Custody;
using protocol::State;

std::optional<std::string> override_refusal(protocol::Role role, State new_state, std::optional<bool> is_loan,
                                            const LedgerFacts& ledger) {
  const std::string target = std::string(protocol::to_string(role)) + " " + std::string(protocol::to_string(new_state));
  if (new_state == State::kIdle) return "IDLE means no APDU yet; a transaction in the log is never IDLE again";
  if (is_loan.value_or(true)) {
    const Custody implied = protocol::custody_of(new_state);
    if (implied != ledger.item_custody)
      return target + " says the item is with " + std::string(protocol::to_string(implied)) +
             ", but the ledger has it with " + std::string(protocol::to_string(ledger.item_custody)) +
             " (an override makes no postings: send the APDU that moves the item instead)";
  }
  // States up to CANCELLED are those in which nothing was ever shipped.
  if (ledger.money_posted && static_cast<int>(new_state) <= static_cast<int>(State::kCancelled))
    return target + " means nothing was shipped, but a charge has been posted for this transaction";
  return std::nullopt;
}

}  // namespace illhub::hub
