// SIGHUP reloads: which changes a running illd takes, which wait for a restart, and that a bad
// file leaves the running configuration alone.
#include "illd/config_reload.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "illd/config_keys.hpp"

namespace illhub::illd {
namespace {

using std::chrono::milliseconds;

/// A non-default value for every live key. The test below fails when a key is marked live
/// without being listed here, so apply_live_keys can never silently skip one.
const std::vector<FlagSetting> kLiveChanges = {
    {"log.level", "debug", "--set"},
    {"limits.max_connections", "7", "--set"},
    {"limits.max_connections_per_peer", "2", "--set"},
    {"limits.idle_timeout", "1min", "--set"},
    {"limits.apdu_timeout", "5s", "--set"},
    {"limits.write_timeout", "6s", "--set"},
    {"limits.max_queued_frames", "3", "--set"},
    {"limits.max_apdu_bytes", "8KiB", "--set"},
    {"limits.max_depth", "9", "--set"},
    {"limits.max_decoder_stack", "2MiB", "--set"},
    {"tls.certificate", "/etc/illhub/hub-2.pem", "--set"},
    {"tls.private_key", "/etc/illhub/hub-2.key", "--set"},
    {"tls.client_ca", "/etc/illhub/members-2.pem", "--set"},
};

TEST(ConfigReload, EveryLiveKeyIsCopiedByApplyLiveKeys) {
  std::set<std::string> live, listed;
  for (const auto& key : config_keys()) {
    if (key.live) live.insert(key.dotted());
  }
  for (const auto& change : kLiveChanges) listed.insert(change.key);
  ASSERT_EQ(live, listed) << "a live key without a test value, or a listed key that is not live";

  auto loaded = load_config({{}, {}, kLiveChanges});
  ASSERT_TRUE(loaded) << loaded.error().describe();
  IlldConfig running;
  EXPECT_EQ(config_changes(running, *loaded).size(), kLiveChanges.size());
  apply_live_keys(running, *loaded);
  EXPECT_TRUE(config_changes(running, *loaded).empty());
  EXPECT_EQ(running.origin.at("limits.idle_timeout"), "flag --set");
}

TEST(ConfigReload, RestartKeysAreReportedAndNotApplied) {
  auto loaded = load_config({{},
                             {},
                             {{"listen.address", "0.0.0.0:499", "--listen"},
                              {"database.uri", "postgresql://u:s3cret@db/illhub", "--db"},
                              {"limits.idle_timeout", "1min", "--set"}}});
  ASSERT_TRUE(loaded) << loaded.error().describe();
  IlldConfig running;
  const auto changes = config_changes(running, *loaded);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].key, "listen.address");
  EXPECT_FALSE(changes[0].live);
  EXPECT_EQ(changes[0].before, "\"127.0.0.1:4990\"");
  EXPECT_EQ(changes[0].after, "\"0.0.0.0:499\"");
  EXPECT_EQ(changes[1].key, "database.uri");
  EXPECT_EQ(changes[1].after, "\"postgresql://u:***@db/illhub\"") << "passwords stay out of logs";
  EXPECT_EQ(changes[2].key, "limits.idle_timeout");
  EXPECT_TRUE(changes[2].live);
  apply_live_keys(running, *loaded);
  EXPECT_EQ(running.server.listen_port, 4990);
  EXPECT_EQ(running.database_uri, "");
  EXPECT_EQ(running.server.limits.idle_timeout, milliseconds(60'000));
  EXPECT_EQ(config_changes(running, *loaded).size(), 2u) << "a later reload still reports them";
}

class ReloadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("illd-reload-test-" + std::to_string(::getpid()) + ".toml")).string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }

  std::string path_;
};

TEST_F(ReloadFile, AppliesLevelAndLimitsThroughTheHooks) {
  write("[log]\nlevel = \"info\"\n[listen]\naddress = \"127.0.0.1:4990\"\n");
  const ConfigSources sources{path_, {}, {}};
  auto running = load_config(sources);
  ASSERT_TRUE(running) << running.error().describe();

  std::vector<std::string> levels;
  std::vector<net::SessionLimits> limits;
  const ReloadHooks hooks{[&](const std::string& level) { levels.push_back(level); },
                          [&](const net::SessionLimits& l) { limits.push_back(l); },
                          {}};
  write("[log]\nlevel = \"debug\"\n[listen]\naddress = \"127.0.0.1:5000\"\n[limits]\nmax_connections = 3\n");
  ASSERT_TRUE(reload_config(sources, *running, hooks));
  ASSERT_EQ(levels, std::vector<std::string>{"debug"});
  ASSERT_EQ(limits.size(), 1u);
  EXPECT_EQ(limits[0].max_connections, 3u);
  EXPECT_EQ(running->log_level, "debug");
  EXPECT_EQ(running->server.listen_port, 4990) << "the listen address needs a restart";

  // Nothing changed in [limits]: the limits hook is not called again.
  ASSERT_TRUE(reload_config(sources, *running, hooks));
  EXPECT_EQ(limits.size(), 1u);
}

TEST_F(ReloadFile, ABadFileKeepsTheRunningConfiguration) {
  write("[limits]\nmax_connections = 5\n");
  const ConfigSources sources{path_, {}, {}};
  auto running = load_config(sources);
  ASSERT_TRUE(running);
  bool called = false;
  const ReloadHooks hooks{[&](const std::string&) { called = true; }, [&](const net::SessionLimits&) { called = true; },
                          [&](const net::TlsOptions&) -> std::optional<std::string> {
                            called = true;
                            return std::nullopt;
                          }};
  write("[limits]\nmax_connections = 0\nmax_conections = 6\n");
  EXPECT_FALSE(reload_config(sources, *running, hooks));
  EXPECT_FALSE(called);
  EXPECT_EQ(running->server.limits.max_connections, 5u);
}

TEST_F(ReloadFile, FlagsStillWinAfterAReload) {
  write("[log]\nlevel = \"warn\"\n");
  const ConfigSources sources{path_, {}, {{"log.level", "error", "--log-level"}}};
  auto running = load_config(sources);
  ASSERT_TRUE(running);
  write("[log]\nlevel = \"trace\"\n");
  ASSERT_TRUE(reload_config(sources, *running, {}));
  EXPECT_EQ(running->log_level, "error");
}

TEST_F(ReloadFile, ReadsTheTlsFilesAgainOnEveryReloadWhileTlsIsOn) {
  // The files only need to be readable here; what they hold is the TLS context's business.
  const std::string pem = path_ + ".pem";
  std::ofstream(pem) << "pem";
  const std::string tls = "[tls]\nlisten = \"127.0.0.1:0\"\ncertificate = \"" + pem + "\"\nprivate_key = \"" + pem +
                          "\"\nclient_ca = \"" + pem + "\"\n";
  write(tls);
  const ConfigSources sources{path_, {}, {}};
  auto running = load_config(sources);
  ASSERT_TRUE(running) << running.error().describe();
  std::vector<std::string> read;
  std::optional<std::string> answer;
  const ReloadHooks hooks{{}, {}, [&](const net::TlsOptions& t) {
                            read.push_back(t.certificate);
                            return answer;
                          }};
  ASSERT_TRUE(reload_config(sources, *running, hooks));
  EXPECT_EQ(read, std::vector<std::string>{pem}) << "read again although no key changed: the files may have";
  answer = "tls.private_key: bad";  // a failed read is logged; the reload itself succeeded
  EXPECT_TRUE(reload_config(sources, *running, hooks));
  EXPECT_EQ(read.size(), 2u);

  write("[tls]\ncertificate = \"" + pem + "\"\n");  // tls.listen off in the file: a restart
  ASSERT_TRUE(reload_config(sources, *running, hooks));
  EXPECT_EQ(read.size(), 3u) << "the running illd still listens for TLS";
  std::filesystem::remove(pem);
}

}  // namespace
}  // namespace illhub::illd
