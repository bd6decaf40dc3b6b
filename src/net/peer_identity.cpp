// Which peer a connection speaks for: see include/illhub/net/peer_identity.hpp and docs/NET.md.
#include "illhub/net/peer_identity.hpp"

#include "illhub/protocol/event.hpp"

#include <algorithm>

namespace illhub::net {

using codec::ApduKind;

SendingSide sending_side(ApduKind kind) {
  const std::optional<protocol::Role> only = protocol::sole_sender(kind);
  if (!only) return SendingSide::kEither;
  return *only == protocol::Role::kRequester ? SendingSide::kRequester : SendingSide::kResponder;
}

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return !s.empty() && std::find(list.begin(), list.end(), s) != list.end();
}

std::string name_of(const std::string& symbol) { return symbol.empty() ? "(no symbol)" : symbol; }

}  // namespace

IdentityCheck check_identity(const codec::Envelope& apdu, const std::optional<std::string>& bound,
                             const std::vector<std::string>& address_peers) {
  const std::string& requester = apdu.requester_id.symbol;
  const std::string& responder = apdu.responder_id.symbol;
  const SendingSide side = sending_side(apdu.kind);
  const std::string kind(codec::to_string(apdu.kind));

  if (bound) {
    bool ok = false;
    std::string claimed;
    switch (side) {
      case SendingSide::kRequester: ok = requester == *bound; claimed = requester; break;
      case SendingSide::kResponder: ok = responder == *bound; claimed = responder; break;
      case SendingSide::kEither:
        ok = requester == *bound || responder == *bound;
        claimed = requester + "/" + responder;
        break;
    }
    if (ok) return {true, *bound, {}};
    return {false, {},
            "this connection speaks for " + *bound + "; the " + kind + " is from " + name_of(claimed)};
  }

  // Not bound yet: the APDU names its sender, who must be allowed on this address.
  std::vector<std::string> senders;
  if (side != SendingSide::kResponder) senders.push_back(requester);
  if (side != SendingSide::kRequester) senders.push_back(responder);
  std::vector<std::string> allowed;
  for (const auto& s : senders)
    if (contains(address_peers, s) && !contains(allowed, s)) allowed.push_back(s);
  if (allowed.size() == 1) return {true, allowed.front(), {}};
  if (allowed.size() > 1)
    return {false, {},
            "cannot tell whether " + requester + " or " + responder + " sent this " + kind +
                ": both may connect from this address; send an APDU only one side sends first"};
  std::string claimed = side == SendingSide::kResponder ? responder : requester;
  if (side == SendingSide::kEither) claimed = requester + "/" + responder;
  return {false, {}, "unknown or unauthorised sender " + name_of(claimed) + " for this address"};
}

Result<std::string, std::string> identify_by_certificate(const std::vector<PeerInfo>& registered,
                                                         const std::string& sha256) {
  if (registered.empty()) return unexpected("certificate sha256 " + sha256 + " is registered for no peer");
  if (registered.size() > 1) {
    std::string names;
    for (const auto& p : registered) names += (names.empty() ? "" : ", ") + p.symbol;
    return unexpected("certificate sha256 " + sha256 + " is registered for several peers (" + names +
                      "); register it for one only");
  }
  if (!registered.front().enabled)
    return unexpected("certificate sha256 " + sha256 + " belongs to " + registered.front().symbol +
                      ", which is disabled");
  return registered.front().symbol;
}

}  // namespace illhub::net
