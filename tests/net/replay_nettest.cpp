// illctl replay against a real illd (docs/RECORDING.md "Replay"): a session recorded by illd
// --record-dir (two libraries: a lifecycle with receipts, a refused APDU, bytes that cannot be
// framed and the hub's close, a delivery to a library the hub dials) replays against the hub
// that recorded it, twice; a change in the hub's configuration makes it fail with a diff at the
// changed answer; a torn recording replays up to the tear; a hub that does not answer is a
// timeout, not a hang.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "illhub/record/recording.hpp"
#include "net/illd_fixture.hpp"
#include "pg/illctl_runner.hpp"

namespace illhub::test {
namespace {

namespace fs = std::filesystem;
constexpr const char* kDialAddress = "127.0.0.4";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// A listening socket on 127.0.0.1 (port chosen by the kernel), closed on destruction.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4) != 0) return;
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fd = -1;
  std::uint16_t port = 0;
};

class ReplayTest : public IlldFixture {
 protected:
  void TearDown() override {
    IlldFixture::TearDown();
    std::error_code ignored;
    if (!HasFailure()) fs::remove_all(dir_, ignored);  // kept for a look when a test failed
  }

  std::vector<std::string> illd_args() const { return {"--record-dir", (dir_ / "rec").string()}; }

  /// Registers the libraries, starts illd recording, plays the session with YAZ peers, and
  /// returns a copy of the recording as it was then (illd goes on recording the replays).
  fs::path record_session() {
    fs::create_directories(dir_);
    Listener dial;  // IRL:DIA's own endpoint: the hub dials it
    const std::string endpoint = "127.0.0.1:" + std::to_string(dial.port);
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
    add_peer("IRL:DIA", std::string(kDialAddress) + "/32", "dial", endpoint);
    // Receipts for the borrower: hub-built reports with the hub's dates and event numbers.
    text("UPDATE peers SET receipts = true WHERE symbol = 'IRL:BOR' RETURNING symbol");
    dial_endpoint_ = endpoint;
    EXPECT_TRUE(illd_.start(conninfo_, {.args = illd_args()})) << illd_.error();

    TestPeer borrower, lender;
    EXPECT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
    EXPECT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
    int n = 0;
    for (const auto& [kind, from_borrower] : kLoanSteps) {
      const Bytes sent = apdu(kind, "LIFE", "1100" + std::to_string(10 + n++));
      EXPECT_TRUE((from_borrower ? borrower : lender).send(sent));
      EXPECT_TRUE((from_borrower ? lender : borrower).receive()) << "kind " << kind << " was not relayed";
      if (from_borrower) {
        EXPECT_TRUE(borrower.receive()) << "no receipt for kind " << kind;
      }
    }
    // Received before Shipped: refused (strict tables), with a state-transition-prohibited report.
    EXPECT_TRUE(borrower.send(apdu(kIllRequest, "EARLY", "120001")));
    EXPECT_TRUE(lender.receive());
    EXPECT_TRUE(borrower.receive());  // receipt
    EXPECT_TRUE(borrower.send(apdu(kReceived, "EARLY", "120002")));
    report_dump(borrower.receive());

    // Bytes that cannot be framed, on a connection of their own: a report, then the hub closes.
    TestPeer broken;
    EXPECT_TRUE(broken.connect(illd_.port(), kBorrowerAddress));
    EXPECT_TRUE(broken.send({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}));
    report_dump(broken.receive());
    EXPECT_TRUE(broken.wait_closed());

    // A request for IRL:DIA, which the hub dials.
    testing::SampleOptions o;
    o.qualifier = "DIAL";
    o.responder_symbol = "IRL:DIA";
    const Bytes request = testing::yaz_encode_sample(kIllRequest, o);
    EXPECT_TRUE(borrower.send(request));
    EXPECT_TRUE(borrower.receive());  // receipt
    pollfd p{dial.fd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 10000), 1) << "the hub did not dial";
    const int fd = ::accept4(dial.fd, nullptr, nullptr, SOCK_CLOEXEC);
    EXPECT_GE(fd, 0);
    codec::StreamFramer framer;
    std::optional<Bytes> got;
    for (int i = 0; i < 50 && !got; ++i) {
      pollfd q{fd, POLLIN, 0};
      if (::poll(&q, 1, 200) != 1) continue;
      std::uint8_t buf[4096];
      const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r <= 0) break;
      framer.feed(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(r)));
      got = framer.next();
    }
    EXPECT_EQ(got, std::optional<Bytes>(request));
    ::close(fd);
    dial.close();  // replay listens here in its place
    lender.close();
    borrower.close();

    // Every connection's close is recorded; then the recording is copied as it is.
    fs::path file;
    for (int i = 0; i < 100; ++i) {
      for (const auto& e : fs::directory_iterator(dir_ / "rec")) file = e.path();
      if (!file.empty() && count_of(slurp(file), "\"event\":\"close\"") >= 4) break;
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(count_of(slurp(file), "\"event\":\"close\""), 4) << slurp(file);
    const fs::path copy = dir_ / "session.illrec";
    fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
    return copy;
  }

  IllctlRun replay(const fs::path& file, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"replay", file.string(), "--hub", "127.0.0.1:" + std::to_string(illd_.port()),
                                     "--rewrite-ids", "-v"};
    args.insert(args.end(), more.begin(), more.end());
    return run_illctl(args, 60s);
  }

  fs::path dir_ = fs::temp_directory_path() / ("illhub-replay-" + std::to_string(::getpid()) + "-" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string dial_endpoint_;
};

TEST_F(ReplayTest, ARecordedSessionReplaysAgainstTheHubThatRecordedItTwiceAndUpToATear) {
  const fs::path session = record_session();
  ASSERT_FALSE(HasFailure());
  const auto recording = record::read_recording(session);
  ASSERT_TRUE(recording) << recording.error();

  for (int run = 1; run <= 2; ++run) {
    // The second run keeps the recorded gaps between what the peers sent.
    const IllctlRun r = run == 1 ? replay(session) : replay(session, {"--speed", "original"});
    EXPECT_EQ(r.exit_code, 0) << "run " << run << "\n" << r.out << r.err;
    EXPECT_EQ(count_of(r.out, "DIVERGENCE"), 0) << r.out;
    // 10 sent (the loan's 6 APDUs, EARLY's 2, the unframed bytes, DIAL's 1), all matched.
    EXPECT_NE(r.out.find("replay: 10 APDUs sent"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" 0 divergences"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("dialled by the hub): ILL-Request (relayed, same bytes)"), std::string::npos) << r.out;
    // The receipts name the database's event numbers, other in every run: normalised, listed.
    EXPECT_NE(r.out.find("normalised status-or-error-report.note (5x)"), std::string::npos) << r.out;
  }

  // Cut in the middle of the last line (a close): replayed up to the tear, with the warning.
  const std::string whole = slurp(session);
  const auto last = whole.rfind('\n', whole.size() - 2);
  ASSERT_NE(last, std::string::npos);
  const fs::path torn = dir_ / "torn.illrec";
  std::ofstream(torn, std::ios::binary) << whole.substr(0, last + 1 + (whole.size() - last) / 2);
  const IllctlRun r = replay(torn);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("torn.illrec: line "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("replay: 10 APDUs sent"), std::string::npos) << r.out;
}

TEST_F(ReplayTest, AChangedProfileChangesTheRefusalAndTheReplayShowsWhere) {
  const fs::path session = record_session();
  ASSERT_FALSE(HasFailure());
  // The borrower's system now may send Received before Shipped: the hub accepts what it
  // refused when the session was recorded. Restarted so that it reads the registry afresh.
  text("UPDATE peers SET profile = 'received-before-shipped' WHERE symbol = 'IRL:BOR' RETURNING symbol");
  ASSERT_EQ(illd_.stop(), 0);
  ASSERT_TRUE(illd_.start(conninfo_, {.args = illd_args()})) << illd_.error();

  const IllctlRun r = replay(session, {"--timeout", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The refusal's place in the recording, and the fields: an error report expected, a receipt
  // (status report) received.
  EXPECT_NE(r.out.find("DIVERGENCE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- status-or-error-report.error-report.provider-error-report.state-transition-prohibited."
                       "aPDU-type: \"rECEIVED\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("+ status-or-error-report.status-report."), std::string::npos) << r.out;
  // The Received now relayed to the lender was not in the recording.
  EXPECT_NE(r.out.find("the hub sent an unexpected Received"), std::string::npos) << r.out;
}

TEST(ReplayWithoutHub, AHubThatDoesNotAnswerIsATimeoutDivergenceNotAHang) {
  Listener silent;  // accepts (in the kernel) and never answers
  ASSERT_GT(silent.port, 0);
  const fs::path file = fs::temp_directory_path() / ("illhub-replay-silent-" + std::to_string(::getpid()) + ".illrec");
  record::Header h;
  h.started_unix_us = 1'800'000'000'000'000;
  record::Record open;
  open.kind = record::EventKind::kOpen;
  open.connection = 1;
  open.remote = "127.0.0.2:40000";
  open.local = "127.0.0.1:4999";
  record::Record in = open;
  in.kind = record::EventKind::kIn;
  in.offset_us = 10;
  in.peer = "IRL:BOR";
  in.bytes = testing::yaz_encode_sample(kIllRequest);
  record::Record out = in;
  out.kind = record::EventKind::kOut;
  out.offset_us = 20;
  std::ofstream(file, std::ios::binary) << record::header_line(h) << "\n"
                                        << record::record_line(open) << "\n"
                                        << record::record_line(in) << "\n"
                                        << record::record_line(out) << "\n";
  const IllctlRun r = run_illctl({"replay", file.string(), "--hub", "127.0.0.1:" + std::to_string(silent.port),
                                  "--timeout", "1"},
                                 30s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("expected ILL-Request, but nothing arrived within 1000 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 divergence"), std::string::npos) << r.out;

  // Bad usage and unreadable input: exit 2, nothing sent.
  const IllctlRun missing = run_illctl({"replay", "/nonexistent.illrec", "--hub", "127.0.0.1:1"}, 30s);
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  const IllctlRun bad_hub = run_illctl({"replay", file.string(), "--hub", "nowhere"}, 30s);
  EXPECT_EQ(bad_hub.exit_code, 2);
  EXPECT_NE(bad_hub.err.find("--hub"), std::string::npos) << bad_hub.err;
  const IllctlRun file_as_suffix =
      run_illctl({"replay", "--hub", "127.0.0.1:1", "--rewrite-ids", file.string(), file.string()}, 30s);
  EXPECT_EQ(file_as_suffix.exit_code, 2);
  EXPECT_NE(file_as_suffix.err.find("--rewrite-ids=SUFFIX"), std::string::npos) << file_as_suffix.err;
  fs::remove(file);
}

}  // namespace
}  // namespace illhub::test
