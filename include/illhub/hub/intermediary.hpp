#pragma once
// The hub as ISO 10161 intermediary (docs/ROUTING.md): which requests it routes, the rota a
// borrower's send-to-list makes, which lender answers move the request on, and what the
// planner is told. Pure: the store (store::Intermediary) looks up members and writes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/codec/envelope.hpp"
#include "illhub/routing/rota.hpp"

namespace illhub::hub {

/// Whether the hub routes this new ILL-Request itself: it is addressed to the hub's symbol, or
/// it carries a send-to-list. `hub_symbol` empty: the hub routes nothing.
bool routed_by_hub(const codec::Envelope& request, std::string_view hub_symbol);

/// One candidate of the borrower's own rota.
struct SendToCandidate {
  std::string lender;
  std::string reason;       // why it is on the rota ("position 2 of the borrower's send-to-list")
  std::string skip_reason;  // non-empty: recorded on the rota but never asked
};

/// The rota the borrower asked for: the request's responder-id first when it names a library
/// (not the hub), then the send-to-list in the borrower's order. The borrower itself, the hub,
/// a repeat, a lender on the already-tried-list and an entry without a symbol are kept as
/// skipped, so the operator sees the whole list as sent.
std::vector<SendToCandidate> send_to_rota(const codec::Envelope& request, std::string_view hub_symbol);

/// What a lender's APDU means for the rota when it ends the lender's part without supplying:
/// "unfilled", "retry", "locations-provided" (ILL-Answer) or "expired" (Expired). Nothing for
/// every other APDU (a supplying answer, Shipped, a Message ...).
std::optional<std::string_view> moving_on_outcome(const codec::Envelope& apdu);

/// What the planner is told about a request (the seam in routing/rota.hpp): identifiers,
/// title, author, item type, service types, whether the borrower accepts charges (not when its
/// maximum cost is zero) and the lenders already tried. OCLC and local numbers are not read
/// from the request yet (left empty).
routing::RotaRequest rota_request_from(const codec::Envelope& request);

}  // namespace illhub::hub
