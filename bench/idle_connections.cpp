// Idle connections: illd's resident memory per open, silent peer connection.
// See idle_connections.hpp.
#include "idle_connections.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "proc_stats.hpp"

namespace illhub::bench {

namespace {

using Clock = std::chrono::steady_clock;

/// Connections started at once: stays well inside the listen backlog.
constexpr int kBatch = 500;

/// Starts a non-blocking connect from `from` to 127.0.0.1:port; -1 on an immediate failure.
int start_connect(const std::string& from, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in local{}, hub{};
  local.sin_family = hub.sin_family = AF_INET;
  ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  ::inet_pton(AF_INET, "127.0.0.1", &hub.sin_addr);
  hub.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      (::connect(fd, reinterpret_cast<const sockaddr*>(&hub), sizeof hub) != 0 && errno != EINPROGRESS)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Waits (bounded) for the connects in `fds` to finish; closes and drops the failed ones.
/// Returns how many failed.
int finish_connects(std::vector<int>& fds, std::size_t first) {
  std::vector<pollfd> pending;
  for (std::size_t i = first; i < fds.size(); ++i) pending.push_back({fds[i], POLLOUT, 0});
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::size_t done = 0;
  while (done < pending.size() && Clock::now() < deadline) {
    if (::poll(pending.data(), pending.size(), 100) < 0 && errno != EINTR) break;
    done = 0;
    for (auto& p : pending) {
      if (p.revents) p.events = 0;  // finished one way or the other: stop watching it
      if (p.events == 0) ++done;
    }
  }
  int failed = 0;
  std::vector<int> good(fds.begin(), fds.begin() + static_cast<std::ptrdiff_t>(first));
  for (const auto& p : pending) {
    int err = 0;
    socklen_t len = sizeof err;
    if (p.events != 0 || ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      ::close(p.fd);
      ++failed;
    } else {
      good.push_back(p.fd);
    }
  }
  fds = std::move(good);
  return failed;
}

/// Waits until illd has used less than 20 ms of CPU in a second (it has finished greeting the
/// new connections: address look-ups, delivery checks), for at most `limit`.
bool wait_until_quiet(pid_t illd, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  double before = cpu_seconds(illd);
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double now = cpu_seconds(illd);
    if (now < 0) return false;
    if (now - before < 0.02) return true;
    before = now;
  }
  return false;
}

}  // namespace

std::string idle_symbol(int index) { return "BEN:I" + std::to_string(index); }

std::string idle_address(int index) {
  return "127.3." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 1);
}

IdleResult measure_idle_connections(pid_t illd, std::uint16_t port, int count) {
  IdleResult r;
  if (!wait_until_quiet(illd, std::chrono::seconds(20))) r.error = "illd was busy before the connections were opened";
  r.rss_before_kib = vm_rss_kib(illd);
  const long fds_before = open_fds(illd);
  const auto start = Clock::now();

  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(count));
  int failed = 0;
  for (int i = 0; i < count;) {
    const std::size_t first = fds.size();
    for (const int end = std::min(count, i + kBatch); i < end; ++i) {
      const int fd = start_connect(idle_address(i), port);
      if (fd >= 0) fds.push_back(fd);
      else ++failed;
    }
    failed += finish_connects(fds, first);
  }
  r.opened = static_cast<int>(fds.size());
  if (failed > 0 && r.error.empty()) r.error = std::to_string(failed) + " connection(s) could not be opened";

  // illd holds them all once it has a descriptor for each (accepting lags connecting).
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (open_fds(illd) < fds_before + r.opened && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (open_fds(illd) < fds_before + r.opened && r.error.empty())
    r.error = "illd did not accept every connection within 60 s";
  if (!wait_until_quiet(illd, std::chrono::seconds(60)) && r.error.empty())
    r.error = "illd did not go quiet within 60 s of the last connection";
  r.rss_after_kib = vm_rss_kib(illd);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // A connection illd closed (refused, or timed out) is readable now: end of stream.
  std::vector<pollfd> all;
  for (int fd : fds) all.push_back({fd, POLLIN | POLLRDHUP, 0});
  const int closed = all.empty() ? 0 : ::poll(all.data(), all.size(), 0);
  r.kept = r.opened - std::max(closed, 0);
  if (r.kept < r.opened && r.error.empty())
    r.error = std::to_string(r.opened - r.kept) + " connection(s) were closed by illd";
  for (int fd : fds) ::close(fd);
  return r;
}

}  // namespace illhub::bench
