// illd: the illhub server. Finds (or starts) its PostgreSQL, brings the schema up to date,
// listens for member libraries' ISO 10161 connections and relays their APDUs after the hub
// has checked and recorded them (src/net). See docs/NET.md.
//
//   illd [--config FILE] [--check-config] [--db URI] [--listen HOST:PORT]
//        [--metrics-listen HOST:PORT] [--data-dir DIR]
//        [--log-format text|json] [--log-level LEVEL] [--record-dir DIR] [--set SECTION.KEY=VALUE ...]
//
// Configuration: defaults < TOML file < ILLHUB_* environment < flags (illd/config.hpp,
// docs/illd-config.md). Prints "illd listening on HOST:PORT" on stdout once it accepts
// connections (with port 0, the port the system chose), then "illd tls on HOST:PORT" when the
// TLS listener is on, then "illd metrics on HOST:PORT" when the status port is on
// (docs/METRICS.md). Stops gracefully on SIGTERM and SIGINT; SIGHUP
// reloads the configuration.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "illd/config.hpp"
#include "illd/config_reload.hpp"
#include "illd/config_values.hpp"
#include "illd/logging.hpp"
#include "illd/recording_start.hpp"
#include "illhub/net/server.hpp"
#include "illhub/routing/catalogue_service.hpp"
#include "illhub/routing/planner.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/database_location.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/intermediary.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction_store.hpp"

namespace {

using namespace illhub;

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  const std::string address = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return address + ":" + std::to_string(ep.port());
}

/// Every connection is a file descriptor: take the soft limit up to the hard one, so that
/// limits.max_connections, not the shell's default of 1024, decides how many peers fit.
void raise_file_limit(std::size_t max_connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  // Beyond the connections: the listener, the database pool, LISTEN, logs, the embedded cluster.
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + 64)
    spdlog::warn("open files limited to {}: fewer than limits.max_connections {} can be served",
                 static_cast<unsigned long long>(limit.rlim_cur), max_connections);
}

/// How long the planner waits for a library's own catalogue. The planner runs inside the
/// request's database transaction, so this bounds how long that transaction stays open; answers
/// are cached (found 6 h, not found 30 min), so a busy title costs one look-up.
constexpr std::chrono::seconds kCatalogueTimeout{2};

int run(const illd::ConfigSources& sources, illd::IlldConfig config) {
  boost::asio::io_context io(1);
  // Registered first: a SIGHUP during start-up waits here instead of ending the process.
  boost::asio::signal_set hangup(io, SIGHUP);
  net::ServerOptions options = config.server;
  options.tls = config.tls;
  const std::string listen = illd::format_listen_address({options.listen_host, options.listen_port});
  std::filesystem::path data_dir = config.data_dir.empty() ? store::default_data_dir() : std::filesystem::path(config.data_dir);
  raise_file_limit(options.limits.max_connections);

  // The database: database.uri (--db, ILLHUB_DB), PG* variables, or the embedded cluster.
  const store::DatabaseLocation where = store::resolve_database(
      config.database_uri.empty() ? std::nullopt : std::optional<std::string>(config.database_uri), data_dir);
  std::optional<store::EmbeddedCluster> cluster;
  std::string conninfo = where.conninfo;
  if (where.source == store::DatabaseLocation::Source::kEmbedded) {
    store::EmbeddedClusterOptions cluster_options;
    cluster_options.data_dir = data_dir;
    cluster_options.log = [](std::string_view line) { spdlog::info("embedded PostgreSQL: {}", line); };
    auto started = store::EmbeddedCluster::start(std::move(cluster_options));
    if (!started) {
      spdlog::error("cannot start the embedded PostgreSQL in {}: {}", data_dir.string(), started.error().describe());
      return 1;
    }
    cluster.emplace(std::move(started).value());
    conninfo = cluster->conninfo();
  }
  spdlog::info("database: {}", where.description);

  {
    auto conn = store::PgConnection::connect(conninfo);
    if (!conn) {
      spdlog::error("cannot connect to the database: {}", conn.error().describe());
      return 1;
    }
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn);
    if (!migrated) {
      spdlog::error("cannot bring the schema up to date: {}", migrated.error().describe());
      return 1;
    }
    spdlog::info("schema version {} ({} migration(s) applied now)", migrated->schema_version,
                 migrated->applied.size());
  }

  const std::size_t db_threads = config.database_threads;
  // Each batch being written holds a database thread: leave at least one for delivery.
  options.group_commit.writers =
      std::clamp<std::size_t>(options.group_commit.writers, 1, std::max<std::size_t>(db_threads - 1, 1));
  store::ConnectionPool pool(store::PoolOptions{conninfo, db_threads + 2});
  store::TransactionStore transactions(pool, hub::LedgerPolicy{});
  // The hub as intermediary (docs/ROUTING.md): a request to the hub without a send-to-list gets
  // its rota from the planner (holdings and lending policy, docs/ROUTING-PLANNER.md).
  std::optional<store::Intermediary> intermediary;
  routing::CatalogueService catalogues(routing::CatalogueService::Options{.lookup = {.timeout = kCatalogueTimeout}});
  // The rota from imported holdings, the lending policy in force and the libraries' own
  // catalogues, run on the apply's own connection, inside its transaction.
  auto plan_from_holdings = [&catalogues](store::PgConnection& conn,
                                          const routing::RotaRequest& request) -> Result<routing::Rota, std::string> {
    auto rota = routing::plan_rota(conn, request, &catalogues);
    if (!rota) return unexpected(rota.error().describe());
    return std::move(*rota);
  };
  if (!config.hub_symbol.empty()) {
    intermediary.emplace(store::RoutingOptions{config.hub_symbol, config.answer_deadline, plan_from_holdings});
    transactions.set_intermediary(&*intermediary);
    spdlog::info("routing: requests to {} are routed by the hub (answer deadline {} s; planner: holdings and catalogues)",
                 config.hub_symbol, config.answer_deadline.count() / 1000);
  }
  options.conninfo = conninfo;

  int exit_code = 0;
  {
    net::Server server(io, pool, transactions, options, db_threads);
    if (auto ec = server.start()) {
      spdlog::error("cannot listen (listen.address {}, metrics.listen {}, tls.listen {}): {}", listen, options.metrics_listen, options.tls.listen,
                    ec.message());
      return 1;
    }
    const auto ep = server.local_endpoint();
    const std::string address = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    spdlog::info("listening on {}:{}", address, ep.port());
    std::cout << "illd listening on " << address << ":" << ep.port() << std::endl;
    if (const auto tls_ep = server.tls_endpoint()) {
      spdlog::info("TLS (client certificates required) on {}", endpoint_text(*tls_ep));
      std::cout << "illd tls on " << endpoint_text(*tls_ep) << std::endl;
    }
    if (const auto status_ep = server.metrics_endpoint()) {
      spdlog::info("status port (/metrics, /healthz, /readyz) on {}", endpoint_text(*status_ep));
      std::cout << "illd metrics on " << endpoint_text(*status_ep) << std::endl;
    }

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", signo);
      server.stop([&io] { io.stop(); });
    });
    const illd::ReloadHooks hooks{[](const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); },
                                  [&server](const net::SessionLimits& limits) { server.set_limits(limits); },
                                  [&server](const net::TlsOptions& tls) { return server.set_tls(tls); }};
    std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
          if (ec) return;
          spdlog::info("SIGHUP: reloading the configuration");
          illd::reload_config(sources, config, hooks);
          hangup.async_wait(on_hangup);
        };
    hangup.async_wait(on_hangup);
    io.run();
    // The server's destructor waits for database calls in flight.
  }
  spdlog::info("stopped");
  // The pool closes its connections, then the embedded cluster (if we started it) stops.
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"illd: the illhub ISO 10161 interlibrary-loan hub"};
  std::string config_file;
  bool check_config = false;
  std::optional<std::string> db, listen, metrics_listen, data_dir, log_format, log_level, symbol, record_dir;
  std::vector<std::string> settings;
  app.add_option("--config", config_file, "TOML configuration file (default: ILLHUB_CONFIG; none if unset)");
  app.add_flag("--check-config", check_config,
               "load the configuration, print it as TOML with each value's origin, exit 0 if valid, "
               "2 if not; touches no database");
  app.add_option("--db", db, "database.uri: PostgreSQL URI or conninfo (else PG* variables, else an "
                             "embedded cluster in the data directory)");
  app.add_option("--listen", listen, "listen.address, HOST:PORT (port 0: any free port)");
  app.add_option("--metrics-listen", metrics_listen,
                 "metrics.listen: status port for /metrics, /healthz, /readyz, HOST:PORT (port 0: any "
                 "free port; empty: off). No authentication: keep it on loopback");
  app.add_option("--data-dir", data_dir, "database.data_dir: illhub's data directory (embedded cluster)");
  app.add_option("--log-format", log_format, "log.format: text or json (one JSON object per line)");
  app.add_option("--log-level", log_level, "log.level: trace, debug, info, warn, error, critical, off");
  app.add_option("--symbol", symbol, "hub.symbol: the hub's own institution symbol; requests addressed to it are "
                                     "routed by the hub (docs/ROUTING.md)");
  app.add_option("--record-dir", record_dir, "record.dir: record every connection's traffic to a new file in DIR "
                                             "(docs/RECORDING.md)");
  app.add_option("--set", settings, "any key: --set SECTION.KEY=VALUE (repeatable; see docs/illd-config.md)");
  CLI11_PARSE(app, argc, argv);

  illd::ConfigSources sources;
  sources.file = config_file;
  if (sources.file.empty()) {
    if (const char* named = std::getenv("ILLHUB_CONFIG")) sources.file = named;
  }
  sources.environment = illd::illhub_environment();
  const std::pair<const std::optional<std::string>*, const char*> named_flags[] = {
      {&db, "database.uri"},           {&listen, "listen.address"},  {&metrics_listen, "metrics.listen"},
      {&data_dir, "database.data_dir"}, {&log_format, "log.format"}, {&log_level, "log.level"},
      {&symbol, "hub.symbol"},         {&record_dir, "record.dir"}};
  const char* flag_names[] = {"--db", "--listen", "--metrics-listen", "--data-dir", "--log-format", "--log-level",
                              "--symbol", "--record-dir"};
  for (std::size_t i = 0; i < std::size(named_flags); ++i) {
    if (*named_flags[i].first) sources.flags.push_back({named_flags[i].second, **named_flags[i].first, flag_names[i]});
  }
  for (const auto& setting : settings) {
    const auto eq = setting.find('=');
    if (eq == std::string::npos) sources.flags.push_back({"", setting, "--set"});
    else sources.flags.push_back({setting.substr(0, eq), setting.substr(eq + 1), "--set"});
  }

  auto config = illd::load_config(sources);
  if (!config) {
    std::cerr << "illd: invalid configuration:\n" << config.error().describe();
    return 2;
  }
  if (check_config) {
    std::cout << illd::render_config(*config, sources.file);
    return 0;
  }
  if (!illhub::illd::set_up_logging(config->log_format, config->log_level)) {
    std::cerr << "illd: cannot set up logging\n";
    return 2;
  }
  if (!sources.file.empty()) spdlog::info("configuration file: {}", sources.file);
  auto recorder = illd::start_recording(*config);  // before anything starts: a bad record.dir stops illd
  if (!recorder) {
    spdlog::error("cannot record: {}", recorder.error());
    return 2;
  }
  config->server.recorder = recorder->get();
  try {
    return run(sources, std::move(config).value());
  } catch (const std::exception& e) {
    // Start-up only: the data path never throws.
    spdlog::error("illd: {}", e.what());
    return 1;
  }
}
