// illd's limits and failure paths over real TCP (docs/NET.md, "Limits"): idle and slow-sender
// timeouts, oversize APDUs, the total and per-peer connection limits, a connection speaking for
// another library, a peer that does not read, and delivery backing off to 'failed'. Each test
// checks what the peer gets, what the database holds, the log line naming the connection and
// the reason, and that the hub keeps serving the other connections. Every wait is bounded.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <initializer_list>
#include <thread>

#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kOtherAddress = "127.0.0.4";

/// Occurrences of `needle` in `haystack`.
std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

/// A socket bound to 127.0.0.1 on a free port that does not listen: connecting to it is
/// refused at once, and holding it keeps the port from being reused meanwhile.
struct RefusingPort {
  RefusingPort() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      socklen_t len = sizeof addr;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
      port = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
  std::uint16_t port = 0;
};

/// A connection from `source` that never reads, with a small receive buffer so that the
/// hub's writes to it back up after little data. -1 on failure.
int connect_without_reading(std::uint16_t port, const char* source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);  // before connect: sets the window
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class Limits : public IlldFixture {
 protected:
  /// Starts illd with `--set KEY=VALUE` for each setting.
  void start_with(std::initializer_list<std::string> settings) {
    IlldLaunch launch;
    for (const auto& s : settings) {
      launch.args.push_back("--set");
      launch.args.push_back(s);
    }
    ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();
  }

  /// Waits (bounded) until illd's log holds `needle` at least `times` times.
  bool logged(const std::string& needle, std::size_t times = 1, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (count_of(illd_.log(), needle) >= times) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  static Bytes request(const std::string& qualifier, const std::string& time, const std::string& responder = "IRL:LEN",
                       std::size_t note_bytes = 0) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.time = time;
    o.responder_symbol = responder;
    if (note_bytes > 0) o.note = std::string(note_bytes, 'n');
    return testing::yaz_encode_sample(kIllRequest, o);
  }

  /// The borrower's ILL-Request `qualifier` reaches the lender unchanged.
  void expect_relayed(TestPeer& borrower, TestPeer& lender, const std::string& qualifier, const std::string& time) {
    const Bytes sent = request(qualifier, time);
    ASSERT_TRUE(borrower.send(sent)) << borrower.error();
    const auto got = lender.receive();
    ASSERT_TRUE(got) << qualifier << " was not relayed";
    EXPECT_EQ(*got, sent);
  }

  std::string qualifier_count(const std::string& qualifier) {
    return text("SELECT count(*) FROM transactions WHERE qualifier = '" + qualifier + "'");
  }
};

TEST_F(Limits, IdleTimeoutClosesAnIdleConnectionWhileABusyOneStaysOpen) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_with({"limits.idle_timeout=1s"});
  TestPeer busy, idle;
  ASSERT_TRUE(busy.connect(illd_.port(), kBorrowerAddress)) << busy.error();
  // Taken before connecting: the hub's idle clock starts when it accepts, never earlier.
  const auto opened = Clock::now();
  ASSERT_TRUE(idle.connect(illd_.port(), kLenderAddress)) << idle.error();

  // The busy side asks every 300 ms (each query answered), well inside the idle timeout.
  bool idle_closed = false;
  int queries = 0;
  for (; queries < 40 && !idle_closed; ++queries) {
    ASSERT_TRUE(busy.send(apdu(kStatusQuery, "BUSY", "100" + std::to_string(100 + queries))));
    ASSERT_TRUE(busy.receive()) << "the busy connection got no answer to query " << queries;
    idle_closed = idle.wait_closed(300ms);
  }
  ASSERT_TRUE(idle_closed) << "the idle connection was not closed";
  EXPECT_GE(Clock::now() - opened, 1s) << "closed before its idle timeout";
  EXPECT_TRUE(logged("IRL:LEN: closing: idle timeout"));

  // The busy connection was never idle for 1 s and is still served.
  ASSERT_TRUE(busy.send(apdu(kStatusQuery, "BUSY", "100959")));
  EXPECT_TRUE(busy.receive());
  EXPECT_EQ(count_of(illd_.log(), "IRL:BOR: closing"), 0u) << illd_.log();
}

TEST_F(Limits, ASlowSenderIsClosedWhenItsApduIsNotCompleteInTimeAndOthersAreUnaffected) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  // The idle timeout is long: a byte every 200 ms keeps the slow sender from being idle, so
  // only the time to complete a started APDU can close it.
  start_with({"limits.apdu_timeout=1s", "limits.idle_timeout=1min"});
  TestPeer borrower, lender, slow;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(slow.connect(illd_.port(), kBorrowerAddress));

  const Bytes trickled = request("SLOW", "110001");
  bool closed = false;
  std::size_t sent = 0;
  while (sent < trickled.size() && !closed) {
    if (!slow.send({trickled[sent]})) break;  // the hub closed it under us
    ++sent;
    closed = slow.wait_closed(200ms);
  }
  closed = closed || slow.wait_closed(5s);
  ASSERT_TRUE(closed) << "the slow sender was not closed after " << sent << " bytes";
  EXPECT_LT(sent, trickled.size()) << "the whole APDU went through before the timeout";
  EXPECT_TRUE(logged("closing: slow sender: a started APDU did not complete in time"));

  // Nothing of the half APDU was recorded; the other connections carry on.
  EXPECT_EQ(qualifier_count("SLOW"), "0");
  expect_relayed(borrower, lender, "AFTERSLOW", "110002");
}

TEST_F(Limits, AnOversizeApduGetsAGeneralProblemAndItsConnectionClosesWhileAnotherKeepsWorking) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_with({"limits.max_apdu_bytes=1KiB"});
  TestPeer borrower, lender, big;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(big.connect(illd_.port(), kBorrowerAddress));

  const Bytes oversize = request("HUGE", "120001", "IRL:LEN", 2000);
  ASSERT_GT(oversize.size(), 1024u);
  ASSERT_TRUE(big.send(oversize));
  const std::string dump = report_dump(big.receive());
  EXPECT_NE(dump.find("general_problem"), std::string::npos) << dump;
  EXPECT_TRUE(big.wait_closed());
  EXPECT_TRUE(logged("refused: stream cannot be framed"));

  // Nothing recorded or relayed; an APDU under the limit still goes through on another
  // connection of the same library.
  EXPECT_EQ(qualifier_count("HUGE"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
  const Bytes small = request("SMALL", "120002");
  ASSERT_LT(small.size(), 1024u);
  ASSERT_TRUE(borrower.send(small));
  const auto got = lender.receive();
  ASSERT_TRUE(got) << "the APDU under the limit was not relayed";
  EXPECT_EQ(*got, small) << "the oversize APDU was relayed";
}

TEST_F(Limits, PastMaxConnectionsANewConnectionIsClosedAtOnceAndTheOthersKeepWorking) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_with({"limits.max_connections=3"});
  TestPeer borrower, lender, stranger, fourth;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(stranger.connect(illd_.port(), kStrangerAddress));
  ASSERT_TRUE(logged(" opened", 3)) << illd_.log();

  ASSERT_TRUE(fourth.connect(illd_.port(), kOtherAddress));  // the kernel accepts; illd closes it
  EXPECT_TRUE(fourth.wait_closed(5s)) << "the fourth connection was served";
  EXPECT_TRUE(logged("refused connection from 127.0.0.4:"));
  EXPECT_TRUE(logged("3 connections open (max_connections)"));
  expect_relayed(borrower, lender, "FULL", "130001");

  // A connection that closes frees its slot.
  stranger.close();
  ASSERT_TRUE(logged("127.0.0.9:", 1) && logged(" closed after 0 APDU(s)"));
  TestPeer fifth;
  ASSERT_TRUE(fifth.connect(illd_.port(), kOtherAddress));
  EXPECT_FALSE(fifth.wait_closed(500ms)) << "refused although a slot was free";
  EXPECT_EQ(count_of(illd_.log(), "refused connection from"), 1u) << illd_.log();
}

TEST_F(Limits, PastMaxConnectionsPerPeerTheNewestConnectionBoundAtConnectIsClosed) {
  add_peer("IRL:BOR", "127.0.0.2/32");  // the only peer on its address: bound at connect
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_with({"limits.max_connections_per_peer=2"});
  TestPeer first, second, third, lender;
  ASSERT_TRUE(first.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(second.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(logged("speaks for IRL:BOR", 2)) << illd_.log();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));  // another peer: its own count
  ASSERT_TRUE(logged("speaks for IRL:LEN"));

  ASSERT_TRUE(third.connect(illd_.port(), kBorrowerAddress));
  EXPECT_TRUE(third.wait_closed(5s)) << "the third IRL:BOR connection was served";
  EXPECT_TRUE(logged("refused: IRL:BOR already has 2 connection(s) open (max_connections_per_peer 2); closing"));
  EXPECT_EQ(count_of(illd_.log(), "speaks for IRL:BOR"), 2u) << "the refused connection was bound";

  // Both earlier connections still work.
  expect_relayed(first, lender, "PEER1", "140001");
  expect_relayed(second, lender, "PEER2", "140002");
  // Closing one frees a place for a new one.
  first.close();
  ASSERT_TRUE(logged("IRL:BOR closed after 1 APDU(s)"));
  TestPeer fourth;
  ASSERT_TRUE(fourth.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(logged("speaks for IRL:BOR", 3)) << illd_.log();
  expect_relayed(fourth, lender, "PEER4", "140004");
}

TEST_F(Limits, PastMaxConnectionsPerPeerAConnectionBoundByItsFirstApduGetsResourceLimitationAndNothingIsRecorded) {
  // Two peers share the borrower's address, so its connections are bound by their first APDU
  // (an ILL-Request: only IRL:BOR, the requester, can have sent it).
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:SHR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_with({"limits.max_connections_per_peer=2"});
  TestPeer first, second, third, lender;
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(first.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(second.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(third.connect(illd_.port(), kBorrowerAddress));
  expect_relayed(first, lender, "FIRST1", "150001");
  expect_relayed(second, lender, "FIRST2", "150002");

  ASSERT_TRUE(third.send(request("FIRST3", "150003")));
  const std::string dump = report_dump(third.receive());
  EXPECT_NE(dump.find("FIRST3"), std::string::npos) << "the report is not about the refused APDU: " << dump;
  EXPECT_NE(dump.find("unable_to_perform 2"), std::string::npos) << "not resource-limitation: " << dump;
  EXPECT_NE(dump.find("too many connections"), std::string::npos) << dump;
  EXPECT_TRUE(third.wait_closed(5s)) << "the connection over the limit stayed open";
  EXPECT_TRUE(logged("refused: IRL:BOR already has 2 connection(s) open (max_connections_per_peer 2); "
                     "not recorded: ILL-Request"));
  EXPECT_EQ(qualifier_count("FIRST3"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM events"), "2");
  EXPECT_FALSE(lender.receive(500ms)) << "the refused APDU was relayed";

  // The connections within the limit carry on.
  expect_relayed(first, lender, "FIRST4", "150004");
}

TEST_F(Limits, AConnectionSpeakingForAnotherLibraryGetsASecurityProblemAndNothingIsRecorded) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress));
  ASSERT_TRUE(logged("speaks for IRL:BOR"));

  // An ILL-Request whose requester is IRL:LEN, sent on IRL:BOR's connection.
  testing::SampleOptions forged;
  forged.qualifier = "FORGED";
  forged.time = "160001";
  forged.requester_symbol = "IRL:LEN";
  forged.responder_symbol = "IRL:BOR";
  ASSERT_TRUE(borrower.send(testing::yaz_encode_sample(kIllRequest, forged)));
  const std::string dump = report_dump(borrower.receive());
  EXPECT_NE(dump.find("security_problem"), std::string::npos) << dump;
  EXPECT_NE(dump.find("speaks for IRL:BOR"), std::string::npos) << dump;
  EXPECT_TRUE(logged("IRL:BOR: refused ILL-Request IRL:LEN/G1/FORGED: security problem: this connection speaks "
                     "for IRL:BOR; the ILL-Request is from IRL:LEN"));
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "0");
  EXPECT_FALSE(lender.receive(500ms)) << "the forged APDU was relayed";

  // The connection stays bound to IRL:BOR and keeps working for it.
  expect_relayed(borrower, lender, "HONEST", "160002");
}

TEST_F(Limits, APeerThatDoesNotReadIsClosedAfterTheWriteTimeoutAndItsApdusWait) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  add_peer("IRL:OTH", "127.0.0.4/32");
  start_with({"limits.write_timeout=1s", "limits.max_queued_frames=2"});
  TestPeer borrower, other;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(other.connect(illd_.port(), kOtherAddress));
  const int deaf = connect_without_reading(illd_.port(), kLenderAddress);
  ASSERT_GE(deaf, 0);
  ASSERT_TRUE(logged("speaks for IRL:LEN"));

  // Large ILL-Requests for the lender until the kernel's buffers are full and a write stalls
  // (how much that takes depends on the kernel: bounded at 120 × 100 KB).
  const std::string stalled = "IRL:LEN: closing: peer does not read: a write did not complete in time";
  int sent = 0;
  while (sent < 120 && count_of(illd_.log(), stalled) == 0) {
    ASSERT_TRUE(borrower.send(request("DEAF" + std::to_string(sent), "170001", "IRL:LEN", 100'000)));
    ++sent;
    ASSERT_TRUE(eventually("SELECT count(*) FROM outbox", std::to_string(sent)));
  }
  EXPECT_TRUE(logged(stalled)) << "after " << sent << " APDUs";
  ::close(deaf);

  // Nothing dropped: every row is still there; the one whose write was cut counts a failed
  // attempt with its error, and what was not delivered waits for the lender to come back.
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), std::to_string(sent));
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 1 AND last_error <> ''",
                         "1"));
  EXPECT_NE(text("SELECT count(*) FROM outbox WHERE status = 'pending'"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox WHERE status = 'failed'"), "0");

  // The hub keeps serving the others.
  const Bytes for_other = request("TOOTHER", "170002", "IRL:OTH");
  ASSERT_TRUE(borrower.send(for_other));
  const auto got = other.receive();
  ASSERT_TRUE(got) << "the other library was not served";
  EXPECT_EQ(*got, for_other);
}

TEST_F(Limits, DeliveryToAnEndpointThatRefusesBacksOffToFailedAndKeepsTheRow) {
  RefusingPort refusing;
  ASSERT_NE(refusing.port, 0);
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32", "dial", "127.0.0.1:" + std::to_string(refusing.port));
  start_with({"delivery.backoff_initial=100ms", "delivery.backoff_cap=200ms", "delivery.max_attempts=3",
              "delivery.sweep_interval=100ms"});
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress));
  ASSERT_TRUE(borrower.send(request("NOWHERE", "180001")));

  ASSERT_TRUE(eventually("SELECT status || '/' || attempts FROM outbox", "failed/3"))
      << text("SELECT status || '/' || attempts FROM outbox");
  EXPECT_NE(text("SELECT last_error FROM outbox").find("cannot connect to 127.0.0.1:" + std::to_string(refusing.port)),
            std::string::npos)
      << text("SELECT last_error FROM outbox");
  EXPECT_TRUE(logged("to IRL:LEN failed for good after 3 attempts"));
  EXPECT_EQ(count_of(illd_.log(), "to IRL:LEN failed (attempt"), 2u) << illd_.log();

  // Left for an operator: neither dropped nor tried again.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(text("SELECT count(*) || '/' || max(attempts) || '/' || min(status) FROM outbox"), "1/3/failed");

  // A later APDU for the same library is still accepted and queued, with attempts of its own.
  ASSERT_TRUE(borrower.send(request("NOWHERE2", "180002")));
  ASSERT_TRUE(eventually("SELECT count(*) FROM outbox", "2"));
  EXPECT_TRUE(eventually("SELECT status || '/' || attempts FROM outbox ORDER BY id DESC LIMIT 1", "failed/3"));
  EXPECT_EQ(text("SELECT status || '/' || attempts FROM outbox ORDER BY id LIMIT 1"), "failed/3");
}

}  // namespace
}  // namespace illhub::test
