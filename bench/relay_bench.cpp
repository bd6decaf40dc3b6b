// relay_bench: whole loan lifecycles relayed by a real illd between peer pairs over loopback
// (issue 5). At 1, 16 and 256 transactions in flight: lifecycles/s, APDUs/s and the relay
// latency (sender's write → recipient's read, p50/p99), next to pgbench running the store's
// writes per APDU at the same concurrency on the same cluster in the same run; then illd's
// resident memory per idle peer connection with 10,000 of them open. Prints the targets'
// verdicts; a missed target does not fail the run (exit 0); a wrong relay (altered or lost
// APDUs) or a failed set-up does (exit 1).
//
//   build/bench/relay_bench [--seconds S] [--pairs P] [--idle K] [--statements]
//
// S: measured seconds per concurrency (default 3); P: at most this many peer pairs (default
// 16; N in flight use min(N, P) pairs); K: idle connections (default 10000, 0 skips it).
// --statements: load pg_stat_statements and list illd's statements during the run at 16 in
// flight (calls per APDU, time): where PostgreSQL's time goes. It slows both sides a little.
// Starts its own throwaway PostgreSQL cluster (fsync off) and illd processes, and stops them
// by PID at the end.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "bench_peers.hpp"
#include "idle_connections.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"
#include "net/http_client.hpp"
#include "net/illd_process.hpp"
#include "pgbench_baseline.hpp"
#include "proc_stats.hpp"
#include "relay_load.hpp"
#include "statement_profile.hpp"

namespace {

using namespace illhub;

constexpr const char* kPgbenchDatabase = "pgbench_baseline";

struct Args {
  double seconds = 3;
  int pairs = 16;
  int idle = 10000;
  bool statements = false;
  /// illd --record-dir: the relay with wire recording on (docs/RECORDING.md), to see its cost.
  std::string record_dir;
};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--statements") {
      a.statements = true;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    const char* value = argv[++i];
    if (flag == "--seconds") a.seconds = std::atof(value);
    else if (flag == "--pairs") a.pairs = std::atoi(value);
    else if (flag == "--idle") a.idle = std::atoi(value);
    else if (flag == "--record-dir") a.record_dir = value;
    else return std::nullopt;
  }
  if (a.seconds <= 0 || a.pairs < 1 || a.pairs > 60000 || a.idle < 0 || a.idle > 60000) return std::nullopt;
  return a;
}

/// The soft limit on open files raised to the hard one; returns how many are allowed.
rlim_t raise_file_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

/// illd's database (migrated, peer pairs registered) and, beside it on the same cluster,
/// pgbench's: neither side's rows slow the other down.
bool set_up_databases(store::EmbeddedCluster& cluster, int pairs) {
  const auto failed = [](const std::string& what, const store::StoreError& e) {
    std::fprintf(stderr, "relay_bench: %s: %s\n", what.c_str(), e.describe().c_str());
    return false;
  };
  const store::Migrator migrator(store::embedded_migrations());
  auto conn = store::PgConnection::connect(cluster.conninfo());
  if (!conn) return failed("connect", conn.error());
  if (auto m = migrator.migrate(*conn); !m) return failed("migrate", m.error());
  if (!bench::register_bench_peers(*conn, pairs, 0)) return false;
  if (auto c = cluster.create_database(kPgbenchDatabase); !c) return failed("create database", c.error());
  auto pg = store::PgConnection::connect(cluster.conninfo(kPgbenchDatabase));
  if (!pg) return failed("connect", pg.error());
  if (auto m = migrator.migrate(*pg); !m) return failed("migrate", m.error());
  return bench::prepare_pgbench_rows(*pg);
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

/// illd's group commit so far (illhub_commit_batch_size from its /metrics): batches, APDUs.
struct Batches {
  double count = 0, apdus = 0;
};
Batches batches_of(std::uint16_t metrics_port) {
  const auto reply = test::http_get(metrics_port, "/metrics");
  if (!reply.ok) return {};
  return {test::sample(reply.body, "illhub_commit_batch_size_count").value_or(0),
          test::sample(reply.body, "illhub_commit_batch_size_sum").value_or(0)};
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = parse(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "usage: relay_bench [--seconds S>0] [--pairs 1..60000] [--idle 0..60000] [--statements] "
                 "[--record-dir DIR]\n");
    return 2;
  }
  Args args = *parsed;
  const rlim_t files = raise_file_limit();
  // Each idle connection costs this process one descriptor (illd raises its own limit alike).
  if (args.idle > 0 && files != RLIM_INFINITY && files < static_cast<rlim_t>(args.idle) + 1024) {
    const int fits = files > 1024 ? static_cast<int>(files - 1024) : 0;
    std::printf("relay_bench: the open-files limit is %llu (hard limit); measuring %d idle connections "
                "instead of %d (raise it with ulimit -Hn as root for more)\n",
                static_cast<unsigned long long>(files), fits, args.idle);
    args.idle = fits;
  }

  char dir_template[] = "/tmp/illhub-relay-bench-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (!dir) return 1;
  ::chmod(dir, 0755);  // the cluster may run as the postgres user
  store::EmbeddedClusterOptions cluster_options;
  cluster_options.data_dir = dir;
  cluster_options.durable = false;
  // pgbench at 256 clients, plus illd's pool and LISTEN connection.
  cluster_options.extra_settings = {"max_connections = 300"};
  if (args.statements)
    for (const char* line : bench::kStatementTrackingSettings) cluster_options.extra_settings.push_back(line);
  auto cluster = store::EmbeddedCluster::start(cluster_options);
  if (!cluster) {
    std::fprintf(stderr, "relay_bench: %s\n", cluster.error().describe().c_str());
    return 1;
  }
  const std::string conninfo = cluster->conninfo();
  const std::string pgbench_conninfo = cluster->conninfo(kPgbenchDatabase);
  const pid_t postmaster = cluster->postmaster_pid().value_or(-1);
  bool ok = set_up_databases(*cluster, args.pairs);
  const std::string script = bench::write_pgbench_script(dir);

  test::IlldProcess illd;
  test::IlldLaunch launch;
  launch.log_level = "warn";  // a log line per APDU would cost more than the relay
  launch.args = {"--set", "limits.max_connections=" + std::to_string(args.idle + 2 * args.pairs + 64)};
  if (!args.record_dir.empty()) launch.args.insert(launch.args.end(), {"--record-dir", args.record_dir});
  bench::RelayLoad load;
  std::string error;
  if (ok && !illd.start(conninfo, launch)) {
    std::fprintf(stderr, "relay_bench: %s\n", illd.error().c_str());
    ok = false;
  }
  if (ok && !load.connect(illd.port(), args.pairs, error)) {
    std::fprintf(stderr, "relay_bench: %s\n", error.c_str());
    ok = false;
  }
  // Warm-up: connections bound to their peers, prepared statements, caches.
  if (ok) {
    const auto warm = load.run({args.pairs, args.pairs, 1.0, "W"});
    if (!warm.error.empty() || warm.mismatches || warm.lost) {
      std::fprintf(stderr, "relay_bench: warm-up failed: %s\n", warm.error.c_str());
      ok = false;
    }
  }

  double ratio_at_16 = -1, p99_at_16 = -1;
  std::string profile_at_16;
  std::optional<store::PgConnection> profile;  // with --statements: illd's database
  if (ok && args.statements) {
    auto conn = store::PgConnection::connect(conninfo);
    if (conn) profile.emplace(std::move(conn).value());
  }
  if (ok) {
    std::printf("relay_bench: %.1f s per run; illd --log-level warn%s%s; throwaway cluster with fsync off\n",
                args.seconds, args.record_dir.empty() ? "" : " --record-dir ", args.record_dir.c_str());
    std::printf("%9s %6s %12s %9s %8s %8s %8s %13s %6s %22s %12s\n", "in flight", "pairs", "lifecycles/s",
                "APDU/s", "p50 ms", "p99 ms", "max ms", "pgbench tx/s", "ratio", "CPU% illd/pg/peers",
                "APDUs/COMMIT");
  }
  for (int in_flight : {1, 16, 256}) {
    if (!ok) break;
    const int pairs = std::min(in_flight, args.pairs);
    if (profile && in_flight == 16 && !bench::reset_statement_profile(*profile)) profile.reset();
    const double illd_cpu = bench::cpu_seconds(illd.pid()), pg_cpu = bench::tree_cpu_seconds(postmaster);
    const Batches batches_before = batches_of(illd.metrics_port());
    const auto r = load.run({in_flight, pairs, args.seconds, "N" + std::to_string(in_flight)});
    const double illd_used = bench::cpu_seconds(illd.pid()) - illd_cpu;
    const double pg_used = bench::tree_cpu_seconds(postmaster) - pg_cpu;
    const Batches batches_after = batches_of(illd.metrics_port());
    const double per_commit = batches_after.count > batches_before.count
                                  ? (batches_after.apdus - batches_before.apdus) / (batches_after.count - batches_before.count)
                                  : 0;
    if (!r.error.empty() || r.mismatches || r.lost) {
      std::fprintf(stderr, "relay_bench: %d in flight: %s; %ld frame(s) not as sent, %ld APDU(s) never arrived\n",
                   in_flight, r.error.c_str(), r.mismatches, r.lost);
      ok = false;
      break;
    }
    if (r.ran_out) std::printf("(%d in flight: some transactions used up their pre-encoded work)\n", in_flight);
    if (profile && in_flight == 16) profile_at_16 = bench::statement_profile(*profile, r.apdus_all);
    const double apdu_rate = static_cast<double>(r.apdus) / r.seconds;
    const double pgbench = bench::pgbench_rate(pgbench_conninfo, script, in_flight, args.seconds);
    if (pgbench <= 0) {
      ok = false;  // pgbench said why on stderr
      break;
    }
    const double ratio = apdu_rate / pgbench;
    // CPU over the relay run: illd's and PostgreSQL's include the drain after the window.
    std::printf("%9d %6d %12.1f %9.0f %8.2f %8.2f %8.1f %13.0f %6.2f %10.0f/%.0f/%.0f %12.2f\n", in_flight, pairs,
                static_cast<double>(r.lifecycles) / r.seconds, apdu_rate, r.p50_ms, r.p99_ms, r.max_ms, pgbench,
                ratio, 100 * illd_used / r.seconds, 100 * pg_used / r.seconds, 100 * r.client_cpu_seconds / r.seconds,
                per_commit);
    if (in_flight == 16) {
      ratio_at_16 = ratio;
      p99_at_16 = r.p99_ms;
    }
  }
  if (ok && profile) {
    std::printf("PostgreSQL statements of illd's database during the run at 16 in flight (pg_stat_statements):\n");
    std::printf("%s", profile_at_16.c_str());
  }
  if (ok) {
    std::printf("target: relay APDU/s >= 0.70 x pgbench tx/s at 16 in flight: %s (%.2f)\n", verdict(ratio_at_16 >= 0.7),
                ratio_at_16);
    std::printf("target: p99 relay latency <= 10 ms at 16 in flight: %s (%.2f ms)\n", verdict(p99_at_16 <= 10.0),
                p99_at_16);
  }
  const int first_stop = illd.pid() > 0 ? illd.stop() : 0;
  if (first_stop != 0) {
    std::fprintf(stderr, "relay_bench: illd did not stop cleanly (status %d); its log:\n%s\n", first_stop,
                 illd.log().c_str());
    ok = false;
  }
  if (ok) illd.remove_log();

  // Idle connections, on a fresh illd: the relay runs' heap would otherwise hide the growth.
  if (ok && args.idle > 0) {
    auto conn = store::PgConnection::connect(conninfo);
    if (conn && bench::register_bench_peers(*conn, 0, args.idle) && illd.start(conninfo, launch)) {
      const auto r = bench::measure_idle_connections(illd.pid(), illd.port(), args.idle);
      std::printf("idle connections: %d opened, %d kept by illd; illd VmRSS %ld KiB before, %ld KiB after "
                  "(%.0f s to accept and settle)\n",
                  r.opened, r.kept, r.rss_before_kib, r.rss_after_kib, r.seconds);
      if (!r.error.empty()) std::printf("idle connections: measurement not valid: %s\n", r.error.c_str());
      std::printf("target: <= 20 KiB resident per idle connection: %s (%.1f KiB)\n",
                  verdict(r.error.empty() && r.kib_per_connection() <= 20.0), r.kib_per_connection());
      if (illd.stop() != 0) {
        std::fprintf(stderr, "relay_bench: illd did not stop cleanly:\n%s\n", illd.log().c_str());
        ok = false;
      }
    } else {
      std::fprintf(stderr, "relay_bench: cannot set up the idle-connection run: %s\n", illd.error().c_str());
      ok = false;
    }
  }
  if (ok) illd.remove_log();
  else std::fprintf(stderr, "relay_bench: illd's log is kept in /tmp/illd-nettest-*.log\n");
  auto stopped = cluster->stop();
  std::filesystem::remove_all(dir);
  return ok && stopped ? 0 : 1;
}
