#pragma once
// The rota's order, as a pure function of what the planner found (planner.hpp reads it from
// the database): each holder is kept or left out by its lending policy, then ordered by
//   1. tier relative to the borrower: 1 local (a member of the borrower's region),
//      2 regional (regional centres and other regions; the borrower's own region first),
//      3 national centre;
//   2. load band: load = (lent + in hand + 1) / (borrowed + 1) over the policy's window, cut
//      into bands of the policy's load_band, so libraries that lend more than they borrow,
//      or have much in hand, are asked later and lending spreads over the consortium;
//   3. charge, cheaper first (within a band, so cost decides between similar loads);
//   4. exact load, requests in hand, then symbol (a stable order for equal libraries).

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/routing/policy.hpp"
#include "illhub/routing/rota.hpp"

namespace illhub::routing {

/// One library that holds the item, with the numbers the order depends on.
struct CandidateFacts {
  LibraryPolicy policy;        // its policy (policy.symbol is the library's symbol)
  std::string matched_by;      // how its holdings matched: "ISBN 9780306406157", "title and author"
  bool peer_enabled = true;    // peers.enabled
  std::int64_t lent = 0;       // requests it supplied within the window
  std::int64_t borrowed = 0;   // requests it made within the window
  std::int64_t in_hand = 0;    // requests to it not yet answered or shipped
};

/// A holder left off the rota, and why.
struct Exclusion {
  std::string lender;
  std::string reason;          // "does not lend serials", "is the borrower", ...
};

struct RankedRota {
  Rota rota;                   // policy_version is the given policy's version
  std::vector<Exclusion> excluded;  // in symbol order
};

/// Filters and orders `candidates` for `request` under `policy` (the borrower's region and the
/// consortium's rules come from it). Pure: no I/O, the same input gives the same order.
RankedRota rank_candidates(const RotaRequest& request, const LendingPolicy& policy,
                           std::vector<CandidateFacts> candidates);

/// The load the order uses: (lent + in_hand + 1) / (borrowed + 1).
double load_of(const CandidateFacts& c);

}  // namespace illhub::routing
