#include "illhub/hub/intermediary.hpp"

#include <algorithm>

#include "illhub/hub/money.hpp"

namespace illhub::hub {

bool routed_by_hub(const codec::Envelope& request, std::string_view hub_symbol) {
  if (hub_symbol.empty() || request.kind != codec::ApduKind::kIllRequest) return false;
  return request.responder_id.symbol == hub_symbol || !request.send_to.empty();
}

std::vector<SendToCandidate> send_to_rota(const codec::Envelope& request, std::string_view hub_symbol) {
  std::vector<SendToCandidate> out;
  auto seen = [&out](const std::string& s) {
    return std::any_of(out.begin(), out.end(), [&s](const SendToCandidate& c) { return c.lender == s; });
  };
  auto tried = [&request](const std::string& s) {
    return std::any_of(request.already_tried.begin(), request.already_tried.end(),
                       [&s](const codec::SystemId& id) { return id.symbol == s; });
  };
  auto add = [&](const codec::SystemId& id, std::string reason) {
    SendToCandidate c{id.symbol, std::move(reason), {}};
    if (id.symbol.empty()) {
      c.lender = id.name.empty() ? "(no symbol)" : id.name;
      c.skip_reason = "no institution symbol, only a name";
    } else if (id.symbol == request.requester_id.symbol) {
      c.skip_reason = "the borrower itself";
    } else if (id.symbol == hub_symbol) {
      c.skip_reason = "the hub itself";
    } else if (seen(id.symbol)) {
      c.skip_reason = "named earlier on the list";
    } else if (tried(id.symbol)) {
      c.skip_reason = "on the request's already-tried-list";
    }
    out.push_back(std::move(c));
  };
  // A request sent to a library with a send-to-list asks that library first (ISO 10161: the
  // responder passes the request on along the list if it cannot supply).
  if (!request.responder_id.symbol.empty() && request.responder_id.symbol != hub_symbol)
    add(request.responder_id, "the request's responder-id");
  for (std::size_t i = 0; i < request.send_to.size(); ++i)
    add(request.send_to[i], "position " + std::to_string(i + 1) + " of the borrower's send-to-list");
  return out;
}

std::optional<std::string_view> moving_on_outcome(const codec::Envelope& apdu) {
  if (apdu.kind == codec::ApduKind::kExpired) return "expired";
  if (apdu.kind != codec::ApduKind::kIllAnswer || !apdu.transaction_results) return std::nullopt;
  switch (*apdu.transaction_results) {
    case codec::TransactionResults::kUnfilled: return "unfilled";
    case codec::TransactionResults::kRetry: return "retry";
    case codec::TransactionResults::kLocationsProvided: return "locations-provided";
    default: return std::nullopt;
  }
}

routing::RotaRequest rota_request_from(const codec::Envelope& request) {
  routing::RotaRequest r;
  r.borrower = request.requester_id.symbol;
  r.isbn = request.item.isbn;
  r.issn = request.item.issn;
  r.title = request.item.title;
  r.author = request.item.author;
  if (request.item.item_type) r.item_type = static_cast<int>(*request.item.item_type);
  for (const codec::IllServiceType t : request.ill_service_types) r.service_types.push_back(static_cast<int>(t));
  if (request.maximum_cost) {
    // An amount that cannot be read says nothing about charges: the default (accepts) stands.
    if (auto max = parse_amount(*request.maximum_cost, "EUR")) r.borrower_accepts_charges = max->units > 0;
  }
  for (const codec::SystemId& id : request.already_tried)
    if (!id.symbol.empty()) r.already_tried.push_back(id.symbol);
  return r;
}

}  // namespace illhub::hub
