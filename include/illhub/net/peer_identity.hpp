#pragma once
// Which member library a connection speaks for (no TLS yet). Pure: the caller looks up which
// peers may connect from the connection's address and passes them in. The rule, also in
// docs/NET.md:
//
//   1. At connect time: if exactly one enabled peer's allowed_networks contain the source
//      address, the connection speaks for that peer from the first byte (and can receive
//      deliveries before it has sent anything).
//   2. Otherwise the first APDU decides: its sender (requester-id for APDUs only requesters
//      send, responder-id for those only responders send; for APDUs either side sends, the one
//      of the two that may connect from this address) must be a peer whose allowed_networks
//      contain the source address.
//   3. Once bound, every APDU on the connection must name the bound peer as its sender (or,
//      for either-side APDUs, as requester-id or responder-id). A connection never changes
//      the peer it speaks for.
//
// A peer with an empty allowed_networks cannot connect at all (the hub may still dial it).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/codec/apdu_kind.hpp"
#include "illhub/codec/envelope.hpp"

namespace illhub::net {

/// Which side of an ISO 10161 transaction sends an APDU kind.
enum class SendingSide { kRequester, kResponder, kEither };

/// protocol::sole_sender, as the identity check needs it: e.g. ILL-Request, Received, Returned
/// are sent by the requester; ILL-Answer, Shipped, Checked-In, Expired by the responder;
/// Message, Status-Query, Status-Or-Error-Report, Lost and Damaged by either.
SendingSide sending_side(codec::ApduKind kind);

struct IdentityCheck {
  bool ok = false;
  /// ok: the peer the APDU is applied for (the bound peer, or the one it binds now).
  std::string symbol;
  /// !ok: why, for the security-problem report and the log.
  std::string problem;
};

/// Checks one APDU against the connection's identity. `bound`: the peer the connection speaks
/// for, if known. `address_peers`: enabled peers that may connect from the source address.
IdentityCheck check_identity(const codec::Envelope& apdu, const std::optional<std::string>& bound,
                             const std::vector<std::string>& address_peers);

}  // namespace illhub::net
