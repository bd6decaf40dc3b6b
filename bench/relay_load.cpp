// RelayLoad: peer pairs running loan lifecycles through illd. See relay_load.hpp.
#include "relay_load.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string_view>
#include <unordered_map>

#include "support/yaz_peer.hpp"

namespace illhub::bench {

namespace {

using Clock = std::chrono::steady_clock;

/// The lifecycle: ISO 10161 kind numbers (yaz_encode_sample) and who sends each.
constexpr std::array<int, 6> kKinds = {1 /*ILL-Request*/, 4 /*ILL-Answer*/, 3 /*Shipped*/,
                                       8 /*Received*/,    10 /*Returned*/,  11 /*Checked-In*/};
constexpr std::array<bool, 6> kFromBorrower = {true, false, false, true, true, false};

/// Pre-encoded work per transaction is sized for this many lifecycles per second in all, twice
/// over: more than the store alone manages on this kind of machine (~1000, store_bench).
constexpr double kLifecyclesPerSecondCeiling = 1000;

/// How long APDUs still in flight at the end of the window may take to arrive.
constexpr auto kDrainLimit = std::chrono::seconds(15);

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string_view view(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

sockaddr_in ipv4(const std::string& address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  return a;
}

}  // namespace

PeerPair peer_pair(int index) {
  const std::string host = std::to_string(index / 250) + "." + std::to_string(index % 250 + 1);
  return {"BEN:B" + std::to_string(index), "BEN:L" + std::to_string(index), "127.1." + host, "127.2." + host};
}

struct RelayLoad::Connection {
  int fd = -1;
  codec::StreamFramer framer;
  std::vector<std::uint8_t> out;  // bytes the socket did not take yet
  bool want_out = false;          // EPOLLOUT armed
  /// APDUs on their way to this connection: their bytes (owned by a Transaction) → transaction.
  std::unordered_map<std::string_view, std::size_t> awaited;
};

struct RelayLoad::Transaction {
  int pair = 0;
  std::vector<std::array<std::vector<std::uint8_t>, 6>> lifecycles;  // encoded before the clock
  std::size_t lifecycle = 0;
  int step = 0;
  Clock::time_point sent_at;
  bool done = false;
  bool waiting = false;         // thinking: the next lifecycle starts at resume_at
  Clock::time_point resume_at;
};

RelayLoad::RelayLoad() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

RelayLoad::~RelayLoad() {
  for (auto& c : connections_) ::close(c.fd);
  if (epoll_ >= 0) ::close(epoll_);
}

bool RelayLoad::connect(std::uint16_t port, int pairs, std::string& error) {
  const sockaddr_in hub = ipv4("127.0.0.1", port);
  for (int i = 0; i < pairs; ++i) {
    const PeerPair p = peer_pair(i);
    for (const std::string& from : {p.borrower_address, p.lender_address}) {
      Connection c;
      c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      const sockaddr_in local = ipv4(from, 0);
      if (c.fd < 0 || ::bind(c.fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
          ::connect(c.fd, reinterpret_cast<const sockaddr*>(&hub), sizeof hub) != 0) {
        error = "cannot connect from " + from + " to illd: " + std::strerror(errno);
        if (c.fd >= 0) ::close(c.fd);
        return false;
      }
      // APDUs are small and each is awaited: no Nagle delay.
      const int one = 1;
      ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<std::uint32_t>(connections_.size());
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
      connections_.push_back(std::move(c));
    }
  }
  return true;
}

bool RelayLoad::flush(Connection& c, RoundResult& result) {
  while (!c.out.empty()) {
    const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      result.error = std::string("write failed: ") + std::strerror(errno);
      return false;
    }
    c.out.erase(c.out.begin(), c.out.begin() + n);
  }
  const bool want_out = !c.out.empty();
  if (want_out != c.want_out) {
    epoll_event ev{};
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
    ev.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.want_out = want_out;
  }
  return true;
}

bool RelayLoad::send(Transaction& t, RoundResult& result) {
  const auto& bytes = t.lifecycles[t.lifecycle][static_cast<std::size_t>(t.step)];
  const std::size_t sender = 2 * static_cast<std::size_t>(t.pair) + (kFromBorrower[static_cast<std::size_t>(t.step)] ? 0 : 1);
  const std::size_t recipient = sender ^ 1;
  connections_[recipient].awaited.emplace(view(bytes), static_cast<std::size_t>(&t - transactions_.data()));
  Connection& c = connections_[sender];
  t.sent_at = Clock::now();
  c.out.insert(c.out.end(), bytes.begin(), bytes.end());
  return flush(c, result);
}

bool RelayLoad::receive(Connection& c, RoundResult& result) {
  std::array<std::uint8_t, 64 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::recv(c.fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      result.error = n == 0 ? "illd closed a peer connection" : std::string("read failed: ") + std::strerror(errno);
      return false;
    }
    c.framer.feed(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
  }
  while (auto frame = c.framer.next()) {
    const auto now = Clock::now();
    const auto found = c.awaited.find(view(*frame));
    if (found == c.awaited.end()) {
      if (++result.mismatches <= 3)
        std::fprintf(stderr, "relay_bench: a %zu-byte frame arrived that was not sent to this peer "
                             "(an error report from illd, or altered bytes)\n", frame->size());
      continue;
    }
    Transaction& t = transactions_[found->second];
    c.awaited.erase(found);
    ++result.apdus_all;
    const bool inside = now <= deadline_;
    if (inside) {
      ++result.apdus;
      latencies_us_.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - t.sent_at).count()));
    }
    if (++t.step == 6) {
      if (inside) ++result.lifecycles;
      t.step = 0;
      if (++t.lifecycle == t.lifecycles.size()) {
        result.ran_out = result.ran_out || inside;
        t.done = true;
      }
    }
    // Past the window nothing new is sent: what is in flight drains, and the next round
    // starts on a quiet hub.
    if (!inside) t.done = true;
    if (!t.done && t.step == 0 && pause_ > Clock::duration::zero()) {
      t.waiting = true;
      t.resume_at = now + pause_;
      continue;
    }
    if (!t.done && !send(t, result)) return false;
  }
  if (c.framer.error()) {
    result.error = "the bytes from illd cannot be framed";
    return false;
  }
  return true;
}

RoundResult RelayLoad::run(const RoundOptions& options) {
  RoundResult result;
  result.seconds = options.seconds;
  auto per_transaction = static_cast<std::size_t>(
      2 * kLifecyclesPerSecondCeiling * options.seconds / options.in_flight + 2);
  if (options.pause_seconds > 0)  // no more than one lifecycle per pause can start
    per_transaction = std::min(per_transaction, static_cast<std::size_t>(options.seconds / options.pause_seconds + 2));
  pause_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.pause_seconds));
  transactions_.assign(static_cast<std::size_t>(options.in_flight), Transaction{});
  for (std::size_t i = 0; i < transactions_.size(); ++i) {
    Transaction& t = transactions_[i];
    t.pair = static_cast<int>(i) % options.pairs;
    const PeerPair p = peer_pair(t.pair);
    testing::SampleOptions sample;
    sample.requester_symbol = p.borrower;
    sample.responder_symbol = p.lender;
    t.lifecycles.resize(per_transaction);
    for (std::size_t k = 0; k < per_transaction; ++k) {
      sample.qualifier = options.tag + "-" + std::to_string(i) + "-" + std::to_string(k);
      for (std::size_t s = 0; s < kKinds.size(); ++s) {
        sample.time = "10150" + std::to_string(s);  // distinct service times within a transaction
        t.lifecycles[k][s] = testing::yaz_encode_sample(kKinds[s], sample);
      }
    }
  }
  latencies_us_.clear();
  latencies_us_.reserve(static_cast<std::size_t>(kLifecyclesPerSecondCeiling * 6 * options.seconds));

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  deadline_ = deadline;
  const double cpu_start = thread_cpu_seconds();
  bool window_open = true;
  bool ok = true;
  for (std::size_t i = 0; i < transactions_.size(); ++i) {
    Transaction& t = transactions_[i];
    if (pause_ > Clock::duration::zero()) {  // spread over one pause
      t.waiting = true;
      t.resume_at = start + pause_ * static_cast<long>(i) / static_cast<long>(transactions_.size());
    } else {
      ok = ok && send(t, result);
    }
  }
  while (ok) {
    const auto now = Clock::now();
    if (window_open && now >= deadline) {
      result.client_cpu_seconds = thread_cpu_seconds() - cpu_start;
      window_open = false;
    }
    for (auto& t : transactions_) {
      if (!t.waiting || (window_open && now < t.resume_at)) continue;
      t.waiting = false;
      if (!window_open) t.done = true;  // past the window nothing new starts
      else if (!send(t, result)) ok = false;
    }
    std::size_t in_transit = 0;
    for (const auto& c : connections_) in_transit += c.awaited.size();
    if (!window_open && in_transit == 0) break;
    if (now >= deadline + kDrainLimit) {
      result.lost = static_cast<long>(in_transit);
      break;
    }
    std::array<epoll_event, 64> events;
    const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 20);
    for (int i = 0; ok && i < n; ++i) {
      Connection& c = connections_[events[static_cast<std::size_t>(i)].data.u32];
      if (events[static_cast<std::size_t>(i)].events & EPOLLOUT) ok = flush(c, result);
      if (ok && (events[static_cast<std::size_t>(i)].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) ok = receive(c, result);
    }
  }
  for (auto& c : connections_) c.awaited.clear();  // after a failed round: nothing is awaited any more

  std::sort(latencies_us_.begin(), latencies_us_.end());
  if (!latencies_us_.empty()) {
    const auto at = [&](double q) {
      const auto i = std::min(latencies_us_.size() - 1, static_cast<std::size_t>(q * static_cast<double>(latencies_us_.size())));
      return static_cast<double>(latencies_us_[i]) / 1000.0;
    };
    result.p50_ms = at(0.50);
    result.p99_ms = at(0.99);
    result.max_ms = static_cast<double>(latencies_us_.back()) / 1000.0;
  }
  transactions_.clear();
  return result;
}

}  // namespace illhub::bench
