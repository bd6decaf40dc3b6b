#pragma once
// The rota: the ordered list of lenders the hub asks, one after another, for a request addressed
// to the consortium (issue #9). This header is the seam between two parts built separately:
//   - the planner (src/routing/): candidates from holdings, filtered by lending policy, ordered
//     by tier, load and cost, each with the reason it was chosen;
//   - the intermediary (illd): forwards the ILL-Request to the next lender, tells the borrower
//     with a Forward-Notification and moves on when a lender cannot supply.
// A borrower may also name its own candidates (the send-to-list of its third-party-info); the
// intermediary then uses that list in the borrower's order.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace illhub::routing {

/// What the planner needs to know about a request. Identifiers are as the request sent them
/// (normalised by the planner); empty means absent.
struct RotaRequest {
  std::string borrower;                 // the requesting library's symbol
  std::string isbn, issn, oclc, local_id;
  std::string title, author;
  std::optional<int> item_type;         // ISO 10161 Item-Type, when the request gave one
  std::vector<int> service_types;       // ILL-Service-Type values the borrower accepts (1 loan, 2 copy, ...)
  bool borrower_accepts_charges = true; // false when the request's maximum cost is zero
  std::vector<std::string> already_tried;  // lenders never to ask again for this request
};

/// One lender on the rota and why it is there, in words an operator reads in `illctl show`.
struct RotaEntry {
  std::string lender;                   // the lender's peer symbol
  std::string reason;                   // e.g. "tier 1 (local); holds ISBN 9780...; lend/borrow 0.8"
};

/// The planner's answer: lenders in the order they are to be asked.
struct Rota {
  std::int64_t policy_version = 0;      // the lending-policy version the choice used (0: none)
  std::vector<RotaEntry> lenders;       // empty: nobody can supply
};

}  // namespace illhub::routing
