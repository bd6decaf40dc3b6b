// Server: wires listener, sessions, delivery and the outbox listener together.
#include "illhub/net/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <cstdio>
#include <random>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/tls_context.hpp"

namespace illhub::net {

using namespace boost::asio::experimental::awaitable_operators;
using boost::system::error_code;

namespace {
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

/// 16 random hex digits: this process's name among the nodes sharing the database.
std::string make_node_id() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    char part[5];
    std::snprintf(part, sizeof part, "%04x", random() & 0xffffu);
    id += part;
  }
  return id;
}
}

Server::Server(asio::io_context& io, store::ConnectionPool& pool, store::TransactionStore& store,
               ServerOptions options, std::size_t db_threads)
    : io_(io),
      pool_(pool),
      store_(store),
      options_(std::move(options)),
      db_threads_(db_threads),
      peers_(pool),
      node_id_(make_node_id()),
      status_record_(pool),
      outbox_(pool, options_.delivery, node_id_),
      timer_sweep_(pool),
      acceptor_(io) {
  // The intermediary's answer deadlines run with the other timers (docs/ROUTING.md).
  timer_sweep_.set_intermediary(store.intermediary());
  context_ = std::make_unique<SessionContext>(SessionContext{
      db_threads_, status_record_, peers_, metrics_, options_.limits,
      [this](const std::shared_ptr<Session>& s) {
        sessions_.bind(s);
        delivery_->wake(s->peer());  // whatever waited for this peer goes now
      },
      [this](const std::shared_ptr<Session>& s) { sessions_.remove(s); },
      [this](const std::string& recipient) { delivery_->wake(recipient); },
      [this](const std::string& symbol) { return sessions_.count(symbol); }});
  context_->recorder = options_.recorder;
  applies_ = std::make_unique<ApplyBatcher>(db_threads_, store, metrics_, options_.group_commit);
  context_->applies = applies_.get();
  // Rows for recipients connected here are born claimed and handed over (docs/NET.md, "Delivery").
  context_->on_born_claimed = [this](const std::string& recipient, std::int64_t id, std::vector<std::uint8_t> apdu) {
    delivery_->hand(recipient, OutboxRow{id, std::move(apdu), 0, 0});
  };
  store.set_birth_claims(store::BirthClaims{node_id_, options_.delivery.lease,
                                            [this](const std::string& r) { return sessions_.connected_here(r); }});
  delivery_ = std::make_unique<Delivery>(
      io_.get_executor(), db_threads_, outbox_, peers_, sessions_, metrics_, options_.delivery,
      [this](const std::string& symbol, const std::string& endpoint, std::string& error) {
        return dial(symbol, endpoint, error);
      });
  listener_ = std::make_unique<OutboxListener>(
      io_.get_executor(), options_.conninfo, node_id_,
      [this](const std::string& recipient) { delivery_->wake(recipient); },
      [this] { delivery_->sweep_now(); }, [this](int pid) { return pool_.owns_backend(pid); });
  timers_ = std::make_unique<TimerLoop>(io_.get_executor(), db_threads_, timer_sweep_, options_.timers,
                                        [this](const std::string& recipient) { delivery_->wake(recipient); });
}

Server::~Server() {
  db_threads_.join();
  store_.set_birth_claims(std::nullopt);  // it asks our session registry
}

error_code Server::start() {
  spdlog::info("node id {} (its LISTEN connection is named illd-node-{})", node_id_, node_id_);
  error_code ec;
  const auto address = asio::ip::make_address(options_.listen_host, ec);
  if (ec) return ec;
  const tcp::endpoint endpoint(address, options_.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  if (!options_.metrics_listen.empty()) {
    auto status_at = parse_listen_endpoint(options_.metrics_listen);
    if (!status_at) {
      spdlog::error("metrics_listen: {}", status_at.error());
      return make_error_code(boost::system::errc::invalid_argument);
    }
    status_ = std::make_unique<StatusEndpoint>(io_.get_executor(), db_threads_, pool_, outbox_, metrics_, [this] {
      if (stopping_) return std::string("stopping");
      return acceptor_.is_open() ? std::string() : std::string("not listening");
    });
    if (auto sec = status_->start(*status_at)) {
      spdlog::error("cannot listen for metrics on {}: {}", options_.metrics_listen, sec.message());
      return sec;
    }
  }
  if (auto tec = start_tls()) return tec;
  asio::co_spawn(io_, accept_loop(), asio::detached);
  asio::co_spawn(io_, delivery_->sweeper(), asio::detached);
  asio::co_spawn(io_, listener_->run(), asio::detached);
  asio::co_spawn(io_, timers_->run(), asio::detached);
  return {};
}

tcp::endpoint Server::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

std::optional<tcp::endpoint> Server::metrics_endpoint() const {
  if (!status_) return std::nullopt;
  return status_->local_endpoint();
}

error_code Server::start_tls() {
  if (options_.tls.listen.empty()) return {};
  auto at = parse_listen_endpoint(options_.tls.listen);
  if (!at) {
    spdlog::error("tls.listen: {}", at.error());
    return make_error_code(boost::system::errc::invalid_argument);
  }
  auto context = make_tls_context(options_.tls);
  if (!context) {
    spdlog::error("TLS: {}", context.error());
    return make_error_code(boost::system::errc::invalid_argument);
  }
  tls_ = std::make_unique<TlsListener>(
      io_, db_threads_, peers_, metrics_,
      TlsListener::Hooks{[this] { return sessions_.size() < options_.limits.max_connections; },
                         [this] { return options_.limits.apdu_timeout; },
                         [this](PeerStream stream, const std::string& peer) {
                           if (stopping_) return;  // the stream closes as it goes out of scope
                           spawn_session(std::make_shared<Session>(std::move(stream), *context_,
                                                                   Session::Origin::kAccepted, peer));
                         }});
  if (auto ec = tls_->start(*at, std::move(*context))) {
    spdlog::error("cannot listen for TLS on {}: {}", options_.tls.listen, ec.message());
    return ec;
  }
  return {};
}

std::optional<tcp::endpoint> Server::tls_endpoint() const {
  if (!tls_) return std::nullopt;
  return tls_->local_endpoint();
}

std::optional<std::string> Server::set_tls(const TlsOptions& tls) {
  if (!tls_) return std::nullopt;
  auto context = make_tls_context(tls);
  if (!context) return context.error();
  options_.tls.certificate = tls.certificate;
  options_.tls.private_key = tls.private_key;
  options_.tls.client_ca = tls.client_ca;
  tls_->set_context(std::move(*context));
  return std::nullopt;
}

void Server::spawn_session(const std::shared_ptr<Session>& session) {
  sessions_.add(session);
  // The coroutine owns the session (through its argument) for the connection's whole life.
  asio::co_spawn(io_, Session::keep_running(session), asio::detached);
}

asio::awaitable<void> Server::accept_loop() {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kUse);
    if (stopping_) break;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
      // E.g. out of file descriptors: pause instead of spinning.
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kUse);
      continue;
    }
    if (sessions_.size() >= options_.limits.max_connections) {
      error_code ignored;
      const auto remote = socket.remote_endpoint(ignored);
      spdlog::warn("refused connection from {}:{}: {} connections open (max_connections)",
                   remote.address().to_string(), remote.port(), sessions_.size());
      metrics_.connections_refused.inc({"max_connections"});
      socket.close(ignored);
      continue;
    }
    spawn_session(std::make_shared<Session>(std::move(socket), *context_, Session::Origin::kAccepted));
  }
}

asio::awaitable<std::shared_ptr<Session>> Server::dial(const std::string& symbol, const std::string& endpoint,
                                                       std::string& error) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) {
    error = "endpoint '" + endpoint + "' is not host:port";
    co_return nullptr;
  }
  std::string host = endpoint.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = endpoint.substr(colon + 1);
  tcp::resolver resolver(io_);
  auto [rec, results] = co_await resolver.async_resolve(host, port, kUse);
  if (rec) {
    error = "cannot resolve " + endpoint + ": " + rec.message();
    co_return nullptr;
  }
  tcp::socket socket(io_);
  asio::steady_timer timeout(io_, options_.delivery.connect_timeout);
  auto outcome = co_await (asio::async_connect(socket, results, kUse) || timeout.async_wait(kUse));
  if (outcome.index() == 1) {
    error = "connecting to " + endpoint + " timed out";
    co_return nullptr;
  }
  if (auto [cec, ep] = std::get<0>(outcome); cec) {
    error = "cannot connect to " + endpoint + ": " + cec.message();
    co_return nullptr;
  }
  spdlog::info("delivery: dialled {} at {}", symbol, endpoint);
  auto session = std::make_shared<Session>(std::move(socket), *context_, Session::Origin::kDialled, symbol,
                                           options_.delivery.dial_idle_timeout);
  spawn_session(session);
  co_return session;
}

void Server::stop(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("stopping: no new connections; finishing work in flight");
  error_code ignored;
  acceptor_.close(ignored);
  if (tls_) tls_->stop();
  delivery_->stop();
  listener_->stop();
  timers_->stop();
  for (auto& s : sessions_.all()) s->shutdown();
  asio::co_spawn(io_, drain(std::move(done)), asio::detached);
}

void Server::set_limits(const SessionLimits& limits) {
  options_.limits = limits;
  // Sessions hold a reference to the context they were made with and read some limits from it
  // later (timeouts, queue length): a fresh context keeps "new limits for new connections" true.
  auto next = std::make_unique<SessionContext>(*context_);
  next->limits = limits;
  retired_contexts_.push_back(std::move(context_));
  context_ = std::move(next);
}

asio::awaitable<void> Server::drain(std::function<void()> done) {
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  asio::steady_timer tick(io_);
  while (sessions_.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(kUse);
  }
  if (sessions_.size() > 0) spdlog::warn("stopping: {} connection(s) did not finish in time", sessions_.size());
  else spdlog::info("stopping: all connections closed");
  if (status_) status_->stop();  // kept until now: /readyz says "stopping" while draining
  if (done) done();
}

}  // namespace illhub::net
