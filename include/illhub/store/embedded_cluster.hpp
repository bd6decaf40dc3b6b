#pragma once
// EmbeddedCluster: a private PostgreSQL cluster living in illhub's data directory, for when no
// database is configured. Created (initdb) on first use, started with pg_ctl, reused when it
// is already running, reachable only on a Unix socket inside its own directory (no TCP).
//
// initdb and pg_ctl refuse to run as root. When illhub runs as root, the cluster runs as the
// unprivileged user `postgres` (Debian's postgresql package creates it): its directory is
// given to that user and the tools are run through `runuser -u postgres --`. Connecting as
// root still works: root can reach any socket.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::store {

struct EmbeddedClusterOptions {
  /// illhub's data directory; the cluster lives in data_dir/"postgresql".
  std::filesystem::path data_dir;
  /// Debian's PostgreSQL 15 server binaries.
  std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
  /// The database created for illhub (and the superuser's name).
  std::string database = "illhub";
  /// Unprivileged user to run the cluster as when this process is root.
  std::string run_as_when_root = "postgres";
  /// false for throwaway clusters (tests): initdb --no-sync, fsync and synchronous_commit off.
  bool durable = true;
  /// Extra postgresql.conf lines written at initdb time, e.g. "fsync = off" for tests.
  std::vector<std::string> extra_settings;
  /// Where to say what happened (created, started, running as postgres); may be empty.
  std::function<void(std::string_view)> log;
};

class EmbeddedCluster {
 public:
  /// Creates the cluster if it does not exist, starts it unless it is running, and creates
  /// the database if missing. Blocks (initdb takes seconds). Safe when several processes
  /// start at once (a lock file in data_dir serialises them).
  /// Errors: kOther with the tool's output when initdb or pg_ctl fails.
  static Result<EmbeddedCluster, StoreError> start(EmbeddedClusterOptions options);

  EmbeddedCluster(EmbeddedCluster&& other) noexcept;
  EmbeddedCluster& operator=(EmbeddedCluster&&) = delete;
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;
  /// Stops the cluster if this object started it (a cluster found running is left running:
  /// the process that started it stops it).
  ~EmbeddedCluster();

  /// Fast shutdown (pg_ctl stop -m fast), then waits until the postmaster's PID is gone.
  Result<Ok, StoreError> stop();
  /// pg_ctl restart -m fast: existing connections are cut.
  Result<Ok, StoreError> restart();
  /// Starts the server again after stop() (or a crash); nothing when it runs.
  Result<Ok, StoreError> start_if_stopped();

  /// libpq conninfo for a database of this cluster (default: the illhub database).
  std::string conninfo(std::string_view database = {}) const;
  /// Creates a database unless it exists. `name`: [a-z0-9_]+ only.
  Result<Ok, StoreError> create_database(std::string_view name) const;

  /// The postmaster's PID from postmaster.pid, while it runs.
  std::optional<pid_t> postmaster_pid() const;
  const std::filesystem::path& pgdata() const { return pgdata_; }
  /// The directory holding the Unix socket (the cluster directory itself).
  const std::filesystem::path& socket_dir() const { return pgdata_; }
  bool created_now() const { return created_now_; }
  bool started_by_us() const { return started_by_us_; }
  /// The OS user the server runs as when that is not us (root case), else empty.
  const std::string& run_as() const { return run_as_; }

 private:
  explicit EmbeddedCluster(EmbeddedClusterOptions options);
  Result<Ok, StoreError> init_if_missing();
  /// Runs a PostgreSQL tool from bin_dir (as run_as_ when set); args[0] is the tool's name.
  Result<Ok, StoreError> run_tool(const std::vector<std::string>& args) const;
  /// Runs any program (as run_as_ when set) and says whether it exited 0.
  bool run_tool_raw(const std::vector<std::string>& args) const;
  void say(std::string_view what) const;

  EmbeddedClusterOptions options_;
  std::filesystem::path pgdata_;
  std::string run_as_;
  bool created_now_ = false;
  bool started_by_us_ = false;
  bool moved_from_ = false;
};

/// Whether a process exists and is not a zombie (an exited child nobody reaped yet).
bool process_alive(pid_t pid);

}  // namespace illhub::store
