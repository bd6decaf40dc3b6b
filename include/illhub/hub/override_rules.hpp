#pragma once
// When an operator may set a transaction's state by hand (`illctl override`), and when not.
// Pure. An override changes one side's state and nothing else: it makes no ledger postings.
// So it is refused whenever the state it sets would contradict postings already made — the
// ledger stays the truth about items and money, and a correction that needs postings goes
// through the protocol (the APDU that makes them) instead:
//
//  1. Items (loans only, kept in ITM): the custody the new state implies (protocol::
//     custody_of) must be where the ledger has the item — with the borrower while a loan-out
//     is not balanced by a loan-back, with nobody after a loan-lost, else with the lender.
//     E.g. SHIPPED -> CHECKED-IN is refused while the item is booked to the borrower.
//  2. Money: once a charge or a replacement has been posted, no state in which the item was
//     never shipped (IDLE up to CANCELLED) may be set: the charge would stand for nothing.
//  3. IDLE is never set: it means "no APDU yet", and the transaction has some.

#include <optional>
#include <string>

#include "illhub/protocol/state.hpp"
#include "illhub/protocol/event.hpp"

namespace illhub::hub {

/// What the ledger holds for one transaction.
struct LedgerFacts {
  /// The item's custody by the ITM postings. kLender when there are none.
  protocol::Custody item_custody = protocol::Custody::kLender;
  /// A charge or replacement (money, any currency) has been posted.
  bool money_posted = false;
};

/// Why the override is refused, or nothing when it may go ahead. `is_loan`: the
/// transaction's RETURN variable (nothing: not known yet, treated as a loan).
std::optional<std::string> override_refusal(protocol::Role role, protocol::State new_state,
                                            std::optional<bool> is_loan, const LedgerFacts& ledger);

}  // namespace illhub::hub
