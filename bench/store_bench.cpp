// store_bench: APDUs applied per second through TransactionStore at 1, 4, 16 and 64 concurrent
// callers, next to pgbench running the same writes per APDU (one UPDATE of the transaction,
// INSERTs of the event, two ledger postings and the outbox row) on the same cluster in the same
// run. Prints both rates and their ratio (target >= 0.7 at every concurrency).
//
//   build/bench/store_bench [seconds-per-run (default 3)]
//
// Starts its own throwaway PostgreSQL cluster (fsync off for both sides alike) in /tmp and
// stops it at the end, by PID.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction_store.hpp"
#include "pgbench_baseline.hpp"

namespace {

using namespace illhub;
using Clock = std::chrono::steady_clock;

std::vector<std::uint8_t> read_file(const std::string& name) {
  std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The six APDUs of one loan, re-keyed to transaction `qualifier`.
struct Lifecycle {
  std::vector<codec::Apdu> apdus;
  std::vector<const char*> senders;
};

Lifecycle lifecycle(const std::string& qualifier) {
  static const std::vector<std::pair<std::string, const char*>> steps = {
      {"yaz-ill-request.ber", "IRL:BOR"}, {"yaz-ill-answer.ber", "IRL:LEN"},
      {"yaz-shipped.ber", "IRL:LEN"},     {"yaz-received.ber", "IRL:BOR"},
      {"yaz-returned.ber", "IRL:BOR"},    {"yaz-checked-in.ber", "IRL:LEN"}};
  Lifecycle l;
  int n = 0;
  for (const auto& [file, sender] : steps) {
    auto apdu = codec::decode(read_file(file));
    if (!apdu) std::abort();
    codec::asn1::visit_apdu(apdu->raw(), [&](auto& a) {
      codec::asn1::set_text(a.transaction_id.transaction_qualifier.choice.generalstring, qualifier);
      codec::asn1::set_text(*a.service_date_time.date_time_of_this_service.time, std::to_string(100000 + n++));
    });
    auto again = codec::decode(*codec::encode(*apdu));
    l.apdus.push_back(std::move(*again));
    l.senders.push_back(sender);
  }
  return l;
}

/// Enough lifecycles for each caller, built before the clock starts: building them (decoding
/// and re-encoding YAZ's APDUs) is the peers' work, not the store's.
std::vector<std::vector<Lifecycle>> prepare(int callers, std::size_t per_caller, int round) {
  std::vector<std::vector<Lifecycle>> all(static_cast<std::size_t>(callers));
  for (int c = 0; c < callers; ++c)
    for (std::size_t t = 0; t < per_caller; ++t)
      all[static_cast<std::size_t>(c)].push_back(
          lifecycle("B" + std::to_string(round) + "-" + std::to_string(c) + "-" + std::to_string(t)));
  return all;
}

/// APDUs per second, or a negative value when an apply failed (reported on stderr).
double store_rate(store::ConnectionPool& pool, int callers, double seconds, int round) {
  store::TransactionStore ts(pool, hub::LedgerPolicy{});
  // At most ~6000 APDU/s in all on this kind of machine; 2x headroom.
  const auto per_caller = static_cast<std::size_t>(2 * 6000 * seconds / 6 / callers) + 2;
  const auto work = prepare(callers, per_caller, round);
  std::atomic<long> applied{0};
  std::atomic<bool> failed{false};
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c)
    threads.emplace_back([&, c] {
      for (const Lifecycle& l : work[static_cast<std::size_t>(c)]) {
        if (Clock::now() >= deadline || failed) break;
        for (std::size_t i = 0; i < l.apdus.size() && Clock::now() < deadline; ++i) {
          auto r = ts.apply(l.apdus[i], l.senders[i]);
          if (!r || r->outcome != hub::Outcome::kAccepted) {
            std::fprintf(stderr, "store_bench: apply failed: %s\n", r ? r->decision.reason.c_str() : r.error().describe().c_str());
            failed = true;
            return;
          }
          ++applied;
        }
      }
    });
  const auto start = Clock::now();
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) return -1;
  return static_cast<double>(applied) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  char dir_template[] = "/tmp/illhub-store-bench-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) return 1;
  chmod(dir, 0755);  // the cluster may run as the postgres user
  store::EmbeddedClusterOptions options;
  options.data_dir = dir;
  options.durable = false;
  options.extra_settings = {"max_connections = 200"};
  auto cluster = store::EmbeddedCluster::start(options);
  if (!cluster) {
    std::fprintf(stderr, "store_bench: %s\n", cluster.error().describe().c_str());
    return 1;
  }
  const std::string conninfo = cluster->conninfo();
  {
    auto conn = store::PgConnection::connect(conninfo);
    if (!conn || !store::Migrator(store::embedded_migrations()).migrate(*conn)) return 1;
    if (!conn->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES "
                    "('IRL:BOR', 'B', 'connection'), ('IRL:LEN', 'L', 'connection')"))
      return 1;
    if (!bench::prepare_pgbench_rows(*conn)) return 1;
  }
  const std::string script = bench::write_pgbench_script(dir);
  std::printf("store_bench: %.0f s per run, throwaway cluster with fsync off\n", seconds);
  std::printf("%8s %16s %16s %8s\n", "callers", "store APDU/s", "pgbench tx/s", "ratio");
  int round = 0;
  bool all_met = true;
  for (int callers : {1, 4, 16, 64}) {
    store::ConnectionPool pool(store::PoolOptions{conninfo, static_cast<std::size_t>(callers)});
    const double ours = store_rate(pool, callers, seconds, round++);
    const double theirs = ours < 0 ? -1 : bench::pgbench_rate(conninfo, script, callers, seconds);
    if (ours < 0 || theirs < 0) {
      all_met = false;
      break;  // the cluster is stopped below either way
    }
    const double ratio = ours / theirs;
    all_met = all_met && ratio >= 0.7;
    std::printf("%8d %16.0f %16.0f %8.2f%s\n", callers, ours, theirs, ratio, ratio >= 0.7 ? "" : "  (below 0.7)");
  }
  std::printf("target >= 0.70 at every concurrency: %s\n", all_met ? "met" : "NOT met");
  auto stopped = cluster->stop();
  std::filesystem::remove_all(dir);
  return stopped && all_met ? 0 : 1;
}
