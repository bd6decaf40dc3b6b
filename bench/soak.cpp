// soak: hundreds of registered peers doing whole loans through one illd at a moderate, steady
// rate for a bounded time, while illd's resident memory (VmRSS), open descriptors
// (/proc/PID/fd) and relay latency are sampled every few seconds. After a warm-up there must be
// no growth: a least-squares slope over the samples after it, in KiB/min and descriptors/min.
//
//   build/bench/soak [--seconds S] [--pairs P] [--interval I] [--pause T] [--churn C]
//
// S: total seconds (default 300); P: peer pairs, two connections each (default 200);
// I: seconds per sample (default 5); T: think time of each transaction between lifecycles in
// seconds (default 2: about P/(T + lifecycle time) lifecycles/s); C: extra connections opened
// and closed again by registered peers in every interval (default 20), so that connection
// set-up and tear-down are soaked too. Warm-up: the first quarter, at most 60 s.
//
// Each interval is one RelayLoad round (relay_load.hpp): every APDU must arrive
// byte-identical, and in-flight APDUs drain before the sample, so memory and descriptors are
// read at the same quiet point each time. Exit 1 on a wrong relay, a failed set-up, or growth
// above the limits printed at the end; 0 otherwise. Starts its own throwaway PostgreSQL
// cluster (fsync off) and illd, and stops both by PID.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "bench_peers.hpp"
#include <thread>
#include <vector>

#include "idle_connections.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"
#include "net/illd_process.hpp"
#include "proc_stats.hpp"
#include "relay_load.hpp"

namespace {

using namespace illhub;

/// Growth allowed after warm-up. A leak of one small object per APDU at this rate (hundreds
/// of APDUs/s) is megabytes per minute; the allocator's own settling stays well below this.
constexpr double kRssSlopeLimitKibPerMinute = 256;
/// Descriptors are read at quiet points, so any steady growth is a leak.
constexpr double kFdSlopeLimitPerMinute = 0.5;

struct Args {
  double seconds = 300;
  int pairs = 200;
  double interval = 5;
  double pause = 2;
  int churn = 20;
};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--seconds") a.seconds = std::atof(value);
    else if (flag == "--pairs") a.pairs = std::atoi(value);
    else if (flag == "--interval") a.interval = std::atof(value);
    else if (flag == "--pause") a.pause = std::atof(value);
    else if (flag == "--churn") a.churn = std::atoi(value);
    else return std::nullopt;
  }
  if (argc % 2 == 0) return std::nullopt;  // a flag without its value
  if (a.seconds < 10 || a.pairs < 1 || a.pairs > 5000 || a.interval < 1 || a.pause < 0 || a.churn < 0 ||
      a.churn > 5000)
    return std::nullopt;
  return a;
}

struct Sample {
  double minute = 0;  // since the start
  long rss_kib = 0;
  long fds = 0;
};

/// Least-squares slope of y over x.
double slope(const std::vector<Sample>& samples, long Sample::*field) {
  const double n = static_cast<double>(samples.size());
  if (n < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& s : samples) {
    const double y = static_cast<double>(s.*field);
    sx += s.minute;
    sy += y;
    sxx += s.minute * s.minute;
    sxy += s.minute * y;
  }
  const double d = n * sxx - sx * sx;
  return d == 0 ? 0 : (n * sxy - sx * sy) / d;
}

/// Opens `count` connections from the churn peers' addresses, lets illd greet them, closes
/// them. Returns how many connected.
int churn(std::uint16_t port, int count) {
  std::vector<int> fds;
  sockaddr_in hub{};
  hub.sin_family = AF_INET;
  hub.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &hub.sin_addr);
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, bench::idle_address(i).c_str(), &local.sin_addr);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) == 0 &&
        ::connect(fd, reinterpret_cast<const sockaddr*>(&hub), sizeof hub) == 0)
      fds.push_back(fd);
    else if (fd >= 0)
      ::close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int fd : fds) ::close(fd);
  return static_cast<int>(fds.size());
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = parse(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "usage: soak [--seconds S>=10] [--pairs 1..5000] [--interval I>=1] [--pause T>=0] "
                         "[--churn 0..5000]\n");
    return 2;
  }
  const Args args = *parsed;
  char dir_template[] = "/tmp/illhub-soak-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (!dir) return 1;
  ::chmod(dir, 0755);  // the cluster may run as the postgres user
  store::EmbeddedClusterOptions cluster_options;
  cluster_options.data_dir = dir;
  cluster_options.durable = false;
  auto cluster = store::EmbeddedCluster::start(cluster_options);
  if (!cluster) {
    std::fprintf(stderr, "soak: %s\n", cluster.error().describe().c_str());
    return 1;
  }
  bool ok = true;
  {
    auto conn = store::PgConnection::connect(cluster->conninfo());
    if (!conn) {
      std::fprintf(stderr, "soak: %s\n", conn.error().describe().c_str());
      ok = false;
    } else if (auto m = store::Migrator(store::embedded_migrations()).migrate(*conn); !m) {
      std::fprintf(stderr, "soak: migrate: %s\n", m.error().describe().c_str());
      ok = false;
    } else {
      ok = bench::register_bench_peers(*conn, args.pairs, args.churn);
    }
  }

  test::IlldProcess illd;
  test::IlldLaunch launch;
  launch.log_level = "warn";
  launch.args = {"--set", "limits.max_connections=" + std::to_string(2 * args.pairs + args.churn + 64)};
  bench::RelayLoad load;
  std::string error;
  if (ok && !illd.start(cluster->conninfo(), launch)) {
    std::fprintf(stderr, "soak: %s\n", illd.error().c_str());
    ok = false;
  }
  if (ok && !load.connect(illd.port(), args.pairs, error)) {
    std::fprintf(stderr, "soak: %s\n", error.c_str());
    ok = false;
  }

  const double warmup = std::min(60.0, args.seconds / 4);
  std::vector<Sample> after_warmup;
  long lifecycles = 0, apdus = 0;
  double worst_p99 = 0;
  if (ok) {
    std::printf("soak: %.0f s, %d pairs (%d connections) + %d connections opened and closed per %.0f s; think "
                "time %.1f s; warm-up %.0f s; illd --log-level warn; fsync off\n",
                args.seconds, args.pairs, 2 * args.pairs, args.churn, args.interval, args.pause, warmup);
    std::printf("%7s %10s %5s %12s %8s %8s %8s %9s\n", "t s", "VmRSS KiB", "fds", "lifecycles/s", "APDU/s",
                "p50 ms", "p99 ms", "illd CPU%");
  }
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; ok; ++round) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed + args.interval > args.seconds + 0.5) break;
    const int churned = churn(illd.port(), args.churn);
    if (churned != args.churn) std::printf("(only %d of %d churn connections opened)\n", churned, args.churn);
    const double cpu = bench::cpu_seconds(illd.pid());
    const auto r = load.run({2 * args.pairs, args.pairs, args.interval - 0.2, "S" + std::to_string(round),
                             args.pause});
    if (!r.error.empty() || r.mismatches || r.lost) {
      std::fprintf(stderr, "soak: round %d: %s; %ld frame(s) not as sent, %ld APDU(s) never arrived\n", round,
                   r.error.c_str(), r.mismatches, r.lost);
      ok = false;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    const double t = std::chrono::duration<double>(now - start).count();
    const Sample s{t / 60, bench::vm_rss_kib(illd.pid()), bench::open_fds(illd.pid())};
    const double round_seconds = args.interval;
    std::printf("%7.0f %10ld %5ld %12.1f %8.0f %8.2f %8.2f %9.0f\n", t, s.rss_kib, s.fds,
                static_cast<double>(r.lifecycles) / r.seconds, static_cast<double>(r.apdus) / r.seconds, r.p50_ms,
                r.p99_ms, 100 * (bench::cpu_seconds(illd.pid()) - cpu) / round_seconds);
    std::fflush(stdout);
    if (t >= warmup) {
      after_warmup.push_back(s);
      lifecycles += r.lifecycles;
      apdus += r.apdus_all;
      worst_p99 = std::max(worst_p99, r.p99_ms);
    }
  }
  if (ok && after_warmup.size() < 3) {
    std::fprintf(stderr, "soak: too few samples after the warm-up to fit a slope (run longer)\n");
    ok = false;
  }
  if (ok) {
    const double rss_slope = slope(after_warmup, &Sample::rss_kib);
    const double fd_slope = slope(after_warmup, &Sample::fds);
    const auto [rss_min, rss_max] = std::minmax_element(after_warmup.begin(), after_warmup.end(),
                                                        [](auto& a, auto& b) { return a.rss_kib < b.rss_kib; });
    const auto [fd_min, fd_max] = std::minmax_element(after_warmup.begin(), after_warmup.end(),
                                                      [](auto& a, auto& b) { return a.fds < b.fds; });
    std::printf("after warm-up: %zu samples, %ld lifecycles, %ld APDUs relayed, worst p99 %.2f ms\n",
                after_warmup.size(), lifecycles, apdus, worst_p99);
    std::printf("VmRSS %ld..%ld KiB, slope %+.1f KiB/min (limit %.0f): %s\n", rss_min->rss_kib, rss_max->rss_kib,
                rss_slope, kRssSlopeLimitKibPerMinute, rss_slope <= kRssSlopeLimitKibPerMinute ? "no growth" : "GROWS");
    std::printf("open fds %ld..%ld, slope %+.2f fds/min (limit %.1f): %s\n", fd_min->fds, fd_max->fds, fd_slope,
                kFdSlopeLimitPerMinute, fd_slope <= kFdSlopeLimitPerMinute ? "no growth" : "GROWS");
    ok = rss_slope <= kRssSlopeLimitKibPerMinute && fd_slope <= kFdSlopeLimitPerMinute;
  }
  const int stopped = illd.pid() > 0 ? illd.stop() : 0;
  if (stopped != 0) {
    std::fprintf(stderr, "soak: illd did not stop cleanly (status %d)\n", stopped);
    ok = false;
  }
  if (ok) illd.remove_log();
  else std::fprintf(stderr, "soak: illd's log is kept in /tmp/illd-nettest-*.log\n");
  const bool cluster_stopped = static_cast<bool>(cluster->stop());
  std::filesystem::remove_all(dir);
  return ok && cluster_stopped ? 0 : 1;
}
