// PgConnection and PgParam against a real server: values travel verbatim as parameters.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::store {
namespace {

PgConnection connect_fresh() {
  auto conn = PgConnection::connect(test::fresh_database());
  if (!conn) {
    ADD_FAILURE() << conn.error().describe();
    std::abort();  // nothing below can run without a connection
  }
  return std::move(conn).value();
}

TEST(PgConnection, TextWithSqlMetacharactersRoundTripsVerbatim) {
  PgConnection conn = connect_fresh();
  const std::vector<std::string> values = {
      "'; DROP TABLE peers; --",
      "$1 $$ $tag$ \\x00 \\ \" ' ''",
      "Ünïcødé — 図書館 📚 \t\r\n trailing  ",
      "",
      std::string(64 * 1024, 'x') + "'end",
  };
  for (const auto& v : values) {
    auto r = conn.exec("SELECT $1::text, length($1::text)", {v});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->get(0, 0), v);
    EXPECT_FALSE(r->is_null(0, 0));
  }
}

TEST(PgConnection, NullAndEmptyStringStayDistinct) {
  PgConnection conn = connect_fresh();
  auto r = conn.exec("SELECT $1::text IS NULL, $2::text IS NULL, $2::text = ''",
                     {std::nullopt, ""});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->get(0, 0), "t");
  EXPECT_EQ(r->get(0, 1), "f");
  EXPECT_EQ(r->get(0, 2), "t");
  std::optional<std::string> absent;
  auto r2 = conn.exec("SELECT $1::text", {absent});
  ASSERT_TRUE(r2);
  EXPECT_TRUE(r2->is_null(0, 0));
  EXPECT_EQ(r2->get_optional(0, 0), std::nullopt);
}

TEST(PgConnection, ByteaWithNulsRoundTripsThroughATable) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE blobs (id int, data bytea)"));
  std::vector<std::uint8_t> bytes(70'000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
  bytes[0] = 0;
  bytes[1] = 0;
  bytes[2] = '\'';
  const std::vector<std::uint8_t> empty;
  ASSERT_TRUE(conn.exec("INSERT INTO blobs VALUES (1, $1), (2, $2)", {Bytea{bytes}, Bytea{empty}}));
  auto r = conn.exec("SELECT data, length(data), data IS NULL FROM blobs ORDER BY id");
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->get_bytea(0, 0), bytes);
  EXPECT_EQ(r->get_int64(0, 1), 70'000);
  EXPECT_TRUE(r->get_bytea(1, 0).empty());
  EXPECT_EQ(r->get(1, 2), "f");  // an empty bytea is not NULL
}

TEST(PgConnection, IntegersAndBoolsAreSentAsText) {
  PgConnection conn = connect_fresh();
  auto r = conn.exec("SELECT $1::bigint + 1, $2::smallint, $3::boolean, $4::boolean",
                     {std::int64_t{9'000'000'000}, -3, true, false});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->get_int64(0, 0), 9'000'000'001);
  EXPECT_EQ(r->get_int64(0, 1), -3);
  EXPECT_EQ(r->get(0, 2), "t");
  EXPECT_EQ(r->get(0, 3), "f");
}

TEST(PgConnection, RefusesTextParameterWithNulInsteadOfTruncating) {
  PgConnection conn = connect_fresh();
  const std::string with_nul("ab\0cd", 5);
  auto r = conn.exec("SELECT $1::text", {with_nul});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("NUL"), std::string::npos);
  EXPECT_TRUE(conn.exec("SELECT 1"));  // the connection is unharmed
}

TEST(PgConnection, PreparedStatementsTakeParametersAndSurviveReconnect) {
  PgConnection conn = connect_fresh();
  conn.prepare("echo", "SELECT $1::text || $2::text");
  auto r = conn.exec_prepared("echo", {"it's ", "fine"});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->get(0, 0), "it's fine");
  ASSERT_TRUE(conn.reset());  // a new backend: the statement is prepared again on first use
  auto again = conn.exec_prepared("echo", {"a", "b"});
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->get(0, 0), "ab");
  conn.prepare("echo", "SELECT $1::text || '-' || $2::text");  // redefined under the same name
  auto redefined = conn.exec_prepared("echo", {"a", "b"});
  ASSERT_TRUE(redefined) << redefined.error().describe();
  EXPECT_EQ(redefined->get(0, 0), "a-b");
  EXPECT_FALSE(conn.exec_prepared("never-prepared"));
}

TEST(PgConnection, ReportsAffectedRowsAndCommandStatus) {
  PgConnection conn = connect_fresh();
  ASSERT_TRUE(conn.exec("CREATE TABLE t (x int)"));
  auto r = conn.exec("INSERT INTO t SELECT generate_series(1, $1::int)", {5});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->affected_rows(), 5);
  EXPECT_EQ(r->command_status(), "INSERT 0 5");
}

TEST(PgConnection, UnreachableServerIsConnectionLost) {
  auto conn = PgConnection::connect("host=/nonexistent-illhub-dir connect_timeout=2");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().kind, StoreError::Kind::kConnectionLost);
}

}  // namespace
}  // namespace illhub::store
