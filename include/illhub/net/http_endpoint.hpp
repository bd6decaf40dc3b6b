#pragma once
// HttpEndpoint: a minimal HTTP/1.1 server for illd's status port (/metrics, /healthz, /readyz).
// One request per connection (Connection: close), GET only, the request head capped in size
// and bounded in time, then the handler's answer. Everything else gets 400, 405, 408 or 431
// without reaching the handler. Meant for loopback: it has no TLS and no authentication.
//
// Runs on the io thread, beside the peer sessions; a scraper cannot hold more than
// max_connections sockets or any of them for longer than read_timeout + write time.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>

#include "illhub/net/http_request.hpp"

namespace illhub::net {

namespace asio = boost::asio;

struct HttpLimits {
  /// The request head (request line + headers) must fit in this; past it: 431 and close.
  std::size_t max_request_bytes = 8 * 1024;
  /// The whole head must arrive within this after the connection was accepted: else 408.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(5)};
  /// Writing the response must finish within this, else the connection is cut.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(5)};
  /// Connections served at once; more are closed at once.
  std::size_t max_connections = 16;
};

class HttpEndpoint {
 public:
  /// Called for a well-formed GET; answers anything (404 for unknown paths is its job).
  /// Runs on the io thread and may suspend (e.g. to ask the database).
  using Handler = std::function<asio::awaitable<HttpResponse>(const HttpRequest&)>;

  HttpEndpoint(asio::any_io_executor executor, HttpLimits limits, Handler handler);
  ~HttpEndpoint();

  /// Binds and listens on `endpoint`, starts accepting. The error when it cannot bind.
  boost::system::error_code start(const asio::ip::tcp::endpoint& endpoint);
  /// The address actually bound (the real port when asked for port 0).
  asio::ip::tcp::endpoint local_endpoint() const;
  /// Stops accepting and cuts connections in flight. Idempotent.
  void stop();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket);
  /// Reads the head (bounded) and decides the response, calling the handler when it should.
  /// Status 0: the client went away, nothing to write.
  asio::awaitable<HttpResponse> respond(asio::ip::tcp::socket& socket);

  asio::any_io_executor executor_;
  HttpLimits limits_;
  Handler handler_;
  asio::ip::tcp::acceptor acceptor_;
  std::set<std::shared_ptr<asio::ip::tcp::socket>> open_;
  bool stopped_ = false;
};

}  // namespace illhub::net
