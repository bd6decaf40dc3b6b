// PeerDirectory: the peers table, read on demand.
#include "illhub/net/peer_directory.hpp"

namespace illhub::net {

Result<std::vector<std::string>, store::StoreError> PeerDirectory::peers_for_address(
    const std::string& address) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  // <<= on inet: "is contained by or equals" the network; a peer's list may hold several.
  auto r = (*lease)->exec(
      "SELECT symbol FROM peers WHERE enabled AND $1::inet <<= ANY (allowed_networks) "
      "ORDER BY symbol",
      {address});
  if (!r) return unexpected(r.error());
  std::vector<std::string> out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->get(i, 0));
  return out;
}

Result<std::vector<PeerInfo>, store::StoreError> PeerDirectory::peers_for_certificate(const std::string& sha256) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  auto r = (*lease)->exec("SELECT symbol, enabled FROM peers WHERE lower(tls_cert_sha256) = $1 ORDER BY symbol",
                          {sha256});
  if (!r) return unexpected(r.error());
  std::vector<PeerInfo> out;
  for (int i = 0; i < r->rows(); ++i) {
    PeerInfo p;
    p.symbol = std::string(r->get(i, 0));
    p.enabled = r->get(i, 1) == "t";
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<PeerInfo>, store::StoreError> PeerDirectory::find(const std::string& symbol) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  auto r = (*lease)->exec(
      "SELECT symbol, coalesce(endpoint, ''), delivery_mode = 'dial', enabled, receipts FROM peers "
      "WHERE symbol = $1",
      {symbol});
  if (!r) return unexpected(r.error());
  if (r->rows() == 0) return std::optional<PeerInfo>();
  PeerInfo p;
  p.symbol = std::string(r->get(0, 0));
  p.endpoint = std::string(r->get(0, 1));
  p.dial = r->get(0, 2) == "t";
  p.enabled = r->get(0, 3) == "t";
  p.receipts = r->get(0, 4) == "t";
  return std::optional<PeerInfo>(std::move(p));
}

}  // namespace illhub::net
