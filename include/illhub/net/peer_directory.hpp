#pragma once
// PeerDirectory: reads the peers table (who may connect from where, how to reach whom).
// Every call blocks on the database: call it through run_blocking(). Nothing is cached, so
// an operator's change to peers applies to the next connection or delivery.

#include <optional>
#include <string>
#include <vector>

#include "illhub/store/connection_pool.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

struct PeerInfo {
  std::string symbol;
  std::string endpoint;  // "host:port"; empty: the hub never dials it
  bool dial = false;     // delivery_mode 'dial'
  bool enabled = false;
  bool receipts = false;  // wants a status report after each of its APDUs is committed
};

class PeerDirectory {
 public:
  /// `pool` must outlive the directory. Thread-safe (each call leases its own connection).
  explicit PeerDirectory(store::ConnectionPool& pool) : pool_(pool) {}

  /// Enabled peers whose allowed_networks contain `address` (IPv4 or IPv6 text), by symbol.
  Result<std::vector<std::string>, store::StoreError> peers_for_address(const std::string& address);

  /// Peers whose tls_cert_sha256 is `sha256` (lower-case hex), enabled or not, by symbol.
  /// More than one means the certificate is registered twice (illctl refuses that).
  Result<std::vector<PeerInfo>, store::StoreError> peers_for_certificate(const std::string& sha256);

  /// One peer, or nothing when no such symbol is registered.
  Result<std::optional<PeerInfo>, store::StoreError> find(const std::string& symbol);

 private:
  store::ConnectionPool& pool_;
};

}  // namespace illhub::net
