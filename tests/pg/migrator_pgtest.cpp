// Migrator: fresh, re-run, changed file, database newer than the binary, concurrent nodes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "illhub/store/migrator.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

using Kind = StoreError::Kind;

PgConnection connect_to(const std::string& conninfo) { return test::connect_or_abort(conninfo); }

Migration migration(const std::string& name, const std::string& sql) {
  auto m = make_migration(name, sql);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(m).value() : Migration{};
}

std::vector<Migration> two_migrations() {
  return {migration("0001_first.sql", "CREATE TABLE a (x int);\nCREATE TABLE b (y text);"),
          migration("0002_second.sql", "ALTER TABLE a ADD COLUMN z int;")};
}

std::int64_t count(PgConnection& conn, const std::string& sql) {
  auto r = conn.exec(sql);
  EXPECT_TRUE(r) << r.error().describe();
  return r ? r->get_int64(0, 0).value_or(-1) : -1;
}

TEST(Migrator, AppliesAllOnAFreshDatabaseInOrderAndRecordsThem) {
  PgConnection conn = connect_to(test::fresh_database());
  auto report = Migrator(two_migrations()).migrate(conn);
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->applied.size(), 2u);
  EXPECT_EQ(report->applied[0].name, "0001_first.sql");
  EXPECT_EQ(report->applied[1].name, "0002_second.sql");
  EXPECT_EQ(report->schema_version, 2);
  auto rows = conn.exec("SELECT version, name, checksum, applied_at IS NOT NULL "
                        "FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->rows(), 2);
  EXPECT_EQ(rows->get(0, 1), "0001_first.sql");
  EXPECT_EQ(rows->get(0, 2), sha256_hex("CREATE TABLE a (x int);\nCREATE TABLE b (y text);"));
  EXPECT_EQ(rows->get(1, 3), "t");
  EXPECT_EQ(count(conn, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"), 2);
}

TEST(Migrator, RerunIsANoOp) {
  PgConnection conn = connect_to(test::fresh_database());
  ASSERT_TRUE(Migrator(two_migrations()).migrate(conn));
  auto again = Migrator(two_migrations()).migrate(conn);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->schema_version, 2);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST(Migrator, AppliesOnlyWhatIsNew) {
  PgConnection conn = connect_to(test::fresh_database());
  auto all = two_migrations();
  ASSERT_TRUE(Migrator({all[0]}).migrate(conn));
  auto report = Migrator(all).migrate(conn);
  ASSERT_TRUE(report) << report.error().describe();
  ASSERT_EQ(report->applied.size(), 1u);
  EXPECT_EQ(report->applied[0].version, 2);
}

TEST(Migrator, RefusesAFileChangedAfterItWasApplied) {
  PgConnection conn = connect_to(test::fresh_database());
  ASSERT_TRUE(Migrator(two_migrations()).migrate(conn));
  auto edited = two_migrations();
  edited[0] = migration("0001_first.sql", "CREATE TABLE a (x bigint);\nCREATE TABLE b (y text);");
  auto refused = Migrator(edited).migrate(conn);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Kind::kMigration);
  const std::string& message = refused.error().message;
  EXPECT_NE(message.find("schema/0001_first.sql was changed after it was applied on "),
            std::string::npos) << message;
  EXPECT_NE(message.find(": restore it, or add a new migration"), std::string::npos) << message;
  EXPECT_NE(message.find(" UTC"), std::string::npos) << message;  // the date it was applied
}

TEST(Migrator, RefusesADatabaseNewerThanTheBinary) {
  PgConnection conn = connect_to(test::fresh_database());
  ASSERT_TRUE(Migrator(two_migrations()).migrate(conn));
  auto older_binary = two_migrations();
  older_binary.pop_back();
  auto refused = Migrator(older_binary).migrate(conn);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Kind::kMigration);
  EXPECT_EQ(refused.error().message,
            "database schema is at version 2, this illhub knows up to 1: upgrade illhub");
}

TEST(Migrator, AFailingMigrationLeavesNoTraceAndKeepsEarlierOnes) {
  PgConnection conn = connect_to(test::fresh_database());
  auto all = two_migrations();
  all.push_back(migration("0003_broken.sql", "CREATE TABLE c (x int);\nSELECT no_such_column FROM a;"));
  auto failed = Migrator(all).migrate(conn);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("schema/0003_broken.sql: "), std::string::npos);
  EXPECT_EQ(count(conn, "SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM pg_tables WHERE tablename = 'c'"), 0);
}

TEST(Migrator, TwoMigratorsStartingTogetherApplyEachFileOnce) {
  const std::string db = test::fresh_database();
  // A migration that would fail if run twice (CREATE TABLE without IF NOT EXISTS), slow
  // enough that both migrators are certainly waiting at the same time.
  const std::vector<Migration> migrations = {
      migration("0001_slow.sql", "SELECT pg_sleep(0.5);\nCREATE TABLE once (x int);"),
      migration("0002_more.sql", "CREATE TABLE twice_not (x int);")};
  Result<MigrationReport, StoreError> results[2] = {unexpected(StoreError{}),
                                                    unexpected(StoreError{})};
  std::thread nodes[2];
  for (int i = 0; i < 2; ++i) {
    nodes[i] = std::thread([&, i] {
      PgConnection conn = connect_to(db);
      results[i] = Migrator(migrations).migrate(conn);
    });
  }
  for (auto& node : nodes) node.join();
  ASSERT_TRUE(results[0]) << results[0].error().describe();
  ASSERT_TRUE(results[1]) << results[1].error().describe();
  EXPECT_EQ(results[0]->applied.size() + results[1]->applied.size(), 2u);
  PgConnection conn = connect_to(db);
  EXPECT_EQ(count(conn, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST(MigrationFiles, EmbeddedMigrationsAreTheSchemaDirectory) {
  auto from_dir = load_migrations(std::filesystem::path(ILLHUB_SOURCE_DIR) / "schema");
  ASSERT_TRUE(from_dir) << from_dir.error().describe();
  const auto embedded = embedded_migrations();
  ASSERT_EQ(embedded.size(), from_dir->size());
  ASSERT_FALSE(embedded.empty());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ(embedded[i].name, (*from_dir)[i].name);
    EXPECT_EQ(embedded[i].checksum, (*from_dir)[i].checksum);
  }
  EXPECT_EQ(embedded[0].name, "0001_core.sql");
}

TEST(MigrationFiles, RefusesBadNamesAndDuplicateVersions) {
  EXPECT_FALSE(make_migration("1_x.sql", ""));
  EXPECT_FALSE(make_migration("0001-x.sql", ""));
  EXPECT_FALSE(make_migration("0001_.sql", ""));
  EXPECT_FALSE(make_migration("0000_zero.sql", ""));
  EXPECT_TRUE(make_migration("0012_add-timers.sql", ""));
  const auto dir = test::make_temp_dir("illhub-migrations");
  std::ofstream(dir / "0001_a.sql") << "SELECT 1;";
  std::ofstream(dir / "0001_b.sql") << "SELECT 2;";
  std::ofstream(dir / "README") << "not a migration";
  auto loaded = load_migrations(dir);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("version 1"), std::string::npos);
  std::filesystem::remove(dir / "0001_b.sql");
  auto ok = load_migrations(dir);
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(MigrationFiles, Sha256MatchesTheKnownDigest) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Migrator, EmbeddedSchemaAppliesCleanlyAndTwice) {
  PgConnection conn = connect_to(test::fresh_database());
  auto report = Migrator(embedded_migrations()).migrate(conn);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_FALSE(report->applied.empty());
  auto again = Migrator(embedded_migrations()).migrate(conn);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->applied.empty());
}

}  // namespace
}  // namespace illhub::store
