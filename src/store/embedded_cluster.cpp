// EmbeddedCluster: initdb / pg_ctl around a cluster in illhub's data directory.
#include "illhub/store/embedded_cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "illhub/store/pg_connection.hpp"
#include "store/process.hpp"

namespace illhub::store {
namespace {

namespace fs = std::filesystem;
using Kind = StoreError::Kind;

constexpr int kPort = 5432;  // only names the socket file: the cluster listens on no TCP port
constexpr std::size_t kMaxSocketPath = 107;  // sun_path holds 108 bytes with the NUL

// Quotes a value for postgresql.conf.
std::string conf_quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string tail_of_file(const fs::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

// Serialises cluster creation and start among processes sharing a data directory. The
// descriptor is close-on-exec so the postmaster does not inherit (and keep) the lock.
class DataDirLock {
 public:
  explicit DataDirLock(const fs::path& path)
      : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) {
      while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~DataDirLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

fs::path runuser_path() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser"})
    if (access(p, X_OK) == 0) return p;
  return "runuser";
}

}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  // A postmaster whose parent (pg_ctl) exited is reaped by PID 1; in a container PID 1 may
  // never reap it, and a zombie still answers kill(pid, 0).
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t paren = line.rfind(')');
  return !(paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z');
}

EmbeddedCluster::EmbeddedCluster(EmbeddedClusterOptions options)
    : options_(std::move(options)), pgdata_(options_.data_dir / "postgresql") {}

EmbeddedCluster::EmbeddedCluster(EmbeddedCluster&& other) noexcept
    : options_(std::move(other.options_)),
      pgdata_(std::move(other.pgdata_)),
      run_as_(std::move(other.run_as_)),
      created_now_(other.created_now_),
      started_by_us_(other.started_by_us_) {
  other.moved_from_ = true;
  other.started_by_us_ = false;
}

EmbeddedCluster::~EmbeddedCluster() {
  if (!moved_from_ && started_by_us_) (void)stop();
}

void EmbeddedCluster::say(std::string_view what) const {
  if (options_.log) options_.log(what);
}

Result<Ok, StoreError> EmbeddedCluster::run_tool(const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (!run_as_.empty()) argv = {runuser_path().string(), "-u", run_as_, "--"};
  argv.push_back((options_.bin_dir / args.front()).string());
  argv.insert(argv.end(), args.begin() + 1, args.end());
  const detail::ProcessResult r = detail::run_process(argv);
  if (r.exit_code == 0) return Ok{};
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  return unexpected(make_error(Kind::kOther, command + " failed (exit " +
                                                 std::to_string(r.exit_code) + "): " + r.output));
}

Result<EmbeddedCluster, StoreError> EmbeddedCluster::start(EmbeddedClusterOptions options) {
  EmbeddedCluster cluster(std::move(options));
  std::error_code ec;
  fs::create_directories(cluster.options_.data_dir, ec);
  if (ec) {
    return unexpected(make_error(Kind::kOther, "cannot create data directory " +
                                                   cluster.options_.data_dir.string() + ": " +
                                                   ec.message()));
  }
  if ((cluster.pgdata_ / (".s.PGSQL." + std::to_string(kPort))).string().size() > kMaxSocketPath) {
    return unexpected(make_error(Kind::kOther, "data directory path " +
                                                   cluster.options_.data_dir.string() +
                                                   " is too long for a Unix socket: choose a shorter one"));
  }
  DataDirLock lock(cluster.options_.data_dir / "postgresql.lock");
  if (!lock.ok()) {
    return unexpected(make_error(Kind::kOther, "cannot lock " +
                                                   (cluster.options_.data_dir / "postgresql.lock").string()));
  }
  if (geteuid() == 0) cluster.run_as_ = cluster.options_.run_as_when_root;

  if (auto made = cluster.init_if_missing(); !made) return unexpected(made.error());
  if (auto started = cluster.start_if_stopped(); !started) return unexpected(started.error());
  if (auto db = cluster.create_database(cluster.options_.database); !db) {
    return unexpected(db.error());
  }
  return cluster;
}

Result<Ok, StoreError> EmbeddedCluster::init_if_missing() {
  if (fs::exists(pgdata_ / "PG_VERSION")) return Ok{};
  std::error_code ec;
  if (fs::exists(pgdata_) && !fs::is_empty(pgdata_, ec)) {
    return unexpected(make_error(Kind::kOther,
                                 pgdata_.string() + " exists but holds no PostgreSQL cluster "
                                 "(an interrupted first start?): move it away and start again"));
  }
  fs::create_directories(pgdata_, ec);
  fs::permissions(pgdata_, fs::perms::owner_all, ec);

  if (!run_as_.empty()) {
    const passwd* user = getpwnam(run_as_.c_str());
    if (user == nullptr) {
      return unexpected(make_error(
          Kind::kOther, "running as root, and initdb refuses root; the cluster would run as user " +
                            run_as_ + ", which does not exist (install postgresql-15, or run "
                            "illhub as an unprivileged user)"));
    }
    if (chown(pgdata_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return unexpected(make_error(Kind::kOther, "cannot give " + pgdata_.string() + " to user " +
                                                     run_as_ + ": " + std::strerror(errno)));
    }
    if (!run_tool_raw({"/usr/bin/test", "-w", pgdata_.string()})) {
      return unexpected(make_error(
          Kind::kOther, "user " + run_as_ + " cannot reach " + pgdata_.string() +
                            " (a parent directory is closed to it, e.g. /root): choose a data "
                            "directory it can reach, e.g. --data-dir /var/lib/illhub"));
    }
    say("running as root: the embedded PostgreSQL cluster runs as user " + run_as_ +
        " (initdb and the server refuse root)");
  }

  std::vector<std::string> initdb = {"initdb", "-D", pgdata_.string(), "-U", options_.database,
                                     "-A", "trust", "-E", "UTF8", "--locale=C"};
  if (!options_.durable) initdb.push_back("--no-sync");
  if (auto ran = run_tool(initdb); !ran) return unexpected(ran.error());

  // Only the Unix socket in the cluster's own 0700 directory: nobody but its owner (and root)
  // can connect, which is why trust authentication is acceptable here.
  std::ofstream conf(pgdata_ / "postgresql.conf", std::ios::app);
  conf << "\n# illhub embedded cluster\n"
       << "listen_addresses = ''\n"
       << "port = " << kPort << "\n"
       << "unix_socket_directories = " << conf_quoted(pgdata_.string()) << "\n"
       << "unix_socket_permissions = 0700\n";
  if (!options_.durable) {
    conf << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
  }
  for (const auto& line : options_.extra_settings) conf << line << "\n";
  conf.close();
  if (!conf) {
    return unexpected(make_error(Kind::kOther, "cannot write " + (pgdata_ / "postgresql.conf").string()));
  }
  created_now_ = true;
  say("created PostgreSQL cluster in " + pgdata_.string());
  return Ok{};
}

bool EmbeddedCluster::run_tool_raw(const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (!run_as_.empty()) argv = {runuser_path().string(), "-u", run_as_, "--"};
  argv.insert(argv.end(), args.begin(), args.end());
  return detail::run_process(argv).exit_code == 0;
}

Result<Ok, StoreError> EmbeddedCluster::start_if_stopped() {
  if (run_tool({"pg_ctl", "status", "-D", pgdata_.string()})) return Ok{};  // already running
  auto started = run_tool({"pg_ctl", "start", "-D", pgdata_.string(), "-l",
                           (pgdata_ / "server.log").string(), "-w", "-t", "60", "-s"});
  if (!started) {
    StoreError error = started.error();
    error.message += "\nserver.log ends with:\n" + tail_of_file(pgdata_ / "server.log", 2000);
    return unexpected(std::move(error));
  }
  started_by_us_ = true;
  say("started PostgreSQL in " + pgdata_.string());
  return Ok{};
}

Result<Ok, StoreError> EmbeddedCluster::stop() {
  const std::optional<pid_t> pid = postmaster_pid();
  started_by_us_ = false;
  if (!pid) return Ok{};
  auto stopped = run_tool({"pg_ctl", "stop", "-D", pgdata_.string(), "-m", "fast", "-w", "-t",
                           "60", "-s"});
  // Whatever pg_ctl said, the promise is that the process is gone: wait for its PID, and
  // force an immediate shutdown if fast shutdown did not finish.
  using namespace std::chrono_literals;
  for (int i = 0; i < 300 && process_alive(*pid); ++i) {
    if (i == 200) kill(*pid, SIGQUIT);
    std::this_thread::sleep_for(100ms);
  }
  if (process_alive(*pid)) {
    return unexpected(make_error(Kind::kOther, "PostgreSQL (PID " + std::to_string(*pid) +
                                                   ") did not stop" +
                                                   (stopped ? "" : ": " + stopped.error().message)));
  }
  return Ok{};
}

Result<Ok, StoreError> EmbeddedCluster::restart() {
  return run_tool({"pg_ctl", "restart", "-D", pgdata_.string(), "-m", "fast", "-l",
                   (pgdata_ / "server.log").string(), "-w", "-t", "60", "-s"});
}

std::optional<pid_t> EmbeddedCluster::postmaster_pid() const {
  std::ifstream in(pgdata_ / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (!process_alive(static_cast<pid_t>(pid))) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::string EmbeddedCluster::conninfo(std::string_view database) const {
  // Values in single quotes with \ and ' escaped, as libpq's conninfo syntax wants.
  auto quoted = [](std::string_view v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  };
  return "host=" + quoted(pgdata_.string()) + " port=" + std::to_string(kPort) +
         " dbname=" + quoted(database.empty() ? options_.database : database) +
         " user=" + quoted(options_.database);
}

Result<Ok, StoreError> EmbeddedCluster::create_database(std::string_view name) const {
  const bool plain = !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                                          std::string_view::npos;
  if (!plain) {
    return unexpected(make_error(Kind::kOther, "database name must be [a-z0-9_]+: " +
                                                   std::string(name)));
  }
  auto conn = PgConnection::connect(conninfo("postgres"));
  if (!conn) return unexpected(conn.error());
  auto found = conn->exec("SELECT 1 FROM pg_database WHERE datname = $1", {name});
  if (!found) return unexpected(found.error());
  if (found->rows() > 0) return Ok{};
  // CREATE DATABASE takes no parameters: the name is checked above and quoted as an identifier.
  auto created = conn->exec("CREATE DATABASE " + conn->quote_identifier(name));
  // Another process may have created it between our check and our CREATE (42P04, or 23505
  // from pg_database's own unique index).
  if (!created && created.error().sqlstate != "42P04" &&
      created.error().kind != Kind::kUniqueViolation) {
    return unexpected(created.error());
  }
  return Ok{};
}

}  // namespace illhub::store
