// Every relaxation of the strict tables the hub knows, in one place. Each extra cell says
// which systems need it; a profile is attached to a peer in the peer registry.
#include "illhub/protocol/lenient_profile.hpp"

namespace illhub::protocol {
namespace {

using A = ApduKind;
using G = Guard;
using S = State;
constexpr Role kReq = Role::kRequester;
constexpr Role kResp = Role::kResponder;
constexpr Confidence I = Confidence::kInferred;

// Borrowers' systems that report receipt before (or instead of) the lender's Shipped although
// the lender declared it can send Shipped. The late Shipped is then a crossing message, which
// the strict tables already accept in RECEIVED.
constexpr ProfileCell kReceivedBeforeShipped[] = {
    {kReq, {S::kPending, send(A::kReceived), to(S::kReceived), G::kAlways, I,
            "profile received-before-shipped: Received before Shipped"}},
    {kResp, {S::kInProcess, receive(A::kReceived), to(S::kReceived), G::kAlways, I,
             "profile received-before-shipped: Received before Shipped"}},
    {kResp, {S::kPending, receive(A::kReceived), to(S::kReceived), G::kAlways, I,
             "profile received-before-shipped: Received before Shipped"}},
};

// Borrowers' systems that never send Returned although they declared they can: the lender's
// Checked-In must be accepted while the borrower still holds the item as far as the tables
// know. Same cells as the strict ones guarded by "loan,no-Returned", for loans in general.
constexpr ProfileCell kCheckedInWithoutReturned[] = {
    {kReq, {S::kReceived, receive(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
            "profile checked-in-without-returned"}},
    {kReq, {S::kRenewPending, receive(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
            "profile checked-in-without-returned"}},
    {kReq, {S::kOverdue, receive(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
            "profile checked-in-without-returned"}},
    {kReq, {S::kRenewOverdue, receive(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
            "profile checked-in-without-returned"}},
    {kReq, {S::kRecall, receive(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
            "profile checked-in-without-returned"}},
    {kResp, {S::kReceived, send(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
             "profile checked-in-without-returned"}},
    {kResp, {S::kRenewPending, send(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
             "profile checked-in-without-returned"}},
    {kResp, {S::kOverdue, send(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
             "profile checked-in-without-returned"}},
    {kResp, {S::kRenewOverdue, send(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
             "profile checked-in-without-returned"}},
    {kResp, {S::kRecall, send(A::kCheckedIn), to(S::kCheckedIn), G::kLoan, I,
             "profile checked-in-without-returned"}},
};

constexpr LenientProfile kProfiles[] = {
    {"received-before-shipped",
     "the borrower's system sends Received before the lender's Shipped arrives",
     kReceivedBeforeShipped, false},
    {"checked-in-without-returned",
     "the borrower's system never sends Returned; the lender's Checked-In closes the loan",
     kCheckedInWithoutReturned, false},
    {"no-checked-in",
     "the lender's system never sends Checked-In; RETURNED closes the loan",
     {}, true},
};

}  // namespace

std::span<const LenientProfile> lenient_profiles() { return kProfiles; }

const LenientProfile* find_lenient_profile(std::string_view name) {
  for (const LenientProfile& p : kProfiles)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace illhub::protocol
