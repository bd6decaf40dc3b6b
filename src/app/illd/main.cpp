// illd: the illhub server. Finds (or starts) its PostgreSQL, brings the schema up to date,
// listens for member libraries' ISO 10161 connections and relays their APDUs after the hub
// has checked and recorded them (src/net). See docs/NET.md.
//
//   illd [--db URI] [--listen HOST:PORT] [--data-dir DIR] [--log-format text|json]
//        [--max-connections N]
//
// Prints "illd listening on HOST:PORT" on stdout once it accepts connections (with port 0,
// the port the system chose). Stops gracefully on SIGTERM and SIGINT.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <optional>
#include <string>

#include "illd/logging.hpp"
#include "illhub/net/server.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/database_location.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction_store.hpp"

namespace {

using namespace illhub;

/// "host:port", "[v6]:port" → host and port. False when it is neither.
bool split_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    const int p = std::stoi(text.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

/// Every connection is a file descriptor: take the soft limit up to the hard one, so that
/// --max-connections, not the shell's default of 1024, decides how many peers fit.
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
    spdlog::warn("open files limited to {}: fewer than --max-connections {} can be served",
                 static_cast<unsigned long long>(limit.rlim_cur), max_connections);
}

int run(const std::optional<std::string>& db, const std::string& listen, std::filesystem::path data_dir,
        std::size_t max_connections) {
  net::ServerOptions options;
  options.limits.max_connections = max_connections;
  raise_file_limit(max_connections);
  if (!split_listen(listen, options.listen_host, options.listen_port)) {
    spdlog::error("--listen '{}' is not HOST:PORT", listen);
    return 2;
  }
  if (data_dir.empty()) data_dir = store::default_data_dir();

  // The database: --db, PG* variables, or the embedded cluster in the data directory.
  const store::DatabaseLocation where = store::resolve_database(db, data_dir);
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

  constexpr std::size_t kDbThreads = 4;
  store::ConnectionPool pool(store::PoolOptions{conninfo, kDbThreads + 2});
  store::TransactionStore transactions(pool, hub::LedgerPolicy{});
  options.conninfo = conninfo;

  boost::asio::io_context io(1);
  int exit_code = 0;
  {
    net::Server server(io, pool, transactions, options, kDbThreads);
    if (auto ec = server.start()) {
      spdlog::error("cannot listen on {}: {}", listen, ec.message());
      return 1;
    }
    const auto ep = server.local_endpoint();
    const std::string address = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    spdlog::info("listening on {}:{}", address, ep.port());
    std::cout << "illd listening on " << address << ":" << ep.port() << std::endl;

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", signo);
      server.stop([&io] { io.stop(); });
    });
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
  std::optional<std::string> db;
  std::string listen = "127.0.0.1:4990";
  std::string data_dir;
  std::string log_format = "text";
  std::string log_level = "info";
  std::size_t max_connections = illhub::net::SessionLimits{}.max_connections;
  app.add_option("--db", db, "PostgreSQL URI or conninfo (default: ILLHUB_DB, PG* variables, "
                             "else an embedded cluster in the data directory)");
  app.add_option("--listen", listen, "address to listen on, HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--data-dir", data_dir, "illhub's data directory (embedded cluster)");
  app.add_option("--log-format", log_format, "text or json (one JSON object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  app.add_option("--max-connections", max_connections, "peer connections open at once; more are refused")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!illhub::illd::set_up_logging(log_format, log_level)) {
    std::cerr << "illd: bad --log-format or --log-level\n";
    return 2;
  }
  try {
    return run(db, listen, data_dir, max_connections);
  } catch (const std::exception& e) {
    // Start-up only: the data path never throws.
    spdlog::error("illd: {}", e.what());
    return 1;
  }
}
