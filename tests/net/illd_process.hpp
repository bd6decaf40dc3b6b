#pragma once
// IlldProcess: a real illd started for one test (`--db CONNINFO --listen 127.0.0.1:0
// --metrics-listen 127.0.0.1:0`), its ports read from the "illd listening on", "illd tls on"
// (when TLS is on; it comes before the metrics line) and "illd metrics on" lines, its log kept in a file, stopped by its PID (SIGTERM, then SIGKILL after a
// deadline) when the object is destroyed. Its stdout stays open until then, so a later line
// from illd never meets a closed pipe.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace illhub::test {

/// More for one illd start: extra command-line arguments, extra environment variables.
struct IlldLaunch {
  std::vector<std::string> args = {};
  std::vector<std::pair<std::string, std::string>> env = {};
  /// --log-level (CLI11 refuses the flag twice, so it is chosen here, not in args).
  std::string log_level = "debug";
  /// A program illd runs under, with its arguments (e.g. valgrind and its options); its first
  /// word is an absolute path. Empty: illd itself.
  std::vector<std::string> wrapper = {};
};

class IlldProcess {
 public:
  IlldProcess() = default;
  IlldProcess(const IlldProcess&) = delete;
  IlldProcess& operator=(const IlldProcess&) = delete;
  ~IlldProcess() { stop(); }

  /// Starts illd and waits (bounded) for its listening and metrics lines. False with error()
  /// on failure.
  bool start(const std::string& conninfo, const IlldLaunch& launch = {});
  /// SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status (-1 if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  /// SIGKILL at once, as a crash: nothing of illd's shutdown runs.
  void kill_hard();
  std::uint16_t port() const { return port_; }
  /// The status port (/metrics, /healthz, /readyz).
  std::uint16_t metrics_port() const { return metrics_port_; }
  /// The TLS port ("illd tls on" line), 0 when illd has no TLS listener.
  std::uint16_t tls_port() const { return tls_port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  /// Everything illd logged so far.
  std::string log() const;
  void remove_log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::uint16_t tls_port_ = 0;
  int stdout_fd_ = -1;
  std::string log_path_;
  std::string error_;
};

}  // namespace illhub::test
