#pragma once
// Real PostgreSQL for tests (no mocks of libpq). One throwaway cluster per test binary, made
// by initdb in a temporary directory (as user postgres when the tests run as root), on a Unix
// socket in that directory and no TCP, fsync off. Each test takes a fresh database from it.
// The cluster is stopped by its PID at the end, also when tests fail; if the binary crashes,
// a signal handler sends the postmaster an immediate-shutdown signal.

#include <filesystem>
#include <optional>
#include <string>

#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/pg_connection.hpp"

namespace illhub::test {

/// A new empty directory under /tmp that the cluster's user can reach (mode 0755).
std::filesystem::path make_temp_dir(const std::string& prefix);

/// A cluster of its own in a temporary directory: for tests that stop or restart PostgreSQL
/// and must not disturb the shared one. Stopped and removed when destroyed.
class ScratchCluster {
 public:
  ScratchCluster();
  ~ScratchCluster();
  ScratchCluster(const ScratchCluster&) = delete;
  ScratchCluster& operator=(const ScratchCluster&) = delete;

  /// Whether start succeeded; error() says why not.
  bool ok() const { return cluster_.has_value(); }
  const std::string& error() const { return error_; }
  store::EmbeddedCluster& cluster() { return *cluster_; }
  const std::filesystem::path& dir() const { return dir_; }
  /// A new database (test_1, test_2, ...), as a conninfo.
  std::string fresh_database();

 private:
  std::filesystem::path dir_;
  std::optional<store::EmbeddedCluster> cluster_;
  std::string error_;
  int databases_ = 0;
};

/// The shared cluster of this test binary: started on first use, stopped by a GoogleTest
/// global environment when the run ends.
ScratchCluster& shared_cluster();

/// A fresh database in the shared cluster, as a conninfo. Fails the test when the cluster
/// did not start.
std::string fresh_database();

/// A connection to `conninfo`; a test that cannot connect fails and the binary stops (every
/// later step would only report the same cause again).
store::PgConnection connect_or_abort(const std::string& conninfo);

/// A fresh database with illhub's schema and the two libraries most store tests trade
/// between, both delivered on their own connection: IRL:BOR (the borrower) and IRL:LEN (the
/// lender). `conn` is connected to it. A step that fails stops the binary, as connect_or_abort.
struct LoanDatabase {
  std::string conninfo;
  store::PgConnection conn;
};
LoanDatabase fresh_loan_database();

/// Stops sending the immediate-shutdown signal to `pid` on a crash (it was stopped cleanly),
/// or starts (watch). At most a few PIDs are watched at once.
void watch_postmaster(pid_t pid);
void unwatch_postmaster(pid_t pid);

}  // namespace illhub::test
