#pragma once
// Server: illd's network side wired together — the listener, sessions, delivery, the outbox
// LISTEN connection and the sweep — on one io_context, with the database on a thread pool.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "illhub/net/apply_batcher.hpp"
#include "illhub/net/delivery.hpp"
#include "illhub/net/metrics.hpp"
#include "illhub/net/options.hpp"
#include "illhub/net/outbox_listener.hpp"
#include "illhub/net/outbox_store.hpp"
#include "illhub/net/peer_directory.hpp"
#include "illhub/net/session_registry.hpp"
#include "illhub/net/timer_loop.hpp"
#include "illhub/net/tls_listener.hpp"
#include "illhub/net/status_endpoint.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/status_record.hpp"
#include "illhub/store/timer_sweep.hpp"
#include "illhub/store/transaction_store.hpp"

namespace illhub::net {

class Server {
 public:
  /// `io`, `pool` and `store` must outlive the server. `db_threads`: threads for blocking
  /// store calls (match the pool's size).
  Server(asio::io_context& io, store::ConnectionPool& pool, store::TransactionStore& store,
         ServerOptions options, std::size_t db_threads = 4);
  ~Server();

  /// Binds and listens; starts accepting, delivery, the sweep, LISTEN and the timers on `io`,
  /// the status port when options.metrics_listen is set and the TLS listener when
  /// options.tls.listen is. Returns the error if an address cannot be bound (or metrics_listen
  /// or tls.listen is not HOST:PORT, or the TLS files cannot be used: invalid_argument, the
  /// reason logged).
  /// Does not run the io_context.
  boost::system::error_code start();
  /// The address actually listened on (the real port when options asked for port 0).
  tcp::endpoint local_endpoint() const;
  /// The status port's address (the real port when asked for port 0); unset when it is off.
  std::optional<tcp::endpoint> metrics_endpoint() const;
  /// The TLS listener's address (the real port when asked for port 0); unset when it is off.
  std::optional<tcp::endpoint> tls_endpoint() const;
  Metrics& metrics() { return metrics_; }

  /// Graceful stop: stop accepting; sessions stop reading, finish the APDU being applied and
  /// write its answer, then close; after options.shutdown_grace the rest are cut. Calls
  /// `done` on the io thread when nothing of the server runs any more.
  void stop(std::function<void()> done);

  /// New limits (a configuration reload) for connections accepted or dialled from now on;
  /// open connections keep the limits they started with. Call on the io_context's thread.
  void set_limits(const SessionLimits& limits);

  /// Reads the TLS certificate, key and CA files of `tls` again (a reload: the files may have
  /// been replaced under the same names); handshakes from now on use them, open connections
  /// keep theirs. On an error (returned, for the log) the previous files stay in use. Nothing
  /// to do when the TLS listener is off. Call on the io_context's thread.
  std::optional<std::string> set_tls(const TlsOptions& tls);

 private:
  asio::awaitable<void> accept_loop();
  /// The TLS listener, when options.tls.listen is set (see start()).
  boost::system::error_code start_tls();
  asio::awaitable<std::shared_ptr<Session>> dial(const std::string& symbol,
                                                 const std::string& endpoint, std::string& error);
  void spawn_session(const std::shared_ptr<Session>& session);
  asio::awaitable<void> drain(std::function<void()> done);

  asio::io_context& io_;
  store::ConnectionPool& pool_;
  store::TransactionStore& store_;
  ServerOptions options_;
  Metrics metrics_;
  asio::thread_pool db_threads_;
  PeerDirectory peers_;
  std::string node_id_;  // see OutboxListener: the node's name in pg_stat_activity
  store::StatusRecord status_record_;
  OutboxStore outbox_;
  SessionRegistry sessions_;
  std::unique_ptr<SessionContext> context_;
  /// Group commit for every session's APDUs (destroyed after db_threads_ is joined).
  std::unique_ptr<ApplyBatcher> applies_;
  /// Contexts replaced by set_limits, kept because open sessions still refer to theirs. One
  /// small struct per reload.
  std::vector<std::unique_ptr<SessionContext>> retired_contexts_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<OutboxListener> listener_;
  store::TimerSweep timer_sweep_;
  std::unique_ptr<TimerLoop> timers_;
  std::unique_ptr<StatusEndpoint> status_;
  std::unique_ptr<TlsListener> tls_;  // null when tls.listen is off
  tcp::acceptor acceptor_;
  bool stopping_ = false;
};

}  // namespace illhub::net
