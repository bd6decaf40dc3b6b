// illd --record-dir against real peers (docs/RECORDING.md): what the file holds must be what
// went over the wire, byte for byte, in the order the hub saw it; and a kill -9 leaves a file
// that still reads, holding every APDU a peer had received.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "illhub/record/recording.hpp"
#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

namespace fs = std::filesystem;
using record::ClosedBy;
using record::EventKind;
using record::Record;

constexpr const char* kGarbageAddress = "127.0.0.4";

class RecordTest : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    std::string pattern = (fs::temp_directory_path() / "illhub-record-nettest-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    IlldFixture::TearDown();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);  // kept for a look when a test failed
  }

  void start_recording_illd() {
    IlldLaunch launch;
    launch.args = {"--record-dir", dir_.string()};
    launch.log_level = "info";
    ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();
  }

  /// The one recording in the directory.
  fs::path recording_path() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_)) files.push_back(entry.path());
    EXPECT_EQ(files.size(), 1u) << "one file per illd run";
    return files.empty() ? fs::path() : files.front();
  }

  record::Recording read() {
    auto recording = record::read_recording(recording_path());
    EXPECT_TRUE(recording) << recording.error();
    return recording ? std::move(*recording) : record::Recording{};
  }

  /// Polls the file until `done` holds for it (bounded).
  bool eventually_recorded(const std::function<bool(const record::Recording&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto recording = record::read_recording(recording_path());
      if (recording && done(*recording)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  fs::path dir_;
};

/// The connection whose open record has a remote address starting `address:`.
std::uint64_t connection_from(const record::Recording& recording, const std::string& address) {
  for (const auto& r : recording.records) {
    if (r.kind == EventKind::kOpen && r.remote.rfind(address + ":", 0) == 0) return r.connection;
  }
  ADD_FAILURE() << "no connection from " << address << " in the recording";
  return 0;
}

/// Indexes (in file order) of `connection`'s records of `kind`.
std::vector<std::size_t> find(const record::Recording& recording, std::uint64_t connection, EventKind kind) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < recording.records.size(); ++i) {
    if (recording.records[i].connection == connection && recording.records[i].kind == kind) out.push_back(i);
  }
  return out;
}

std::vector<Bytes> bytes_of(const record::Recording& recording, const std::vector<std::size_t>& indexes) {
  std::vector<Bytes> out;
  for (const auto i : indexes) out.push_back(recording.records[i].bytes);
  return out;
}

/// Every connection has one open, first, and one close, last.
void expect_opened_and_closed_once(const record::Recording& recording) {
  std::map<std::uint64_t, std::vector<EventKind>> by_connection;
  for (const auto& r : recording.records) by_connection[r.connection].push_back(r.kind);
  for (const auto& [connection, kinds] : by_connection) {
    SCOPED_TRACE("connection " + std::to_string(connection));
    ASSERT_GE(kinds.size(), 2u);
    EXPECT_EQ(kinds.front(), EventKind::kOpen);
    EXPECT_EQ(kinds.back(), EventKind::kClose);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), EventKind::kOpen), 1);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), EventKind::kClose), 1);
  }
}

TEST_F(RecordTest, RecordsEveryConnectionByteForByteInTheOrderTheHubSawIt) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  add_peer("IRL:BAD", std::string(kGarbageAddress) + "/32");
  ASSERT_NO_FATAL_FAILURE(start_recording_illd());
  TestPeer borrower, lender, garbage;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  // Request, answer, a refused Returned (nothing was shipped yet), then Shipped.
  const Bytes request = apdu(kIllRequest, "REC", "140001");
  const Bytes answer = apdu(kIllAnswer, "REC", "140002");
  const Bytes returned = apdu(kReturned, "REC", "140003");
  const Bytes shipped = apdu(kShipped, "REC", "140004");
  std::vector<Bytes> borrower_got, lender_got;
  ASSERT_TRUE(borrower.send(request));
  auto got = lender.receive();
  ASSERT_TRUE(got);
  lender_got.push_back(*got);
  ASSERT_TRUE(lender.send(answer));
  got = borrower.receive();
  ASSERT_TRUE(got);
  borrower_got.push_back(*got);
  ASSERT_TRUE(borrower.send(returned));
  const auto report = borrower.receive();
  report_dump(report);  // a Status-Or-Error-Report
  ASSERT_TRUE(report);
  borrower_got.push_back(*report);
  ASSERT_TRUE(lender.send(shipped));
  got = borrower.receive();
  ASSERT_TRUE(got);
  borrower_got.push_back(*got);

  // A stream that cannot be framed (a tag number longer than 4 octets): report, then closed.
  const Bytes bad = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
  ASSERT_TRUE(garbage.connect(illd_.port(), kGarbageAddress)) << garbage.error();
  ASSERT_TRUE(garbage.send(bad));
  const auto garbage_report = garbage.receive();
  ASSERT_TRUE(garbage_report);
  EXPECT_TRUE(garbage.wait_closed());

  // The borrower hangs up; the lender stays until illd stops (the hub closes it).
  borrower.close();
  ASSERT_TRUE(eventually_recorded([](const record::Recording& r) {
    return std::count_if(r.records.begin(), r.records.end(),
                         [](const Record& x) { return x.kind == EventKind::kClose; }) >= 2;
  })) << "the borrower's and the garbage connection's close were not recorded";
  EXPECT_EQ(illd_.stop(), 0);

  const record::Recording recording = read();
  EXPECT_FALSE(recording.warning) << *recording.warning;
  EXPECT_EQ(recording.header.version, 1);
  ASSERT_NO_FATAL_FAILURE(expect_opened_and_closed_once(recording));
  for (std::size_t i = 1; i < recording.records.size(); ++i) {
    EXPECT_LE(recording.records[i - 1].offset_us, recording.records[i].offset_us) << "record " << i;
  }
  const auto b = connection_from(recording, kBorrowerAddress);
  const auto l = connection_from(recording, kLenderAddress);
  const auto g = connection_from(recording, kGarbageAddress);
  const auto& records = recording.records;
  const Record& b_open = records[find(recording, b, EventKind::kOpen).at(0)];
  EXPECT_FALSE(b_open.dialled);
  EXPECT_FALSE(b_open.tls);
  EXPECT_EQ(b_open.local, "127.0.0.1:" + std::to_string(illd_.port()));

  // Each side's in is what it sent, and its out what it received, in order, byte for byte.
  const auto b_in = find(recording, b, EventKind::kIn);
  const auto l_in = find(recording, l, EventKind::kIn);
  const auto b_out = find(recording, b, EventKind::kOut);
  const auto l_out = find(recording, l, EventKind::kOut);
  EXPECT_EQ(bytes_of(recording, b_in), (std::vector<Bytes>{request, returned}));
  EXPECT_EQ(bytes_of(recording, l_in), (std::vector<Bytes>{answer, shipped}));
  EXPECT_EQ(bytes_of(recording, b_out), borrower_got);
  EXPECT_EQ(bytes_of(recording, l_out), lender_got);
  ASSERT_EQ(b_in.size(), 2u);
  ASSERT_EQ(l_in.size(), 2u);
  ASSERT_EQ(b_out.size(), 3u);
  ASSERT_EQ(l_out.size(), 1u);
  EXPECT_EQ(records[b_in[0]].peer, "IRL:BOR");
  EXPECT_EQ(records[l_out[0]].peer, "IRL:LEN");

  // Relayed: the out on the recipient's connection is the sender's in, and comes after it.
  EXPECT_GT(l_out[0], b_in[0]);  // request
  EXPECT_GT(b_out[0], l_in[0]);  // answer
  EXPECT_GT(b_out[2], l_in[1]);  // shipped
  // The refusal: an out on the sender's own connection after its in; nothing relayed.
  EXPECT_GT(b_out[1], b_in[1]);
  EXPECT_EQ(records[b_out[1]].bytes, *report);

  // The garbage connection: open, the refused bytes, the report, closed by the hub.
  std::vector<EventKind> g_kinds;
  for (const auto& r : records) {
    if (r.connection == g) g_kinds.push_back(r.kind);
  }
  EXPECT_EQ(g_kinds, (std::vector<EventKind>{EventKind::kOpen, EventKind::kUnframed, EventKind::kOut,
                                             EventKind::kClose}));
  const auto g_unframed = find(recording, g, EventKind::kUnframed);
  ASSERT_EQ(g_unframed.size(), 1u);
  EXPECT_EQ(records[g_unframed[0]].bytes, bad);
  EXPECT_EQ(bytes_of(recording, find(recording, g, EventKind::kOut)), std::vector<Bytes>{*garbage_report});
  const Record& g_close = records[find(recording, g, EventKind::kClose).at(0)];
  EXPECT_EQ(g_close.closed_by, ClosedBy::kHub);
  EXPECT_NE(g_close.reason.find("cannot be framed"), std::string::npos) << g_close.reason;

  // Who ended the others: the borrower hung up; the lender was closed by the hub's shutdown.
  const Record& b_close = records[find(recording, b, EventKind::kClose).at(0)];
  EXPECT_EQ(b_close.closed_by, ClosedBy::kPeer);
  EXPECT_EQ(b_close.peer, "IRL:BOR");
  const Record& l_close = records[find(recording, l, EventKind::kClose).at(0)];
  EXPECT_EQ(l_close.closed_by, ClosedBy::kHub);
  EXPECT_NE(l_close.reason.find("shutting down"), std::string::npos) << l_close.reason;
}

TEST_F(RecordTest, AfterKillDashNineTheFileReadsAndHoldsEveryApduAPeerReceived) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  ASSERT_NO_FATAL_FAILURE(start_recording_illd());
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  // Requests back to back; illd is killed while most are still being applied and relayed.
  constexpr int kRequests = 40;
  std::vector<Bytes> sent;
  for (int i = 0; i < kRequests; ++i) {
    sent.push_back(apdu(kIllRequest, "KILL" + std::to_string(i), "150001"));
    ASSERT_TRUE(borrower.send(sent.back()));
  }
  std::vector<Bytes> received;
  for (int i = 0; i < 3; ++i) {
    auto got = lender.receive();
    ASSERT_TRUE(got) << "request " << i << " was not relayed";
    received.push_back(*got);
  }
  illd_.kill_hard();
  // Whatever was already on its way to the lender (bounded: at most kRequests frames).
  for (int i = 0; i < kRequests; ++i) {
    auto got = lender.receive(300ms);
    if (!got) break;
    received.push_back(*got);
  }

  const record::Recording recording = read();  // parses: at most a torn last line
  if (recording.warning) std::cout << "torn last line: " << *recording.warning << std::endl;
  std::cout << "killed after " << received.size() << " of " << kRequests << " relayed; " << recording.records.size()
            << " records" << std::endl;
  const auto l = connection_from(recording, kLenderAddress);
  const auto b = connection_from(recording, kBorrowerAddress);
  const std::vector<Bytes> recorded_out = bytes_of(recording, find(recording, l, EventKind::kOut));
  // Every APDU the lender received was recorded as an out on its connection, in order: the
  // record is written before the bytes are.
  ASSERT_LE(received.size(), recorded_out.size());
  EXPECT_TRUE(std::equal(received.begin(), received.end(), recorded_out.begin()));
  // And every in recorded is one the borrower sent, in order.
  const std::vector<Bytes> recorded_in = bytes_of(recording, find(recording, b, EventKind::kIn));
  ASSERT_LE(recorded_in.size(), sent.size());
  EXPECT_TRUE(std::equal(recorded_in.begin(), recorded_in.end(), sent.begin()));
  EXPECT_GE(recorded_in.size(), received.size());
}

}  // namespace
}  // namespace illhub::test
