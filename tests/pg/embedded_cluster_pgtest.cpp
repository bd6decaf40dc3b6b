// EmbeddedCluster: created on first start, reused on the next, stopped by PID; and where the
// database is found when none is configured.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "illhub/store/database_location.hpp"
#include "illhub/store/embedded_cluster.hpp"
#include "illhub/store/pg_connection.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

EmbeddedClusterOptions options_for(const std::filesystem::path& dir, std::vector<std::string>* log) {
  EmbeddedClusterOptions options;
  options.data_dir = dir;
  options.durable = false;
  options.log = [log](std::string_view line) { log->emplace_back(line); };
  return options;
}

TEST(EmbeddedCluster, FirstStartCreatesSecondReusesStopEndsTheProcess) {
  const auto dir = test::make_temp_dir("illhub-embedded");
  ASSERT_FALSE(dir.empty());
  std::vector<std::string> log;

  auto first = EmbeddedCluster::start(options_for(dir / "data", &log));
  ASSERT_TRUE(first) << first.error().describe();
  const auto pid = first->postmaster_pid();
  ASSERT_TRUE(pid);
  test::watch_postmaster(*pid);
  EXPECT_TRUE(first->created_now());
  EXPECT_TRUE(first->started_by_us());
  EXPECT_TRUE(std::filesystem::exists(dir / "data/postgresql/PG_VERSION"));
  if (geteuid() == 0) {
    // initdb refuses root: the cluster runs as postgres, and says so once.
    EXPECT_EQ(first->run_as(), "postgres");
    int said = 0;
    for (const auto& line : log) said += line.find("runs as user postgres") != std::string::npos;
    EXPECT_EQ(said, 1);
  }

  // Unix socket only: the settings say so and the server agrees.
  auto conn = PgConnection::connect(first->conninfo());
  ASSERT_TRUE(conn) << conn.error().describe();
  EXPECT_EQ(conn->exec("SHOW listen_addresses")->get(0, 0), "");
  EXPECT_EQ(conn->exec("SELECT current_database()")->get(0, 0), "illhub");
  EXPECT_TRUE(std::filesystem::exists(first->socket_dir() / ".s.PGSQL.5432"));

  // A second start while it runs (another illctl, say) reuses it and does not own it.
  {
    std::vector<std::string> second_log;
    auto second = EmbeddedCluster::start(options_for(dir / "data", &second_log));
    ASSERT_TRUE(second) << second.error().describe();
    EXPECT_FALSE(second->created_now());
    EXPECT_FALSE(second->started_by_us());
    EXPECT_EQ(second->postmaster_pid(), pid);
  }  // destroying it leaves the server running
  EXPECT_TRUE(process_alive(*pid));

  ASSERT_TRUE(first->stop());
  EXPECT_FALSE(process_alive(*pid));
  EXPECT_FALSE(first->postmaster_pid());
  test::unwatch_postmaster(*pid);

  // Started again on the existing cluster: not created anew, data kept.
  auto third = EmbeddedCluster::start(options_for(dir / "data", &log));
  ASSERT_TRUE(third) << third.error().describe();
  EXPECT_FALSE(third->created_now());
  EXPECT_TRUE(third->started_by_us());
  const auto third_pid = third->postmaster_pid();
  ASSERT_TRUE(third_pid);
  test::watch_postmaster(*third_pid);
  { auto moved = std::move(*third); }  // the owner's destructor stops it
  EXPECT_FALSE(process_alive(*third_pid));
  test::unwatch_postmaster(*third_pid);

  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(EmbeddedCluster, RefusesADirectoryThatHoldsSomethingElse) {
  const auto dir = test::make_temp_dir("illhub-embedded");
  std::filesystem::create_directories(dir / "postgresql");
  std::ofstream(dir / "postgresql/stray") << "x";
  std::vector<std::string> log;
  auto started = EmbeddedCluster::start(options_for(dir, &log));
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("holds no PostgreSQL cluster"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Sets or clears an environment variable for one test, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1); else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ResolveDatabase, ExplicitUriWinsOverEnvironment) {
  ScopedEnv host("PGHOST", "/somewhere");
  const auto where = resolve_database("postgresql://db.example/illhub", "/data");
  EXPECT_EQ(where.source, DatabaseLocation::Source::kUri);
  EXPECT_EQ(where.conninfo, "postgresql://db.example/illhub");
}

TEST(ResolveDatabase, PgVariablesComeNext) {
  ScopedEnv host("PGHOST", nullptr);
  ScopedEnv addr("PGHOSTADDR", nullptr);
  ScopedEnv port("PGPORT", nullptr);
  ScopedEnv service("PGSERVICE", nullptr);
  ScopedEnv database("PGDATABASE", "illhub_prod");
  const auto where = resolve_database(std::nullopt, "/data");
  EXPECT_EQ(where.source, DatabaseLocation::Source::kEnvironment);
  EXPECT_EQ(where.conninfo, "");
}

TEST(ResolveDatabase, EmbeddedWhenNothingIsConfigured) {
  ScopedEnv host("PGHOST", nullptr);
  ScopedEnv addr("PGHOSTADDR", nullptr);
  ScopedEnv port("PGPORT", nullptr);
  ScopedEnv service("PGSERVICE", nullptr);
  ScopedEnv database("PGDATABASE", nullptr);
  ScopedEnv user("PGUSER", "someone");  // says who, not where: not a configuration
  const auto where = resolve_database(std::string(), "/data/illhub");
  EXPECT_EQ(where.source, DatabaseLocation::Source::kEmbedded);
  EXPECT_EQ(where.data_dir, "/data/illhub");
}

TEST(ResolveDatabase, DefaultDataDirFollowsIllhubDataDir) {
  ScopedEnv dir("ILLHUB_DATA_DIR", "/srv/illhub");
  EXPECT_EQ(default_data_dir(), "/srv/illhub");
}

}  // namespace
}  // namespace illhub::store
