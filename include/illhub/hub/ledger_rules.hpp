#pragma once
// The ledger rules: which double-entry postings an accepted APDU makes. Pure.
//
// Every posting set is a list of transfers, each written as two legs that cancel out, so for
// every currency all postings sum to zero by construction (the database checks it again at
// COMMIT). Accounts are "library:<symbol>" and "consortium:subsidy". Item movements of
// loans are kept in the pseudo-currency ITM (one unit = one item), so "loans out and in per
// library" is a balance like any other.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/envelope.hpp"
#include "illhub/hub/money.hpp"
#include "illhub/protocol/hub_view.hpp"

namespace illhub::hub {

/// Pseudo-currency of item movements.
inline constexpr std::string_view kItemCurrency = "ITM";

/// Why a posting was made; stored with it and used by `illctl ledger`.
enum class PostingKind : std::uint8_t {
  kLoanOut,      // ITM: the item left the lender (Shipped of a loan)
  kLoanBack,     // ITM: the item is back with the lender (Returned or Checked-In)
  kLoanLost,     // ITM: the item will not come back (Lost)
  kCharge,       // money: the Shipped's cost, borrower to lender
  kReplacement,  // money: the insured value on Lost or Damaged, borrower to lender
  kSubsidy,      // money: the consortium pays part of a charge for the borrower
};

std::string_view to_string(PostingKind kind);

/// One leg. amount > 0: the account gains (is owed, or holds); < 0: it gives.
struct Posting {
  std::string account;
  std::string counter_account;
  std::int64_t amount = 0;  // ten-thousandths of the currency, or items x kMoneyScale for ITM
  std::string currency;
  PostingKind kind = PostingKind::kCharge;
  friend bool operator==(const Posting&, const Posting&) = default;
};

/// "library:IRL:BOR".
std::string library_account(std::string_view symbol);
inline constexpr std::string_view kSubsidyAccount = "consortium:subsidy";

/// The consortium's money rules.
struct LedgerPolicy {
  /// Currency for an Amount without currency-code.
  std::string default_currency = "EUR";
  /// Percentage (0..100) of every charge the consortium pays for the borrower.
  int subsidy_percent = 0;
};

/// What the rules need to know about the transaction beyond the APDU itself.
struct LedgerContext {
  std::string requester_symbol;  // the borrower
  std::string responder_symbol;  // the lender
  protocol::TransactionView before;
  protocol::TransactionView after;
  /// The value to charge if the item is lost or damaged: the Shipped's insured-for, else
  /// the Returned's insured-for. Empty when neither was given.
  std::optional<Money> insured_value;
  /// A replacement was charged already on this transaction (Damaged, then Lost): charge once.
  bool replacement_charged = false;
};

/// The postings for an accepted APDU. Errors: an amount that cannot be read (the APDU is
/// then still relayed; the caller records the error and posts nothing for it).
Result<std::vector<Posting>, std::string> postings_for(const codec::Envelope& apdu,
                                                       const LedgerContext& context,
                                                       const LedgerPolicy& policy);

}  // namespace illhub::hub
