// Test clusters: temp directories, the shared cluster's GoogleTest environment, and the crash
// handler that makes sure no postmaster outlives a crashed test binary.
#include "support/pg_cluster.hpp"

#include "illhub/store/migrator.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace illhub::test {
namespace {

// PIDs to kill on a crash. Read from a signal handler: lock-free atomics only.
std::array<std::atomic<pid_t>, 8> g_watched{};

extern "C" void kill_postmasters_and_reraise(int signo) {
  for (auto& slot : g_watched) {
    const pid_t pid = slot.load();
    if (pid > 0) kill(pid, SIGQUIT);  // immediate shutdown; async-signal-safe
  }
  signal(signo, SIG_DFL);
  raise(signo);
}

void install_crash_handler() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  for (int signo : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT})
    signal(signo, kill_postmasters_and_reraise);
}

std::unique_ptr<ScratchCluster> g_shared;

// The shared cluster starts on the first fresh_database() (tests that need none, run one by
// one by ctest, then cost no initdb) and stops when the test binary's run ends.
class SharedClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { g_shared.reset(); }
};

// Registered when the test binary loads (this object file is linked in because tests call
// fresh_database()); --gtest_list_tests does not run environments, so listing starts nothing.
[[maybe_unused]] const bool g_registered = [] {
  ::testing::AddGlobalTestEnvironment(new SharedClusterEnvironment);
  return true;
}();

}  // namespace

void watch_postmaster(pid_t pid) {
  install_crash_handler();
  for (auto& slot : g_watched) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void unwatch_postmaster(pid_t pid) {
  for (auto& slot : g_watched) {
    pid_t expected = pid;
    slot.compare_exchange_strong(expected, 0);
  }
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return {};
  // mkdtemp makes it 0700; the cluster's user (postgres, when we are root) must pass through.
  chmod(pattern.c_str(), 0755);
  return pattern;
}

ScratchCluster::ScratchCluster() : dir_(make_temp_dir("illhub-pgtest")) {
  if (dir_.empty()) {
    error_ = "cannot create a temporary directory";
    return;
  }
  store::EmbeddedClusterOptions options;
  options.data_dir = dir_;
  options.durable = false;
  options.extra_settings = {"shared_buffers = 16MB", "max_connections = 40"};
  auto started = store::EmbeddedCluster::start(std::move(options));
  if (!started) {
    error_ = started.error().describe();
    return;
  }
  cluster_.emplace(std::move(started).value());
  if (auto pid = cluster_->postmaster_pid()) watch_postmaster(*pid);
}

ScratchCluster::~ScratchCluster() {
  if (cluster_) {
    const auto pid = cluster_->postmaster_pid();
    auto stopped = cluster_->stop();
    if (!stopped) std::cerr << "test cluster: " << stopped.error().describe() << "\n";
    if (pid) unwatch_postmaster(*pid);
    cluster_.reset();
    if (!stopped) return;  // leave the directory for a post-mortem
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string ScratchCluster::fresh_database() {
  const std::string name = "test_" + std::to_string(++databases_);
  auto created = cluster_->create_database(name);
  if (!created) {
    ADD_FAILURE() << "CREATE DATABASE " << name << ": " << created.error().describe();
    return {};
  }
  return cluster_->conninfo(name);
}

ScratchCluster& shared_cluster() {
  if (!g_shared) g_shared = std::make_unique<ScratchCluster>();
  return *g_shared;
}

std::string fresh_database() {
  if (!shared_cluster().ok()) {
    ADD_FAILURE() << "cannot start the test PostgreSQL cluster: " << g_shared->error();
    return "host=/nonexistent";
  }
  return g_shared->fresh_database();
}

store::PgConnection connect_or_abort(const std::string& conninfo) {
  auto conn = store::PgConnection::connect(conninfo);
  if (!conn) {
    ADD_FAILURE() << conn.error().describe();
    std::abort();
  }
  return std::move(conn).value();
}

LoanDatabase fresh_loan_database() {
  std::string conninfo = fresh_database();
  store::PgConnection conn = connect_or_abort(conninfo);
  auto migrated = store::Migrator(store::embedded_migrations()).migrate(conn);
  auto peers = migrated ? conn.exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES "
                                    "('IRL:BOR', 'Borrower', 'connection'), ('IRL:LEN', 'Lender', 'connection')")
                        : Result<store::PgResult, store::StoreError>(unexpected(migrated.error()));
  if (!peers) {
    ADD_FAILURE() << "cannot set up the loan database: " << peers.error().describe();
    std::abort();
  }
  return LoanDatabase{std::move(conninfo), std::move(conn)};
}

}  // namespace illhub::test
