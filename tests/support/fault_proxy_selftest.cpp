// FaultProxy's own checks: each mode against a plain target socket on 127.0.0.1 (or a Unix
// socket), with blocking sockets and a deadline on every wait.
#include "support/fault_proxy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>


namespace illhub::test {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

/// A descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

sockaddr_in loopback(const char* address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &a.sin_addr);
  return a;
}

/// A listening TCP socket on 127.0.0.1:0, and its port.
Fd listen_tcp(std::uint16_t& port) {
  Fd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = loopback("127.0.0.1", 0);
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s.fd, 8) != 0) return Fd();
  socklen_t len = sizeof a;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

Fd connect_tcp(std::uint16_t port, const char* source = "127.0.0.1") {
  Fd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in from = loopback(source, 0);
  sockaddr_in to = loopback("127.0.0.1", port);
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(s.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    return Fd();
  return s;
}

/// accept() with a deadline; the peer's address in `peer` if asked.
Fd accept_within(const Fd& listener, std::chrono::milliseconds timeout, std::string* peer = nullptr) {
  pollfd p{listener.fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return Fd();
  sockaddr_in a{};
  socklen_t len = sizeof a;
  Fd s(::accept(listener.fd, reinterpret_cast<sockaddr*>(&a), &len));
  if (peer) {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    *peer = text;
  }
  return s;
}

bool send_all(const Fd& s, const Bytes& bytes) {
  return ::send(s.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

/// What one side read until `want` bytes came, the other side ended (EOF or error), or the
/// deadline passed; how many reads it took and how it ended.
struct Received {
  Bytes bytes;
  int reads = 0;
  bool eof = false;
  int error = 0;  // errno of a failed read (ECONNRESET for an RST)
};

Received receive(const Fd& s, std::size_t want, std::chrono::milliseconds timeout) {
  Received r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (r.bytes.size() < want) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    std::uint8_t buf[4096];
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n == 0) {
      r.eof = true;
      break;
    }
    if (n < 0) {
      r.error = errno;
      break;
    }
    ++r.reads;
    r.bytes.insert(r.bytes.end(), buf, buf + n);
  }
  return r;
}

/// The proxy counts a chunk once its write has completed, which may be just after the far
/// side has read it: polls a counter until it reaches `want` (bounded).
std::size_t settled(const std::function<std::size_t()>& counter, std::size_t want) {
  for (int i = 0; i < 200 && counter() != want; ++i) std::this_thread::sleep_for(5ms);
  return counter();
}

Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return b;
}

/// A target listening on 127.0.0.1, a proxy to it, one client connected through the proxy
/// (from `source`) and the target's end of that connection.
struct Through {
  explicit Through(const char* source = "127.0.0.1") {
    listener = listen_tcp(target_port);
    proxy = FaultProxy::to_tcp(target_port);
    client = connect_tcp(proxy->port(), source);
    server = accept_within(listener, 5s, &seen_from);
  }
  bool ok() const { return client.fd >= 0 && server.fd >= 0; }
  std::uint16_t target_port = 0;
  Fd listener;
  std::unique_ptr<FaultProxy> proxy;
  Fd client;
  Fd server;
  std::string seen_from;
};

TEST(FaultProxy, PassForwardsBothWaysByteForByteAndKeepsTheClientsLoopbackAddress) {
  Through t("127.0.0.5");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.seen_from, "127.0.0.5");
  const Bytes up = pattern(50'000), down = pattern(777);
  ASSERT_TRUE(send_all(t.client, up));
  EXPECT_EQ(receive(t.server, up.size(), 5s).bytes, up);
  ASSERT_TRUE(send_all(t.server, down));
  EXPECT_EQ(receive(t.client, down.size(), 5s).bytes, down);
  EXPECT_EQ(settled([&] { return t.proxy->forwarded(Direction::kUpstream); }, up.size()), up.size());
  EXPECT_EQ(settled([&] { return t.proxy->forwarded(Direction::kDownstream); }, down.size()), down.size());
  EXPECT_EQ(t.proxy->accepted(), 1u);
}

TEST(FaultProxy, AnEndOfStreamIsPassedOnAsAHalfClose) {
  Through t;
  ASSERT_TRUE(t.ok());
  ::shutdown(t.client.fd, SHUT_WR);
  EXPECT_TRUE(receive(t.server, 1, 5s).eof);
  // The other way still works.
  ASSERT_TRUE(send_all(t.server, pattern(10)));
  EXPECT_EQ(receive(t.client, 10, 5s).bytes, pattern(10));
}

TEST(FaultProxy, FragmentWritesOneByteAtATime) {
  Through t;
  ASSERT_TRUE(t.ok());
  t.proxy->set(Direction::kUpstream, {FaultMode::kFragment});
  const Bytes up = pattern(300);
  ASSERT_TRUE(send_all(t.client, up));
  const Received r = receive(t.server, up.size(), 5s);
  EXPECT_EQ(r.bytes, up);
  EXPECT_GT(r.reads, 1) << "one 300-byte send arrived in one piece";
  // The other direction is untouched.
  ASSERT_TRUE(send_all(t.server, pattern(5)));
  EXPECT_EQ(receive(t.client, 5, 5s).bytes, pattern(5));
}

TEST(FaultProxy, DelayHoldsEachChunkBack) {
  Through t;
  ASSERT_TRUE(t.ok());
  t.proxy->set(Direction::kDownstream, {FaultMode::kDelay, 300ms});
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(send_all(t.server, pattern(20)));
  EXPECT_TRUE(receive(t.client, 20, 100ms).bytes.empty()) << "arrived before the delay";
  EXPECT_EQ(receive(t.client, 20, 5s).bytes, pattern(20));
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 300ms);
}

TEST(FaultProxy, ResetAfterForwardsExactlyNBytesThenResetsBothSides) {
  Through t;
  ASSERT_TRUE(t.ok());
  // Bytes before the rule do not count.
  ASSERT_TRUE(send_all(t.client, pattern(100)));
  ASSERT_EQ(receive(t.server, 100, 5s).bytes.size(), 100u);
  t.proxy->set(Direction::kUpstream, {FaultMode::kResetAfter, 0ms, 10});
  const Bytes sent = pattern(64);
  ASSERT_TRUE(send_all(t.client, sent));
  const Received at_target = receive(t.server, 64, 5s);
  EXPECT_EQ(at_target.bytes, Bytes(sent.begin(), sent.begin() + 10));
  EXPECT_EQ(at_target.error, ECONNRESET) << "the target saw an orderly end, not an RST";
  const Received at_client = receive(t.client, 1, 5s);
  EXPECT_EQ(at_client.error, ECONNRESET);
  EXPECT_TRUE(at_client.bytes.empty());
}

TEST(FaultProxy, BlackHoleSwallowsEverythingAndResetsTheConnectionWhenItEnds) {
  Through t;
  ASSERT_TRUE(t.ok());
  t.proxy->set_both({FaultMode::kBlackHole});
  ASSERT_TRUE(send_all(t.client, pattern(1000)));
  ASSERT_TRUE(send_all(t.server, pattern(30)));
  EXPECT_TRUE(receive(t.server, 1, 300ms).bytes.empty());
  EXPECT_TRUE(receive(t.client, 1, 300ms).bytes.empty());
  EXPECT_EQ(settled([&] { return t.proxy->discarded(Direction::kUpstream); }, 1000), 1000u);
  EXPECT_EQ(settled([&] { return t.proxy->discarded(Direction::kDownstream); }, 30), 30u);
  EXPECT_EQ(t.proxy->open(), 1u) << "a black hole keeps the connection open";

  t.proxy->set_both({FaultMode::kPass});
  EXPECT_EQ(receive(t.client, 1, 5s).error, ECONNRESET) << "a stream with a hole in it was resumed";
  // A new connection passes again.
  Fd again = connect_tcp(t.proxy->port());
  Fd served = accept_within(t.listener, 5s);
  ASSERT_GE(served.fd, 0);
  ASSERT_TRUE(send_all(again, pattern(8)));
  EXPECT_EQ(receive(served, 8, 5s).bytes, pattern(8));
}

TEST(FaultProxy, BlackHoleNextConnectionCatchesThatOneConnectionOnly) {
  Through t;  // open before: not caught
  ASSERT_TRUE(t.ok());
  t.proxy->black_hole_next_connection();
  Fd caught = connect_tcp(t.proxy->port());
  Fd caught_served = accept_within(t.listener, 5s);
  ASSERT_GE(caught_served.fd, 0);
  Fd later = connect_tcp(t.proxy->port());
  Fd later_served = accept_within(t.listener, 5s);
  ASSERT_GE(later_served.fd, 0);
  EXPECT_EQ(settled([&] { return t.proxy->accepted(); }, 3), 3u);

  ASSERT_TRUE(send_all(caught, pattern(40)));
  ASSERT_TRUE(send_all(caught_served, pattern(6)));
  EXPECT_TRUE(receive(caught_served, 1, 300ms).bytes.empty()) << "the caught connection forwarded upstream";
  EXPECT_TRUE(receive(caught, 1, 300ms).bytes.empty()) << "the caught connection forwarded downstream";
  // The connection open before and the one after pass, both ways.
  for (auto* pair : {&t.client, &later}) {
    const Fd& far = pair == &t.client ? t.server : later_served;
    ASSERT_TRUE(send_all(*pair, pattern(9)));
    EXPECT_EQ(receive(far, 9, 5s).bytes, pattern(9));
    ASSERT_TRUE(send_all(far, pattern(4)));
    EXPECT_EQ(receive(*pair, 4, 5s).bytes, pattern(4));
  }

  // Ending the hole resets the caught connection only.
  t.proxy->reset_black_holed();
  EXPECT_EQ(receive(caught, 1, 5s).error, ECONNRESET);
  ASSERT_TRUE(send_all(later, pattern(3)));
  EXPECT_EQ(receive(later_served, 3, 5s).bytes, pattern(3));
}

TEST(FaultProxy, AMissingTargetResetsTheClient) {
  std::uint16_t port = 0;
  { Fd gone = listen_tcp(port); }  // a port nobody listens on any more
  auto proxy = FaultProxy::to_tcp(port);
  Fd client = connect_tcp(proxy->port());
  ASSERT_GE(client.fd, 0);
  const Received r = receive(client, 1, 5s);
  EXPECT_TRUE(r.bytes.empty());
  EXPECT_TRUE(r.eof || r.error == ECONNRESET);
}

TEST(FaultProxy, ForwardsToAUnixSocket) {
  char templ[] = "/tmp/fault-proxy-XXXXXX";
  ASSERT_NE(::mkdtemp(templ), nullptr);
  const std::filesystem::path dir = templ;
  const auto path = dir / "target.sock";
  Fd listener(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::bind(listener.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(listener.fd, 4), 0);
  auto proxy = FaultProxy::to_unix(path);
  Fd client = connect_tcp(proxy->port());
  Fd server = accept_within(listener, 5s);
  ASSERT_GE(server.fd, 0);
  ASSERT_TRUE(send_all(client, pattern(123)));
  EXPECT_EQ(receive(server, 123, 5s).bytes, pattern(123));
  ASSERT_TRUE(send_all(server, pattern(9)));
  EXPECT_EQ(receive(client, 9, 5s).bytes, pattern(9));
  proxy.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace illhub::test
