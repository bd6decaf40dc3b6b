// StatusEndpoint: /metrics, /healthz, /readyz. See include/illhub/net/status_endpoint.hpp.
#include "illhub/net/status_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace illhub::net {

using tcp = asio::ip::tcp;

namespace {

// One line: libpq's messages carry newlines, a probe's reason must not.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

HttpResponse text(int status, std::string_view body) {
  HttpResponse r;
  r.status = status;
  r.body = one_line(body) + "\n";
  return r;
}

}  // namespace

Result<tcp::endpoint, std::string> parse_listen_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return unexpected("'" + std::string(text) + "' is not HOST:PORT");
  std::string_view host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return unexpected("'" + std::string(text) + "': port must be 0..65535");
  boost::system::error_code aec;
  const auto address = asio::ip::make_address(std::string(host), aec);
  if (aec) return unexpected("'" + std::string(text) + "': '" + std::string(host) + "' is not an IP address");
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

StatusEndpoint::StatusEndpoint(asio::any_io_executor io, asio::thread_pool& db_threads, store::ConnectionPool& pool,
                               OutboxStore& outbox, Metrics& metrics, NotReadyReason not_ready, StatusOptions options)
    : metrics_(metrics),
      not_ready_(std::move(not_ready)),
      database_(
          io, db_threads,
          [&pool]() -> Result<Ok, std::string> {
            auto lease = pool.acquire();
            if (!lease) return unexpected(lease.error().describe());
            auto r = (*lease)->exec("SELECT 1");
            if (!r) return unexpected(r.error().describe());
            return Ok{};
          },
          options.cache_for, options.database_timeout),
      outbox_counts_(
          io, db_threads,
          [&outbox]() -> Result<OutboxCounts, std::string> {
            auto r = outbox.counts();
            if (!r) return unexpected(r.error().describe());
            return *r;
          },
          options.cache_for, options.database_timeout),
      http_(io, options.http, [this](const HttpRequest& request) { return handle(request); }) {}

asio::awaitable<HttpResponse> StatusEndpoint::handle(const HttpRequest& request) {
  if (request.path == "/metrics") co_return co_await metrics_page();
  if (request.path == "/healthz") co_return text(200, "ok");
  if (request.path == "/readyz") co_return co_await readiness();
  co_return text(404, "not found; try /metrics, /healthz or /readyz");
}

asio::awaitable<HttpResponse> StatusEndpoint::metrics_page() {
  auto counts = co_await outbox_counts_.get();
  if (counts) {
    metrics_.outbox_pending.set(static_cast<double>(counts->pending));
    metrics_.outbox_failed.set(static_cast<double>(counts->failed));
  } else {
    // No stale numbers presented as current: the series disappear until the database answers.
    metrics_.outbox_pending.clear();
    metrics_.outbox_failed.clear();
    spdlog::debug("status port: outbox gauges unavailable: {}", counts.error());
  }
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics_.registry.render();
  co_return r;
}

asio::awaitable<HttpResponse> StatusEndpoint::readiness() {
  if (std::string reason = not_ready_(); !reason.empty()) co_return text(503, "not ready: " + reason);
  auto db = co_await database_.get();
  if (!db) co_return text(503, "not ready: database: " + db.error());
  co_return text(200, "ready");
}

}  // namespace illhub::net
