// HttpEndpoint: the status port's HTTP server. See include/illhub/net/http_endpoint.hpp.
#include "illhub/net/http_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace illhub::net {

using namespace boost::asio::experimental::awaitable_operators;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

HttpResponse plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

}  // namespace

HttpEndpoint::HttpEndpoint(asio::any_io_executor executor, HttpLimits limits, Handler handler)
    : executor_(std::move(executor)), limits_(limits), handler_(std::move(handler)), acceptor_(executor_) {}

HttpEndpoint::~HttpEndpoint() { stop(); }

error_code HttpEndpoint::start(const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return ec;
  }
  asio::co_spawn(executor_, accept_loop(), asio::detached);
  return {};
}

tcp::endpoint HttpEndpoint::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpEndpoint::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  for (const auto& s : open_) s->close(ignored);
}

asio::awaitable<void> HttpEndpoint::accept_loop() {
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUse);
    if (stopped_) break;
    if (ec) {
      spdlog::warn("status port: accept failed: {}", ec.message());
      asio::steady_timer pause(executor_, std::chrono::milliseconds(100));  // e.g. out of fds
      co_await pause.async_wait(kUse);
      continue;
    }
    if (open_.size() >= limits_.max_connections) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto shared = std::make_shared<tcp::socket>(std::move(socket));
    open_.insert(shared);
    asio::co_spawn(executor_, serve(shared), asio::detached);
  }
}

asio::awaitable<void> HttpEndpoint::serve(std::shared_ptr<tcp::socket> socket) {
  HttpResponse response = co_await respond(*socket);
  if (response.status != 0 && socket->is_open()) {
    const std::string bytes = format_http_response(response);
    asio::steady_timer timer(executor_, limits_.write_timeout);
    co_await (asio::async_write(*socket, asio::buffer(bytes), kUse) || timer.async_wait(kUse));
    // Lingering close: send FIN, then read and drop what the client still sends (bounded),
    // so that closing with unread bytes does not reset the connection before the client has
    // read our answer (e.g. the 431 for an oversized request).
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_send, ignored);
    timer.expires_after(std::chrono::milliseconds(500));
    std::array<char, 4096> sink;
    for (int i = 0; i < 64 && socket->is_open(); ++i) {
      auto r = co_await (socket->async_read_some(asio::buffer(sink), kUse) || timer.async_wait(kUse));
      if (r.index() == 1 || std::get<0>(std::get<0>(r))) break;
    }
  }
  error_code ignored;
  socket->close(ignored);
  open_.erase(socket);
}

asio::awaitable<HttpResponse> HttpEndpoint::respond(tcp::socket& socket) {
  std::string buffered;
  asio::steady_timer deadline(executor_, limits_.read_timeout);
  std::array<char, 2048> chunk;
  for (;;) {
    if (const auto end = find_head_end(buffered); end && *end <= limits_.max_request_bytes) {
      auto request = parse_http_request(std::string_view(buffered).substr(0, *end));
      if (!request) {
        const auto& err = request.error();
        const int status = err.problem == HttpRequestProblem::kUnsupportedVersion ? 505 : 400;
        co_return plain(status, err.detail);
      }
      if (request->method != "GET") {
        HttpResponse r = plain(405, "only GET is served here");
        r.allow = "GET";
        co_return r;
      }
      co_return co_await handler_(*request);
    }
    if (buffered.size() >= limits_.max_request_bytes)
      co_return plain(431, "request head larger than " + std::to_string(limits_.max_request_bytes) + " bytes");
    auto r = co_await (socket.async_read_some(asio::buffer(chunk), kUse) || deadline.async_wait(kUse));
    if (r.index() == 1) co_return plain(408, "request not received in time");
    auto [ec, n] = std::get<0>(r);
    if (ec) co_return HttpResponse{0, {}, {}, {}};  // the client went away: nothing to answer
    buffered.append(chunk.data(), n);
  }
}

}  // namespace illhub::net
