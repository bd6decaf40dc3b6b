// How APDUs reach their recipient, and what the hub answers itself (as
// tests/net/illd_nettest.cpp and status_nettest.cpp): a recipient that was offline gets the
// APDU once when it connects; a Status-Query is answered by the hub and not relayed; a
// recipient whose delivery mode is dial is dialled at its endpoint.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "illhub/codec/framer.hpp"
#include "sessions/scenario.hpp"

namespace illhub::sessions {
namespace {

using namespace std::chrono_literals;

/// The dial scenario's lender listens here; tests/sessions/peers.sh registers it as DIAL:LEN's
/// endpoint. A port below the ephemeral range, on an address of the scenario's own network.
constexpr const char* kDialHost = "127.1.14.3";
constexpr std::uint16_t kDialPort = 24914;

/// The statuses of a recipient's outbox rows, oldest first.
constexpr const char* kOutboxStatus =
    "SELECT coalesce(string_agg(status, ',' ORDER BY id), '') FROM outbox WHERE recipient_symbol = $1";

void offline_recipient(ScenarioRun& run) {
  test::TestPeer borrower;
  if (!run.connect(borrower, run.borrower_address(), "borrower")) return;
  const Bytes request = run.sample(kIllRequest, "S-OFFLINE");
  if (!run.expect(borrower.send(request), "cannot send")) return;
  // Recorded and waiting for the lender, who is not connected.
  if (!run.eventually(kOutboxStatus, {run.lender_symbol()}, "pending", "the lender's outbox")) return;

  test::TestPeer lender;
  if (!run.connect(lender, run.lender_address(), "lender")) return;
  const auto got = lender.receive();
  if (!run.expect(got.has_value(), "the waiting ILL-Request did not reach the lender when it connected")) return;
  run.expect(*got == request, "the waiting ILL-Request changed on the way");
  run.nothing_arrives(lender, "the lender (delivered twice)", 1000ms);
  run.eventually(kOutboxStatus, {run.lender_symbol()}, "delivered", "the lender's outbox");
}

void status_query(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-STATUS";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  if (!run.expect(borrower.send(run.sample(kStatusQuery, q)), "cannot send the Status-Query")) return;
  const std::string json = run.report(borrower, "the hub's answer to the Status-Query", false);
  run.expect_contains(json, "\"provider-status-report\": \"iN-PROCESS\"", "the status report");
  run.expect_contains(json, "\"most-recent-service\": \"iLL-REQUEST\"", "the status report");
  run.expect_contains(json, "\"transaction-qualifier\": \"S-STATUS\"", "the status report");
  run.nothing_arrives(lender, "the lender (the Status-Query was relayed)");
  run.expect_eq(run.states(q), "2/3", "states after the Status-Query (unchanged)");
}

/// A listening socket on kDialHost:kDialPort, or -1 (and a failure).
int listen_for_dial(ScenarioRun& run) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (!run.expect(fd >= 0, "socket() failed")) return -1;
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // a run just before left TIME_WAIT
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kDialPort);
  inet_pton(AF_INET, kDialHost, &addr.sin_addr);
  if (!run.expect(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 4) == 0,
                  std::string("cannot listen on ") + kDialHost + ":" + std::to_string(kDialPort))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// The first whole frame on `fd` within `timeout`, or nothing.
std::optional<Bytes> first_frame(int fd, std::chrono::milliseconds timeout) {
  codec::StreamFramer framer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) != 1) continue;
    std::uint8_t buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    framer.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
    if (auto frame = framer.next()) return frame;
  }
  return std::nullopt;
}

void dial(ScenarioRun& run) {
  const int listener = listen_for_dial(run);
  if (listener < 0) return;
  test::TestPeer borrower;
  if (run.connect(borrower, run.borrower_address(), "borrower")) {
    const Bytes request = run.sample(kIllRequest, "S-DIAL");
    if (run.expect(borrower.send(request), "cannot send")) {
      pollfd p{listener, POLLIN, 0};
      if (run.expect(::poll(&p, 1, 10000) == 1, "the hub did not dial the lender")) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (run.expect(fd >= 0, "accept() failed")) {
          const auto got = first_frame(fd, 10s);
          ::close(fd);
          if (run.expect(got.has_value(), "the hub dialled but sent no APDU"))
            run.expect(*got == request, "the ILL-Request changed on the way");
          run.eventually(kOutboxStatus, {run.lender_symbol()}, "delivered", "the lender's outbox");
        }
      }
    }
  }
  ::close(listener);
}

}  // namespace

std::vector<Scenario> delivery_scenarios() {
  return {
      {"offline-recipient", "the recipient is offline: the APDU waits, and reaches it once when it connects", "OFFL",
       12, offline_recipient},
      {"status-query", "a Status-Query answered by the hub from its record, not relayed", "STAT", 13, status_query},
      {"dial", "a recipient in dial mode: the hub connects to its endpoint and delivers", "DIAL", 14, dial},
  };
}

}  // namespace illhub::sessions
