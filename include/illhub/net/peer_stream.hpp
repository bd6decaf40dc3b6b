#pragma once
// PeerStream: the byte stream under a Session, plain TCP or TLS (the handshake already done).
// It is an Asio AsyncStream itself (async_read_some, async_write_some), so the session's
// reader and writer, asio::async_write and per-operation cancellation work the same over
// either; the lowest-layer calls (remote address, shutdown, close) go to the TCP socket.
//
// Neither kind sends a TLS close_notify when closing: a session ends by closing the socket,
// as over plain TCP (the peer's TLS library may report an unexpected end of stream).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <utility>
#include <variant>

namespace illhub::net {

namespace asio = boost::asio;

class PeerStream {
 public:
  using tcp = asio::ip::tcp;
  using TlsStream = asio::ssl::stream<tcp::socket>;
  using executor_type = tcp::socket::executor_type;

  explicit PeerStream(tcp::socket socket) : stream_(std::move(socket)) {}
  /// `context` is the one `stream` was made with: kept alive as long as the stream.
  PeerStream(TlsStream stream, std::shared_ptr<asio::ssl::context> context)
      : context_(std::move(context)), stream_(std::move(stream)) {}

  bool is_tls() const { return std::holds_alternative<TlsStream>(stream_); }
  executor_type get_executor() { return socket().get_executor(); }

  tcp::endpoint remote_endpoint(boost::system::error_code& ec) const { return socket().remote_endpoint(ec); }
  tcp::endpoint local_endpoint(boost::system::error_code& ec) const { return socket().local_endpoint(ec); }
  void shutdown(tcp::socket::shutdown_type what, boost::system::error_code& ec) { socket().shutdown(what, ec); }
  void close(boost::system::error_code& ec) { socket().close(ec); }
  /// TCP_NODELAY on the underlying socket (frames are written whole; see Session).
  void set_no_delay(boost::system::error_code& ec) { socket().set_option(tcp::no_delay(true), ec); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          std::visit([&](auto& s) { s.async_read_some(b, std::move(handler)); }, stream_);
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          std::visit([&](auto& s) { s.async_write_some(b, std::move(handler)); }, stream_);
        },
        token, buffers);
  }

 private:
  tcp::socket& socket() {
    return std::visit([](auto& s) -> tcp::socket& { return lowest(s); }, stream_);
  }
  const tcp::socket& socket() const {
    return std::visit([](const auto& s) -> const tcp::socket& { return lowest(s); }, stream_);
  }
  static tcp::socket& lowest(tcp::socket& s) { return s; }
  static const tcp::socket& lowest(const tcp::socket& s) { return s; }
  static tcp::socket& lowest(TlsStream& s) { return s.next_layer(); }
  static const tcp::socket& lowest(const TlsStream& s) { return s.next_layer(); }

  std::shared_ptr<asio::ssl::context> context_;  // null for plain TCP; outlives stream_
  std::variant<tcp::socket, TlsStream> stream_;
};

}  // namespace illhub::net
