// The sessions set in CI (`ctest -L sessions`, tests/sessions/README.md): each test starts a
// fresh hub the way tools/record-sessions does (a new database, tests/sessions/peers.sh,
// illd with tests/sessions/illd.toml) and
//  - replays every recording with `illctl replay`: the hub must send back what it sent when
//    the recordings were made (the regression test for the wire behaviour);
//  - replays one recording against a hub whose behaviour was changed on purpose: the replay
//    must fail and point at the change;
//  - plays the scenarios live with session_driver, so that the set can still be recorded
//    again (its checks hold on this version).
// One ctest for the whole binary: one PostgreSQL cluster, and the tests never overlap (they
// use the same loopback addresses and the dial scenario's fixed port).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "illhub/record/recording.hpp"
#include "net/illd_process.hpp"
#include "pg/illctl_runner.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::sessions {
namespace {

using namespace std::chrono_literals;
using test::IllctlRun;
using test::run_program;
namespace fs = std::filesystem;

const fs::path kSessionsDir = fs::path(ILLHUB_SOURCE_DIR) / "tests" / "sessions";

/// The recordings, in play order (their names start with the scenario's number).
std::vector<std::string> recordings() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kSessionsDir))
    if (entry.path().extension() == ".illrec") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// The scenario names, in order, as session_driver lists them.
std::vector<std::string> scenario_names() {
  const IllctlRun list = run_program({ILLHUB_SESSION_DRIVER_PATH, "--list"}, 30s);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> names;
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);) names.push_back(line.substr(0, line.find('\t')));
  return names;
}

class SessionsSet : public ::testing::Test {
 protected:
  /// A hub as tools/record-sessions starts one, plus `more` illd arguments.
  void start_hub(std::vector<std::string> more = {}) {
    conninfo_ = test::fresh_database();
    const IllctlRun peers = run_program({"/bin/bash", (kSessionsDir / "peers.sh").string(), ILLHUB_ILLCTL_PATH, conninfo_}, 60s);
    ASSERT_EQ(peers.exit_code, 0) << "peers.sh: " << peers.err;
    test::IlldLaunch launch;
    launch.args = {"--config", (kSessionsDir / "illd.toml").string()};
    launch.args.insert(launch.args.end(), more.begin(), more.end());
    launch.log_level = "info";
    ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();
  }

  /// `illctl replay FILES... --hub ...` and `more` options.
  IllctlRun replay(const std::vector<std::string>& files, const std::vector<std::string>& more = {}) {
    std::vector<std::string> argv = {ILLHUB_ILLCTL_PATH, "replay"};
    argv.insert(argv.end(), files.begin(), files.end());
    argv.push_back("--hub");
    argv.push_back("127.0.0.1:" + std::to_string(illd_.port()));
    argv.insert(argv.end(), more.begin(), more.end());
    return run_program(argv, 120s);
  }

  void TearDown() override {
    if (HasFailure() && illd_.pid() > 0) std::cerr << "--- illd log ---\n" << illd_.log();
    if (illd_.pid() > 0) {
      EXPECT_EQ(illd_.stop(), 0) << illd_.log();
    }
    if (!HasFailure()) illd_.remove_log();
  }

  std::string conninfo_;
  test::IlldProcess illd_;
};

TEST_F(SessionsSet, EveryScenarioHasItsRecordingAndEveryRecordingAScenario) {
  const auto names = scenario_names();
  const auto files = recordings();
  ASSERT_FALSE(names.empty());
  ASSERT_EQ(files.size(), names.size()) << "run tools/record-sessions after adding or removing a scenario";
  for (std::size_t i = 0; i < names.size(); ++i) {
    char expected[128];
    std::snprintf(expected, sizeof expected, "%02zu-%s.illrec", i + 1, names[i].c_str());
    EXPECT_EQ(fs::path(files[i]).filename().string(), expected);
  }
  // Each is whole (no torn last line) and holds the scenario's traffic.
  for (const auto& file : files) {
    auto recording = record::read_recording(file);
    ASSERT_TRUE(recording) << recording.error();
    EXPECT_FALSE(recording->warning) << file << ": " << recording->warning.value_or("");
    EXPECT_TRUE(std::any_of(recording->records.begin(), recording->records.end(),
                            [](const record::Record& r) { return r.kind == record::EventKind::kIn; }))
        << file << " has no APDU from a peer";
  }
}

TEST_F(SessionsSet, TheRecordingsReplayAgainstAFreshHubWithoutADivergence) {
  start_hub();
  const IllctlRun run = replay(recordings());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find(" 0 divergences"), std::string::npos) << run.out;
  // For the CI log: the replay's summary line and its time.
  const auto summary = run.out.rfind("replay: ");
  if (summary != std::string::npos) std::cout << run.out.substr(summary);
  std::cout << "replay of " << recordings().size() << " recordings took " << run.took.count() << " ms\n";
}

TEST_F(SessionsSet, AHubThatTakesLargerApdusMakesTheOversizeRecordingDivergeThere) {
  // The recording shows the oversize ILL-Request refused and its connection closed; this hub
  // takes it and relays it. The replay must fail and name what differs.
  start_hub({"--set", "limits.max_apdu_bytes=64KiB"});
  const auto files = recordings();
  const auto oversize = std::find_if(files.begin(), files.end(),
                                     [](const std::string& f) { return f.ends_with("-oversize.illrec"); });
  ASSERT_NE(oversize, files.end());
  // What the recording expects and this hub never sends costs one --timeout each.
  const IllctlRun run = replay({*oversize}, {"--timeout", "2"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  // The first divergence is the report the recording has and this hub no longer sends, named
  // by its file and line.
  const auto first = run.out.find("DIVERGENCE ");
  ASSERT_NE(first, std::string::npos) << run.out << run.err;
  const std::string line = run.out.substr(first, run.out.find('\n', first) - first);
  EXPECT_NE(line.find("11-oversize.illrec:"), std::string::npos) << line;
  EXPECT_NE(line.find("expected Status-Or-Error-Report"), std::string::npos) << line;
  // And the oversize request it let through reached the lender.
  EXPECT_NE(run.out.find("\"S-HUGE\""), std::string::npos) << run.out;
}

TEST_F(SessionsSet, TheDriverPlaysEveryScenarioLiveAgainstAFreshHub) {
  start_hub();
  const IllctlRun run = run_program({ILLHUB_SESSION_DRIVER_PATH, "--port", std::to_string(illd_.port()),
                                      "--metrics-port", std::to_string(illd_.metrics_port()), "--db", conninfo_},
                                     120s);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const auto& name : scenario_names()) EXPECT_NE(run.out.find("ok   " + name + " "), std::string::npos) << run.out;
  std::cout << "the driver took " << run.took.count() << " ms\n";
}

}  // namespace
}  // namespace illhub::sessions
