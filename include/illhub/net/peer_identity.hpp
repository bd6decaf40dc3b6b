#pragma once
// Which member library a connection speaks for. Pure: the caller looks up which peers may
// connect from the connection's address (or hold the TLS client certificate) and passes them
// in. The rule, also in docs/NET.md:
//
//   0. Over TLS: the enabled peer whose tls_cert_sha256 is the SHA-256 of the client's
//      certificate, bound at the handshake (identify_by_certificate); the source address plays
//      no part. A certificate registered for no enabled peer: the connection is closed. Rule 3
//      then applies to every APDU. Rules 1 and 2 are for plain TCP only:
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
#include "illhub/net/peer_directory.hpp"
#include "illhub/util/result.hpp"

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

/// Rule 0: the peer a TLS client certificate speaks for. `registered`: the peers whose
/// tls_cert_sha256 is `sha256`. The symbol of the one enabled peer, or why there is none
/// (no peer, a disabled peer, or several peers: an ambiguous registration), for the log.
Result<std::string, std::string> identify_by_certificate(const std::vector<PeerInfo>& registered,
                                                         const std::string& sha256);

}  // namespace illhub::net
