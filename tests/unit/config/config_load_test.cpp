// load_config and render_config: precedence of defaults, file, environment and flags; one test
// per error message; redaction; and the example file in docs/, which must equal the defaults.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "illd/config.hpp"
#include "illd/config_keys.hpp"

namespace illhub::illd {
namespace {

using std::chrono::milliseconds;

/// A TOML file in a temporary directory, removed with the test.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("illd-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "illd.toml") {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  /// Loads and expects failure; all messages, one per line.
  std::string errors(const ConfigSources& sources) {
    auto r = load_config(sources);
    EXPECT_FALSE(r) << "loaded, but an error was expected";
    return r ? std::string() : r.error().describe();
  }
  std::string file_errors(const std::string& text) { return errors({write(text), {}, {}}); }

  std::filesystem::path dir_;
};

/// Every key's value as TOML (origins aside): two configurations are the same when these are.
std::map<std::string, std::string> values(const IlldConfig& config) {
  std::map<std::string, std::string> out;
  for (const auto& key : config_keys()) out[key.dotted()] = key.render(config);
  return out;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "in:\n" << (haystack)

TEST_F(ConfigTest, NothingGivenMeansTheBuiltInDefaults) {
  auto r = load_config({});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(values(*r), values(IlldConfig{}));
  EXPECT_TRUE(r->origin.empty());
  EXPECT_EQ(r->server.listen_port, 4990);
  EXPECT_EQ(r->server.metrics_listen, "127.0.0.1:4991");
}

TEST_F(ConfigTest, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  const auto file = write(
      "[listen]\n"
      "address = \"0.0.0.0:499\"\n"
      "[limits]\n"
      "idle_timeout = \"2min\"\n"
      "max_queued_frames = 8\n"
      "[log]\n"
      "level = \"warn\"\n");
  ConfigSources sources{file,
                        {{"ILLHUB_LIMITS_IDLE_TIMEOUT", "90s"}, {"ILLHUB_LOG_LEVEL", "error"}},
                        {{"log.level", "debug", "--log-level"}}};
  auto r = load_config(sources);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->server.listen_host, "0.0.0.0");                   // file
  EXPECT_EQ(r->server.listen_port, 499);                         // file
  EXPECT_EQ(r->server.limits.max_queued_frames, 8u);             // file
  EXPECT_EQ(r->server.limits.idle_timeout, milliseconds(90'000));  // environment over file
  EXPECT_EQ(r->log_level, "debug");                              // flag over environment and file
  EXPECT_EQ(r->server.limits.apdu_timeout, milliseconds(30'000));  // default
  EXPECT_EQ(r->origin.at("listen.address"), "file " + file + ":2");
  EXPECT_EQ(r->origin.at("limits.idle_timeout"), "env ILLHUB_LIMITS_IDLE_TIMEOUT");
  EXPECT_EQ(r->origin.at("log.level"), "flag --log-level");
  EXPECT_EQ(r->origin.count("limits.apdu_timeout"), 0u);
}

TEST_F(ConfigTest, EveryKindOfValueIsReadFromText) {
  // Environment variables and --set give text; numbers, sizes and factors are read from it.
  ConfigSources sources{{},
                        {{"ILLHUB_LIMITS_MAX_CONNECTIONS", "7"},
                         {"ILLHUB_LIMITS_MAX_APDU_BYTES", "64KiB"},
                         {"ILLHUB_DELIVERY_BACKOFF_FACTOR", "1.5"},
                         {"ILLHUB_METRICS_LISTEN", ""}},
                        {{"database.threads", "2", "--set"}, {"limits.max_decoder_stack", "131072", "--set"}}};
  auto r = load_config(sources);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->server.limits.max_connections, 7u);
  EXPECT_EQ(r->server.limits.codec.max_apdu_bytes, 64u * 1024);
  EXPECT_DOUBLE_EQ(r->server.delivery.backoff_factor, 1.5);
  EXPECT_EQ(r->server.metrics_listen, "");  // off
  EXPECT_EQ(r->database_threads, 2u);
  EXPECT_EQ(r->server.limits.codec.max_decoder_stack, 128u * 1024);
}

TEST_F(ConfigTest, TomlIntegersAreByteCountsForSizes) {
  auto r = load_config({write("[limits]\nmax_apdu_bytes = 65536\nmax_depth = 20\n[delivery]\nbackoff_factor = 3\n"), {}, {}});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->server.limits.codec.max_apdu_bytes, 65536u);
  EXPECT_EQ(r->server.limits.codec.max_depth, 20);
  EXPECT_DOUBLE_EQ(r->server.delivery.backoff_factor, 3.0);
}

TEST_F(ConfigTest, IllhubDbIsTheDatabaseUriAndTheSchemeNameWins) {
  auto r = load_config({{}, {{"ILLHUB_DB", "host=a"}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->database_uri, "host=a");
  EXPECT_EQ(r->origin.at("database.uri"), "env ILLHUB_DB");
  // Order in the environment does not matter: the ILLHUB_DATABASE_URI name is read last.
  r = load_config({{}, {{"ILLHUB_DATABASE_URI", "host=b"}, {"ILLHUB_DB", "host=a"}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->database_uri, "host=b");
  r = load_config({{}, {{"ILLHUB_DATA_DIR", "/srv/illhub"}}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data_dir, "/srv/illhub");
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineAndTheKeysOfItsSection) {
  const auto e = file_errors("[limits]\nmax_connections = 10\nidle_timout = \"5s\"\n");
  EXPECT_HAS(e, dir_.string() + "/illd.toml:3: unknown key 'idle_timout' in [limits]; the keys in [limits] are: "
                "max_connections, max_connections_per_peer, idle_timeout, apdu_timeout, write_timeout, max_queued_frames, "
                "max_apdu_bytes, max_depth, max_decoder_stack");
}

TEST_F(ConfigTest, UnknownSectionIsNamedWithTheSectionsThatExist) {
  const auto e = file_errors("[log]\nlevel = \"info\"\n\n[limit]\nmax_connections = 3\n");
  EXPECT_HAS(e, "illd.toml:4: unknown section [limit]; the sections are [listen], [database], [limits], "
                "[delivery], [timers], [log], [metrics], [tls], [hub], [routing], [record]");
  EXPECT_EQ(e.find("max_connections"), std::string::npos) << "one message for the section, none per key";
}

TEST_F(ConfigTest, KeysOutsideASectionAreRefused) {
  EXPECT_HAS(file_errors("address = \"127.0.0.1:1\"\n"), "illd.toml:1: 'address' is outside any section");
}

TEST_F(ConfigTest, NestedTablesAreUnknownKeys) {
  EXPECT_HAS(file_errors("[limits.codec]\nmax_depth = 3\n"), "unknown key 'codec' in [limits]");
}

TEST_F(ConfigTest, WrongTypesSayWhatWasExpectedAndWhatCame) {
  const auto e = file_errors(
      "[limits]\n"
      "idle_timeout = 30\n"
      "max_connections = \"many\"\n"
      "max_apdu_bytes = true\n"
      "[log]\n"
      "level = 3\n"
      "[tls]\n"
      "certificate = [\"a\"]\n");
  EXPECT_HAS(e, "illd.toml:2: limits.idle_timeout: expected a duration in quotes such as \"30s\", got 30 (an integer)");
  EXPECT_HAS(e, "illd.toml:3: limits.max_connections: expected a whole number, got \"many\"");
  EXPECT_HAS(e, "illd.toml:4: limits.max_apdu_bytes: expected a size such as \"256KiB\" or a byte count, got true (a boolean)");
  EXPECT_HAS(e, "illd.toml:6: log.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", "
                "\"critical\", \"off\", got 3 (an integer)");
  EXPECT_HAS(e, "illd.toml:8: tls.certificate: expected a single value, got an array");
}

TEST_F(ConfigTest, NumbersInQuotesInTheFileAreStillStrings) {
  // TOML has types: "10" in a file is a string. (From the environment, text is all there is.)
  EXPECT_HAS(file_errors("[limits]\nmax_connections = \"10\"\n"), "expected a whole number, got \"10\"");
}

TEST_F(ConfigTest, NegativeAndZeroDurationsAreRefused) {
  const auto e = file_errors("[limits]\napdu_timeout = \"-5s\"\nwrite_timeout = \"0s\"\n");
  EXPECT_HAS(e, "illd.toml:2: limits.apdu_timeout: \"-5s\" is negative");
  EXPECT_HAS(e, "illd.toml:3: limits.write_timeout: \"0s\" is zero");
}

TEST_F(ConfigTest, OutOfRangeNumbersGiveTheRange) {
  const auto e = file_errors("[limits]\nmax_connections = 0\nmax_apdu_bytes = \"128MiB\"\nmax_depth = -1\n"
                             "[delivery]\nbackoff_factor = 0.5\n[database]\nthreads = 65\n");
  EXPECT_HAS(e, "limits.max_connections: 0 is out of range (1 to 1000000)");
  EXPECT_HAS(e, "limits.max_apdu_bytes: 128MiB is out of range (1KiB to 64MiB)");
  EXPECT_HAS(e, "limits.max_depth: -1 is out of range (4 to 1000)");
  EXPECT_HAS(e, "delivery.backoff_factor: 0.5 is out of range (1.0 to 100.0)");
  EXPECT_HAS(e, "database.threads: 65 is out of range (1 to 64)");
}

TEST_F(ConfigTest, EnvironmentErrorsNameTheVariable) {
  const auto e = errors({{}, {{"ILLHUB_LISTEN_ADDRESS", "127.0.0.1:70000"}, {"ILLHUB_LIMITS_MAX_DEPTH", "deep"}}, {}});
  EXPECT_HAS(e, "environment ILLHUB_LISTEN_ADDRESS: listen.address: \"127.0.0.1:70000\": port 70000 is out of range (0-65535)");
  EXPECT_HAS(e, "environment ILLHUB_LIMITS_MAX_DEPTH: limits.max_depth: expected a whole number, got \"deep\"");
}

TEST_F(ConfigTest, UnknownVariableOfAKnownSectionIsRefused) {
  const auto e = errors({{}, {{"ILLHUB_LIMITS_IDLE", "5s"}}, {}});
  EXPECT_HAS(e, "environment ILLHUB_LIMITS_IDLE: unknown variable; the variables for [limits] are: "
                "ILLHUB_LIMITS_MAX_CONNECTIONS, ILLHUB_LIMITS_MAX_CONNECTIONS_PER_PEER, ILLHUB_LIMITS_IDLE_TIMEOUT");
}

TEST_F(ConfigTest, OtherIllhubVariablesAreNotConfiguration) {
  auto r = load_config({{}, {{"ILLHUB_SOMETHING_ELSE", "x"}}, {}});
  EXPECT_TRUE(r) << r.error().describe();
}

TEST_F(ConfigTest, FlagErrorsNameTheFlag) {
  const auto e = errors({{}, {},
                         {{"listen.address", "nowhere", "--listen"},
                          {"limits.idle_timeout", "5", "--set"},
                          {"limits.idle", "5s", "--set"},
                          {"nope.x", "1", "--set"},
                          {"", "limits.idle_timeout", "--set"}}});
  EXPECT_HAS(e, "flag --listen: listen.address: \"nowhere\" is not HOST:PORT");
  EXPECT_HAS(e, "flag --set limits.idle_timeout=5: limits.idle_timeout: \"5\" has no unit");
  EXPECT_HAS(e, "flag --set limits.idle=5s: unknown key 'limits.idle'; the keys in [limits] are: max_connections");
  EXPECT_HAS(e, "flag --set nope.x=1: unknown key 'nope.x'; the sections are [listen]");
  EXPECT_HAS(e, "flag --set 'limits.idle_timeout': write --set SECTION.KEY=VALUE");
}

TEST_F(ConfigTest, EveryErrorIsReportedNotJustTheFirst) {
  auto r = load_config({write("[limits]\nmax_depth = 1\nmax_connections = 0\n"), {{"ILLHUB_LOG_LEVEL", "loud"}}, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().messages.size(), 3u) << r.error().describe();
}

TEST_F(ConfigTest, FileErrorsComeInFileOrder) {
  auto r = load_config({write("[tls]\nlisten = 1\n[delivery]\nlease = 1\n[limits]\nmax_depth = 1\n"), {}, {}});
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().messages.size(), 3u);
  EXPECT_HAS(r.error().messages[0], "illd.toml:2:");
  EXPECT_HAS(r.error().messages[1], "illd.toml:4:");
  EXPECT_HAS(r.error().messages[2], "illd.toml:6:");
}

TEST_F(ConfigTest, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_HAS(file_errors("[limits]\nmax_depth = = 3\n"), "illd.toml:2:");
  EXPECT_HAS(file_errors("[limits]\nmax_depth = = 3\n"), "not valid TOML");
}

TEST_F(ConfigTest, AMissingFileIsAnError) {
  EXPECT_HAS(errors({(dir_ / "absent.toml").string(), {}, {}}),
             "cannot read the configuration file " + (dir_ / "absent.toml").string() + ": No such file or directory");
}

TEST_F(ConfigTest, BackoffMayNotStartAboveItsCap) {
  const auto e = errors({write("[delivery]\nbackoff_cap = \"2s\"\n"), {{"ILLHUB_DELIVERY_BACKOFF_INITIAL", "5s"}}, {}});
  EXPECT_HAS(e, "delivery.backoff_initial (env ILLHUB_DELIVERY_BACKOFF_INITIAL) is longer than delivery.backoff_cap (file ");
}

TEST_F(ConfigTest, TlsKeysAreAcceptedWhileTlsListenIsEmpty) {
  auto r = load_config({write("[tls]\ncertificate = \"/nonexistent/hub.pem\"\nprivate_key = \"/nonexistent/hub.key\"\n"), {}, {}});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->tls.certificate, "/nonexistent/hub.pem");
}

TEST_F(ConfigTest, TlsListenIsAcceptedWithReadableFiles) {
  const auto cert = write("pem", "hub.pem");
  const auto key = write("pem", "hub.key");
  const auto ca = write("pem", "members.pem");
  auto r = load_config({write("[tls]\nlisten = \"0.0.0.0:4443\"\ncertificate = \"" + cert + "\"\nprivate_key = \"" +
                              key + "\"\nclient_ca = \"" + ca + "\"\n"),
                        {}, {}});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->tls.listen, "0.0.0.0:4443");
  EXPECT_EQ(r->tls.client_ca, ca);
}

TEST_F(ConfigTest, TlsListenChecksTheFilesItNeeds) {
  const auto e = errors({{}, {{"ILLHUB_TLS_LISTEN", "0.0.0.0:4443"}, {"ILLHUB_TLS_CERTIFICATE", (dir_ / "no.pem").string()}}, {}});
  EXPECT_HAS(e, "tls.certificate = \"" + (dir_ / "no.pem").string() +
                    "\" (env ILLHUB_TLS_CERTIFICATE): cannot read it: No such file or directory");
  EXPECT_HAS(e, "tls.private_key (default): needed when tls.listen is set");
  EXPECT_HAS(e, "tls.client_ca (default): needed when tls.listen is set");
}

TEST_F(ConfigTest, RenderShowsEveryKeyWithItsOriginAndHidesThePassword) {
  const auto file = write("[limits]\nmax_depth = 20\n");
  auto r = load_config({file, {{"ILLHUB_DB", "postgresql://illhub:s3cret@db.example/illhub"}},
                        {{"listen.address", "127.0.0.1:0", "--listen"}}});
  ASSERT_TRUE(r) << r.error().describe();
  const auto text = render_config(*r, file);
  EXPECT_HAS(text, "[limits]\n");
  EXPECT_HAS(text, "max_depth = 20  # file " + file + ":2\n");
  EXPECT_HAS(text, "uri = \"postgresql://illhub:***@db.example/illhub\"  # env ILLHUB_DB\n");
  EXPECT_HAS(text, "address = \"127.0.0.1:0\"  # flag --listen\n");
  EXPECT_HAS(text, "idle_timeout = \"5min\"  # default\n");
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  for (const auto& key : config_keys()) EXPECT_HAS(text, "\n" + std::string(key.name) + " = ");
}

TEST_F(ConfigTest, RenderedConfigurationLoadsBackToTheSameValues) {
  auto r = load_config({{}, {},
                        {{"limits.idle_timeout", "61s", "--set"}, {"delivery.backoff_factor", "1.25", "--set"},
                         {"listen.address", "[::1]:499", "--set"}, {"database.uri", "host='a \"b' dbname=x", "--set"},
                         {"tls.client_ca", "/etc/ca\\pem", "--set"}}});
  ASSERT_TRUE(r) << r.error().describe();
  auto again = load_config({write(render_config(*r, "")), {}, {}});
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(values(*again), values(*r));
}

TEST_F(ConfigTest, TheExampleFileLoadsAndEqualsTheDefaults) {
  const std::string example = std::string(ILLHUB_SOURCE_DIR) + "/docs/illd.example.toml";
  auto r = load_config({example, {}, {}});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(values(*r), values(IlldConfig{})) << "docs/illd.example.toml says other than the defaults";
}

TEST_F(ConfigTest, TheExampleFileMentionsEveryKeyInItsSection) {
  // Set, or (max_decoder_stack, whose default depends on the build) shown commented out.
  std::ifstream in(std::string(ILLHUB_SOURCE_DIR) + "/docs/illd.example.toml");
  std::set<std::string> seen;
  std::string line, section;
  const std::regex header(R"(^\[(\w+)\]\s*$)"), entry(R"(^#? ?(\w+) = )");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, header)) section = m[1];
    else if (std::regex_search(line, m, entry)) seen.insert(section + "." + std::string(m[1]));
  }
  for (const auto& key : config_keys()) EXPECT_EQ(seen.count(key.dotted()), 1u) << key.dotted() << " is missing";
  EXPECT_NE(seen.size(), 0u);
}

TEST_F(ConfigTest, TheExampleFileOffersTheRegisteredPort) {
  std::ifstream in(std::string(ILLHUB_SOURCE_DIR) + "/docs/illd.example.toml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_HAS(text.str(), "# address = \"0.0.0.0:499\"");
}

TEST(ConfigKeys, EnvironmentNamesFollowTheScheme) {
  EXPECT_EQ(find_key("limits", "idle_timeout")->env_name(), "ILLHUB_LIMITS_IDLE_TIMEOUT");
  EXPECT_EQ(find_key("database", "data_dir")->env_name(), "ILLHUB_DATABASE_DATA_DIR");
  EXPECT_EQ(find_key("limits", "nope"), nullptr);
  std::set<std::string> names;
  for (const auto& key : config_keys()) EXPECT_TRUE(names.insert(key.env_name()).second) << key.env_name();
}

}  // namespace
}  // namespace illhub::illd
