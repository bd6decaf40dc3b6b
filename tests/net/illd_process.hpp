#pragma once
// IlldProcess: a real illd started for one test (`--db CONNINFO --listen 127.0.0.1:0`), its
// port read from the "illd listening on" line, its log kept in a file, stopped by its PID
// (SIGTERM, then SIGKILL after a deadline) when the object is destroyed.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace illhub::test {

class IlldProcess {
 public:
  IlldProcess() = default;
  IlldProcess(const IlldProcess&) = delete;
  IlldProcess& operator=(const IlldProcess&) = delete;
  ~IlldProcess() { stop(); }

  /// Starts illd and waits (bounded) for its listening line. False with error() on failure.
  /// `extra_args` go after the usual ones (e.g. {"--timer-interval", "200"}).
  bool start(const std::string& conninfo, const std::vector<std::string>& extra_args = {});
  /// SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status (-1 if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  /// Everything illd logged so far.
  std::string log() const;
  void remove_log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
  std::string error_;
};

}  // namespace illhub::test
