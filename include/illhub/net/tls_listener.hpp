#pragma once
// TlsListener: the second listening socket, for member libraries that connect over TLS with a
// client certificate (mutual TLS). Each accepted connection gets a handshake (bounded in time),
// then the peer its certificate is registered for (peers.tls_cert_sha256, rule 0 of
// peer_identity.hpp); only then is it handed over as a PeerStream bound to that peer. A failed
// handshake or a certificate registered for no enabled peer is logged with the address and
// reason, and the connection closed: no APDU is read from it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "illhub/net/metrics.hpp"
#include "illhub/net/peer_directory.hpp"
#include "illhub/net/peer_stream.hpp"

namespace illhub::net {

class TlsListener {
 public:
  struct Hooks {
    /// Whether one more connection may open now (max_connections); asked at accept.
    std::function<bool()> may_open;
    /// How long a handshake may take (read at each accept, so a reload applies).
    std::function<std::chrono::milliseconds()> handshake_timeout;
    /// A connection whose handshake succeeded and whose certificate is `peer`'s.
    std::function<void(PeerStream stream, const std::string& peer)> admit;
  };

  /// Everything referenced must outlive the listener and every handshake it started.
  TlsListener(asio::io_context& io, asio::thread_pool& db_threads, PeerDirectory& peers, Metrics& metrics,
              Hooks hooks);

  /// Binds `endpoint` and starts accepting on the io_context; `context` serves every handshake
  /// until set_context replaces it. Returns the error if the address cannot be bound.
  boost::system::error_code start(const asio::ip::tcp::endpoint& endpoint,
                                  std::shared_ptr<asio::ssl::context> context);
  /// Handshakes that start from now on use `context` (a reload of the certificate files);
  /// connections already open keep theirs. Call on the io thread.
  void set_context(std::shared_ptr<asio::ssl::context> context) { context_ = std::move(context); }
  /// Stops accepting (handshakes under way finish or time out).
  void stop();
  /// The address listened on (the real port when asked for port 0).
  asio::ip::tcp::endpoint local_endpoint() const;
  bool listening() const { return acceptor_.is_open(); }

 private:
  asio::awaitable<void> accept_loop();
  /// One connection: handshake, certificate → peer, admit or close.
  asio::awaitable<void> handshake(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> context);
  void refuse(const std::string& remote, const char* reason_label, const std::string& why);

  asio::io_context& io_;
  asio::thread_pool& db_threads_;
  PeerDirectory& peers_;
  Metrics& metrics_;
  Hooks hooks_;
  std::shared_ptr<asio::ssl::context> context_;
  asio::ip::tcp::acceptor acceptor_;
  bool stopping_ = false;
};

}  // namespace illhub::net
