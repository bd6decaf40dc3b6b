// The Recorder's file: created new every time, appended to, readable by read_recording.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "illhub/record/recording.hpp"

namespace illhub::record {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "illhub-record-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<Recorder> make_recorder(const fs::path& dir) {
  auto recorder = Recorder::create(dir, "host/1", "127.0.0.1:4999");
  if (!recorder) ADD_FAILURE() << recorder.error();
  return recorder ? std::move(*recorder) : nullptr;
}

TEST(Recorder, WritesEveryEventReadableBack) {
  TempDir dir;
  auto recorder = make_recorder(dir.path() / "sub" / "dir");  // missing directories are created
  ASSERT_TRUE(recorder);
  const std::vector<std::uint8_t> apdu = {0xA1, 0x02, 0x05, 0x00};
  recorder->open(1, false, false, "127.0.0.1:50000", "127.0.0.1:4999", "");
  recorder->apdu(1, EventKind::kIn, "", apdu);
  recorder->apdu(1, EventKind::kOut, "LIB-A", apdu);
  recorder->unframed(1, "LIB-A", {0xFF, 0xFF});
  recorder->close(1, "LIB-A", ClosedBy::kHub, "framing error");

  const auto recording = read_recording(recorder->path());
  ASSERT_TRUE(recording) << recording.error();
  EXPECT_FALSE(recording->warning);
  EXPECT_EQ(recording->header.node, "host/1");
  EXPECT_EQ(recording->header.listen, "127.0.0.1:4999");
  EXPECT_GT(recording->header.started_unix_us, 1'600'000'000'000'000);
  ASSERT_EQ(recording->records.size(), 5u);
  const auto& r = recording->records;
  EXPECT_EQ(r[0].kind, EventKind::kOpen);
  EXPECT_EQ(r[0].remote, "127.0.0.1:50000");
  EXPECT_FALSE(r[0].dialled);
  EXPECT_EQ(r[1].kind, EventKind::kIn);
  EXPECT_EQ(r[1].bytes, apdu);
  EXPECT_EQ(r[2].kind, EventKind::kOut);
  EXPECT_EQ(r[2].peer, "LIB-A");
  EXPECT_EQ(r[3].kind, EventKind::kUnframed);
  EXPECT_EQ(r[3].bytes, (std::vector<std::uint8_t>{0xFF, 0xFF}));
  EXPECT_EQ(r[4].kind, EventKind::kClose);
  EXPECT_EQ(r[4].closed_by, ClosedBy::kHub);
  EXPECT_EQ(r[4].reason, "framing error");
}

TEST(Recorder, NamesTheFileAfterTheTimeAndTheProcess) {
  TempDir dir;
  auto recorder = make_recorder(dir.path());
  ASSERT_TRUE(recorder);
  const std::string name = recorder->path().filename().string();
  // illd-YYYYMMDDTHHMMSSZ-<pid>.illrec
  EXPECT_EQ(name.rfind("illd-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("illd-20260101T000000Z-.illrec").size() + std::to_string(::getpid()).size())
      << name;
  EXPECT_EQ(name.substr(name.size() - 7), ".illrec") << name;
  EXPECT_NE(name.find("Z-" + std::to_string(::getpid()) + ".illrec"), std::string::npos) << name;
}

TEST(Recorder, CreatesANewFileEveryTimeAndNeverReusesOne) {
  TempDir dir;
  std::vector<std::unique_ptr<Recorder>> recorders;
  for (int i = 0; i < 3; ++i) {  // all within the same second: the names must still differ
    recorders.push_back(make_recorder(dir.path()));
    ASSERT_TRUE(recorders.back());
    recorders.back()->close(static_cast<std::uint64_t>(i), "", ClosedBy::kPeer, "bye");
  }
  EXPECT_NE(recorders[0]->path(), recorders[1]->path());
  EXPECT_NE(recorders[1]->path(), recorders[2]->path());
  EXPECT_NE(recorders[0]->path(), recorders[2]->path());
  for (int i = 0; i < 3; ++i) {
    const auto recording = read_recording(recorders[static_cast<std::size_t>(i)]->path());
    ASSERT_TRUE(recording) << recording.error();
    ASSERT_EQ(recording->records.size(), 1u);  // each file holds only its own recorder's record
    EXPECT_EQ(recording->records[0].connection, static_cast<std::uint64_t>(i));
  }
}

TEST(Recorder, OffsetsNeverDecreaseEvenWithSeveralThreads) {
  TempDir dir;
  auto recorder = make_recorder(dir.path());
  ASSERT_TRUE(recorder);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&recorder, t] {
      const std::vector<std::uint8_t> bytes(100, static_cast<std::uint8_t>(t));
      for (int i = 0; i < kPerThread; ++i) recorder->apdu(static_cast<std::uint64_t>(t), EventKind::kIn, "", bytes);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto recording = read_recording(recorder->path());
  ASSERT_TRUE(recording) << recording.error();
  ASSERT_EQ(recording->records.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 1; i < recording->records.size(); ++i) {
    ASSERT_LE(recording->records[i - 1].offset_us, recording->records[i].offset_us) << "line " << i + 2;
  }
  for (const auto& record : recording->records) {  // no line interleaved with another
    EXPECT_EQ(record.bytes, std::vector<std::uint8_t>(100, static_cast<std::uint8_t>(record.connection)));
  }
}

TEST(Recorder, ReportsADirectoryItCannotCreate) {
  TempDir dir;
  const fs::path file = dir.path() / "a-file";
  std::ofstream(file) << "x";
  const auto recorder = Recorder::create(file / "recordings", "host/1", "");
  ASSERT_FALSE(recorder);
  EXPECT_NE(recorder.error().find("cannot create recording directory"), std::string::npos) << recorder.error();
  EXPECT_NE(recorder.error().find((file / "recordings").string()), std::string::npos) << recorder.error();
}

TEST(Recorder, ReadsAFileCutByACrashUpToTheTear) {
  TempDir dir;
  fs::path path;
  {
    auto recorder = make_recorder(dir.path());
    ASSERT_TRUE(recorder);
    recorder->apdu(1, EventKind::kIn, "", {1, 2, 3});
    recorder->apdu(1, EventKind::kOut, "", {4, 5, 6});
    path = recorder->path();
  }
  fs::resize_file(path, fs::file_size(path) - 9);  // into the last line's base64
  const auto recording = read_recording(path);
  ASSERT_TRUE(recording) << recording.error();
  EXPECT_EQ(recording->records.size(), 1u);
  ASSERT_TRUE(recording->warning);
  EXPECT_NE(recording->warning->find("line 3"), std::string::npos) << *recording->warning;
}

TEST(Recorder, ReadingAMissingFileSaysWhichFile) {
  const auto recording = read_recording("/nonexistent/illhub.illrec");
  ASSERT_FALSE(recording);
  EXPECT_NE(recording.error().find("/nonexistent/illhub.illrec"), std::string::npos) << recording.error();
}

}  // namespace
}  // namespace illhub::record
