#pragma once
// Catalogue servers for the look-up tests, all on 127.0.0.1:
//   ZtestServer  - a real yaz-ztest (Debian's yaz package): a Z39.50 and SRU server on one port
//                  that answers database "Default" (and "slow", "db*"); any other database
//                  gives Bib-1 diagnostic 109. A PQF term starting with digits sets the hit
//                  count ("0000000000" -> 0 hits, "7 habits" -> 7); other terms, and every CQL
//                  query, get a random count from 0 to 24. "Default?search-delay=3" sleeps 3 s
//                  per search. Started threaded (-T: one process), stopped by its PID.
//   SilentServer - accepts connections and never answers: a catalogue that hangs.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace illhub::test {

class ZtestServer {
 public:
  ZtestServer() = default;
  ZtestServer(const ZtestServer&) = delete;
  ZtestServer& operator=(const ZtestServer&) = delete;
  ~ZtestServer();  // stops it and removes its log

  /// Starts yaz-ztest on a free port and waits (at most 5 s) until it accepts connections.
  /// False with error() when it cannot (binary missing, no port after 3 tries).
  bool start();
  /// SIGTERM (repeated), then SIGKILL after 5 s; waits for the process. Safe to call twice.
  void stop();
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  /// What yaz-ztest logged (one line per init and search): tests read the queries it got.
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
  std::string error_;
};

class SilentServer {
 public:
  SilentServer();  // listens on 127.0.0.1:0 at once; port() is 0 if that failed
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  ~SilentServer();
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> clients_;  // held open, never read or written; touched by the thread only
  std::thread thread_;
};

/// A port on 127.0.0.1 nobody listens on (bound, then closed): connecting to it is refused.
std::uint16_t unused_port();

}  // namespace illhub::test
