// TlsListener: accept, handshake, certificate → peer. See include/illhub/net/tls_listener.hpp.
#include "illhub/net/tls_listener.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/blocking.hpp"
#include "illhub/net/peer_identity.hpp"
#include "illhub/net/tls_context.hpp"

namespace illhub::net {

using namespace boost::asio::experimental::awaitable_operators;
using boost::system::error_code;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(const tcp::socket& socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return "(unknown address)";
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address.to_string() + ":" + std::to_string(remote.port());
}

/// OpenSSL's reason, plus the certificate check's own when that is what failed.
std::string handshake_failure(const error_code& ec, SSL* ssl) {
  std::string why = ec.message();
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) why += std::string(" (client certificate: ") + X509_verify_cert_error_string(verify) + ")";
  return why;
}

}  // namespace

TlsListener::TlsListener(asio::io_context& io, asio::thread_pool& db_threads, PeerDirectory& peers,
                         Metrics& metrics, Hooks hooks)
    : io_(io), db_threads_(db_threads), peers_(peers), metrics_(metrics), hooks_(std::move(hooks)), acceptor_(io) {}

error_code TlsListener::start(const tcp::endpoint& endpoint, std::shared_ptr<ssl::context> context) {
  context_ = std::move(context);
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  asio::co_spawn(io_, accept_loop(), asio::detached);
  return {};
}

void TlsListener::stop() {
  stopping_ = true;
  error_code ignored;
  acceptor_.close(ignored);
}

tcp::endpoint TlsListener::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void TlsListener::refuse(const std::string& remote, const char* reason_label, const std::string& why) {
  spdlog::warn("TLS connection from {} refused: {}", remote, why);
  metrics_.connections_refused.inc({reason_label});
}

asio::awaitable<void> TlsListener::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUse);
    if (stopping_) break;
    if (ec) {
      spdlog::warn("TLS accept failed: {}", ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));  // e.g. out of descriptors
      co_await pause.async_wait(kUse);
      continue;
    }
    if (!hooks_.may_open()) {
      refuse(endpoint_text(socket), "max_connections", "too many connections open (max_connections)");
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Each handshake on its own: a slow client must not hold up the next accept.
    asio::co_spawn(io_, handshake(std::move(socket), context_), asio::detached);
  }
}

asio::awaitable<void> TlsListener::handshake(tcp::socket socket, std::shared_ptr<ssl::context> context) {
  const std::string remote = endpoint_text(socket);
  PeerStream::TlsStream stream(std::move(socket), *context);
  const auto timeout = hooks_.handshake_timeout();
  asio::steady_timer timer(io_, timeout);
  auto outcome = co_await (stream.async_handshake(ssl::stream_base::server, kUse) || timer.async_wait(kUse));
  error_code ignored;
  if (outcome.index() == 1) {
    refuse(remote, "tls_handshake",
           "TLS handshake did not complete within " + std::to_string(timeout.count()) + " ms (limits.apdu_timeout)");
    stream.next_layer().close(ignored);
    co_return;
  }
  if (const auto [ec] = std::get<0>(outcome); ec) {
    refuse(remote, "tls_handshake", "TLS handshake failed: " + handshake_failure(ec, stream.native_handle()));
    stream.next_layer().close(ignored);
    co_return;
  }
  // verify_fail_if_no_peer_cert makes a certificate certain here; checked anyway, as input.
  X509* certificate = SSL_get0_peer_certificate(stream.native_handle());
  if (certificate == nullptr) {
    refuse(remote, "tls_certificate", "no client certificate");
    stream.next_layer().close(ignored);
    co_return;
  }
  const std::string sha256 = certificate_sha256(certificate);
  PeerDirectory& peers = peers_;
  auto lookup = [&peers, sha256] { return peers.peers_for_certificate(sha256); };
  auto registered = co_await run_blocking(db_threads_, lookup);
  if (!registered) {
    refuse(remote, "tls_certificate", "cannot look up the client certificate's peer: " + registered.error().describe());
    stream.next_layer().close(ignored);
    co_return;
  }
  auto peer = identify_by_certificate(*registered, sha256);
  if (!peer) {
    refuse(remote, "tls_certificate", peer.error());
    stream.next_layer().close(ignored);
    co_return;
  }
  spdlog::debug("TLS connection from {}: certificate sha256 {} is {}'s", remote, sha256, *peer);
  hooks_.admit(PeerStream(std::move(stream), std::move(context)), *peer);
}

}  // namespace illhub::net
