#include "illhub/hub/ledger_rules.hpp"

namespace illhub::hub {

std::string_view to_string(PostingKind kind) {
  switch (kind) {
    case PostingKind::kLoanOut: return "loan-out";
    case PostingKind::kLoanBack: return "loan-back";
    case PostingKind::kLoanLost: return "loan-lost";
    case PostingKind::kCharge: return "charge";
    case PostingKind::kReplacement: return "replacement";
    case PostingKind::kSubsidy: return "subsidy";
  }
  return "charge";
}

std::string library_account(std::string_view symbol) { return "library:" + std::string(symbol); }

namespace {

using protocol::Custody;
using protocol::custody_of;

/// A transfer from one account to another, as its two legs.
void transfer(std::vector<Posting>& out, const std::string& from, const std::string& to,
              std::int64_t amount, std::string_view currency, PostingKind kind) {
  if (amount == 0) return;
  out.push_back({to, from, amount, std::string(currency), kind});
  out.push_back({from, to, -amount, std::string(currency), kind});
}

bool is_loan(const protocol::TransactionView& view) {
  return view.conditions.return_variable != protocol::Return::kCopy;
}

/// Custody as both sides see it; they agree (the protocol tests check it), and the
/// requester side is the one that knows first when the borrower has the item.
Custody custody(const protocol::TransactionView& view) {
  const Custody r = custody_of(view.requester);
  return r != Custody::kLender ? r : custody_of(view.responder);
}

}  // namespace

Result<std::vector<Posting>, std::string> postings_for(const codec::Envelope& apdu,
                                                       const LedgerContext& context,
                                                       const LedgerPolicy& policy) {
  std::vector<Posting> out;
  const std::string borrower = library_account(context.requester_symbol);
  const std::string lender = library_account(context.responder_symbol);

  // Items: follow custody of a loan as the state tables move it.
  if (is_loan(context.after)) {
    const Custody was = custody(context.before), now = custody(context.after);
    if (was == Custody::kLender && now == Custody::kBorrower)
      transfer(out, lender, borrower, kMoneyScale, kItemCurrency, PostingKind::kLoanOut);
    else if (was == Custody::kBorrower && now == Custody::kLender)
      transfer(out, borrower, lender, kMoneyScale, kItemCurrency, PostingKind::kLoanBack);
    else if (was == Custody::kBorrower && now == Custody::kNobody)
      transfer(out, borrower, lender, kMoneyScale, kItemCurrency, PostingKind::kLoanLost);
  }

  // Money: the Shipped's cost, borrower to lender, and the consortium's share of it.
  if (apdu.kind == codec::ApduKind::kShipped && apdu.cost) {
    auto cost = parse_amount(*apdu.cost, policy.default_currency);
    if (!cost) return unexpected("Shipped cost: " + cost.error());
    transfer(out, borrower, lender, cost->units, cost->currency, PostingKind::kCharge);
    const std::int64_t subsidy = cost->units * policy.subsidy_percent / 100;
    transfer(out, std::string(kSubsidyAccount), borrower, subsidy, cost->currency, PostingKind::kSubsidy);
  }

  // Replacement: the insured value, once, when the item is reported lost or damaged.
  const bool loss = apdu.kind == codec::ApduKind::kLost || apdu.kind == codec::ApduKind::kDamaged;
  if (loss && !context.replacement_charged && context.insured_value)
    transfer(out, borrower, lender, context.insured_value->units, context.insured_value->currency,
             PostingKind::kReplacement);
  return out;
}

}  // namespace illhub::hub
