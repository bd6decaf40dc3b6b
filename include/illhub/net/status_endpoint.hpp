#pragma once
// StatusEndpoint: what illd's status port answers (docs/METRICS.md).
//   GET /metrics  Prometheus text: the Metrics registry, plus the outbox gauges read from
//                 the database at scrape time (cached for a second, bounded in time).
//   GET /healthz  200 "ok" whenever the io loop runs (this answer is produced on it).
//   GET /readyz   200 "ready" when peers can be served: illd listens and is not stopping, and
//                 the database answers SELECT 1 within a second (cached for a second);
//                 else 503 with one line saying why.
//   anything else 404 (405 for other methods, from HttpEndpoint).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "illhub/net/cached_probe.hpp"
#include "illhub/net/http_endpoint.hpp"
#include "illhub/net/metrics.hpp"
#include "illhub/net/outbox_store.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

/// "127.0.0.1:4991", "[::1]:4991" → an endpoint (numeric addresses only: the status port
/// binds, it does not resolve). Port 0: any free port.
Result<asio::ip::tcp::endpoint, std::string> parse_listen_endpoint(std::string_view text);

struct StatusOptions {
  HttpLimits http;
  /// How long a database answer (readiness, outbox counts) is reused.
  std::chrono::milliseconds cache_for{1000};
  /// How long a request waits for the database before answering without it.
  std::chrono::milliseconds database_timeout{1000};
};

class StatusEndpoint {
 public:
  /// Why peers cannot be served right now ("" when they can): the server's own view.
  using NotReadyReason = std::function<std::string()>;

  /// Everything referenced must outlive the endpoint; database questions run on `db_threads`.
  StatusEndpoint(asio::any_io_executor io, asio::thread_pool& db_threads, store::ConnectionPool& pool,
                 OutboxStore& outbox, Metrics& metrics, NotReadyReason not_ready, StatusOptions options = {});

  /// Binds and starts serving; the error when it cannot bind.
  boost::system::error_code start(const asio::ip::tcp::endpoint& endpoint) { return http_.start(endpoint); }
  asio::ip::tcp::endpoint local_endpoint() const { return http_.local_endpoint(); }
  void stop() { http_.stop(); }

  /// The answer to a well-formed GET (what HttpEndpoint calls). Runs on the io thread.
  asio::awaitable<HttpResponse> handle(const HttpRequest& request);

 private:
  asio::awaitable<HttpResponse> metrics_page();
  asio::awaitable<HttpResponse> readiness();

  Metrics& metrics_;
  NotReadyReason not_ready_;
  CachedProbe<Ok> database_;
  CachedProbe<OutboxCounts> outbox_counts_;
  HttpEndpoint http_;
};

}  // namespace illhub::net
