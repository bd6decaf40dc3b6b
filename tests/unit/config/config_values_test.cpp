// The value forms of illd's configuration: durations, sizes, listen addresses, and hiding
// passwords in database URIs and conninfo strings.
#include "illd/config_values.hpp"

#include <gtest/gtest.h>

namespace illhub::illd {
namespace {

using std::chrono::milliseconds;

std::string duration_error(std::string_view text) {
  auto r = parse_duration(text);
  return r ? "(parsed)" : r.error();
}

std::string size_error(std::string_view text) {
  auto r = parse_size(text);
  return r ? "(parsed)" : r.error();
}

std::string address_error(std::string_view text) {
  auto r = parse_listen_address(text);
  return r ? "(parsed)" : r.error();
}

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(*parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(*parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(*parse_duration("5min"), milliseconds(300'000));
  EXPECT_EQ(*parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(*parse_duration(" 30s "), milliseconds(30'000));
  EXPECT_EQ(*parse_duration("0ms"), milliseconds(0));  // zero is refused per key, not here
}

TEST(ParseDuration, RefusesNegativeValues) {
  EXPECT_NE(duration_error("-5s").find("\"-5s\" is negative"), std::string::npos) << duration_error("-5s");
}

TEST(ParseDuration, RefusesAMissingUnit) {
  EXPECT_NE(duration_error("30").find("has no unit"), std::string::npos);
}

TEST(ParseDuration, RefusesTheAmbiguousM) {
  EXPECT_NE(duration_error("5m").find("write \"min\" for minutes or \"ms\""), std::string::npos);
}

TEST(ParseDuration, RefusesFractionsAndSaysWhatToWrite) {
  EXPECT_NE(duration_error("1.5s").find("\"1500ms\", not \"1.5s\""), std::string::npos) << duration_error("1.5s");
}

TEST(ParseDuration, RefusesUnknownUnitsAndText) {
  EXPECT_NE(duration_error("30sec").find("unknown unit 'sec'"), std::string::npos);
  EXPECT_NE(duration_error("soon").find("is not a duration"), std::string::npos);
  EXPECT_NE(duration_error("").find("is not a duration"), std::string::npos);
}

TEST(ParseDuration, RefusesMoreThanAYear) {
  EXPECT_TRUE(parse_duration("8760h"));
  EXPECT_NE(duration_error("8761h").find("longer than a year"), std::string::npos);
  EXPECT_NE(duration_error("99999999999999999999999s").find("is not a duration"), std::string::npos);
}

TEST(FormatDuration, PicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(300'000)), "5min");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  for (const auto* text : {"250ms", "30s", "5min", "2h", "61s"}) {
    EXPECT_EQ(format_duration(*parse_duration(text)), text);
  }
}

TEST(ParseSize, ReadsBytesAndBinaryUnits) {
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("100B"), 100u);
  EXPECT_EQ(*parse_size("256KiB"), 256u * 1024);
  EXPECT_EQ(*parse_size("1MiB"), 1024u * 1024);
  EXPECT_EQ(*parse_size("2GiB"), 2ull * 1024 * 1024 * 1024);
}

TEST(ParseSize, RefusesDecimalUnitsRatherThanGuessing) {
  EXPECT_NE(size_error("10KB").find("'KB' is ambiguous; use KiB"), std::string::npos) << size_error("10KB");
  EXPECT_NE(size_error("1M").find("'M' is ambiguous"), std::string::npos);
}

TEST(ParseSize, RefusesNegativeAndUnknown) {
  EXPECT_NE(size_error("-1KiB").find("is negative"), std::string::npos);
  EXPECT_NE(size_error("5XB").find("unknown unit 'XB'"), std::string::npos);
  EXPECT_NE(size_error("big").find("is not a size"), std::string::npos);
  EXPECT_NE(size_error("2048GiB").find("larger than 1TiB"), std::string::npos);
}

TEST(FormatSize, PicksTheLargestExactUnit) {
  EXPECT_EQ(format_size(262144), "256KiB");
  EXPECT_EQ(format_size(1000), "1000B");
  EXPECT_EQ(format_size(1024 * 1024), "1MiB");
}

TEST(ParseListenAddress, ReadsIPv4AndBracketedIPv6) {
  auto v4 = parse_listen_address("0.0.0.0:499");
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 499);
  auto v6 = parse_listen_address("[::1]:4990");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(format_listen_address(*v6), "[::1]:4990");
  EXPECT_EQ(parse_listen_address("127.0.0.1:0")->port, 0);
  EXPECT_EQ(parse_listen_address("127.0.0.1:65535")->port, 65535);
}

TEST(ParseListenAddress, RefusesPortsOutOfRange) {
  EXPECT_NE(address_error("1.2.3.4:65536").find("port 65536 is out of range (0-65535)"), std::string::npos)
      << address_error("1.2.3.4:65536");
  EXPECT_NE(address_error("1.2.3.4:99999999999999999999").find("out of range"), std::string::npos);
  EXPECT_NE(address_error("1.2.3.4:-1").find("is not a number"), std::string::npos);
  EXPECT_NE(address_error("1.2.3.4:http").find("port 'http' is not a number"), std::string::npos);
}

TEST(ParseListenAddress, RefusesNamesMissingPortsAndBareIPv6) {
  EXPECT_NE(address_error("localhost:4990").find("'localhost' is not an IP address"), std::string::npos);
  EXPECT_NE(address_error("1.2.3.4").find("is not HOST:PORT"), std::string::npos);
  EXPECT_NE(address_error("1.2.3.4:").find("is not HOST:PORT"), std::string::npos);
  EXPECT_NE(address_error("::1:4990").find("in brackets"), std::string::npos);
}

TEST(RedactConninfo, HidesTheUriPassword) {
  EXPECT_EQ(redact_conninfo("postgresql://illhub:s3cret@db.example:5432/illhub"),
            "postgresql://illhub:***@db.example:5432/illhub");
  EXPECT_EQ(redact_conninfo("postgres://u:p@h"), "postgres://u:***@h");
  EXPECT_EQ(redact_conninfo("postgresql://illhub@db/illhub"), "postgresql://illhub@db/illhub");
}

TEST(RedactConninfo, HidesAPasswordInTheQuery) {
  EXPECT_EQ(redact_conninfo("postgresql:///illhub?host=/run/pg&password=s3cret&sslmode=require"),
            "postgresql:///illhub?host=/run/pg&password=***&sslmode=require");
}

TEST(RedactConninfo, HidesKeywordPasswordsQuotedOrNot) {
  EXPECT_EQ(redact_conninfo("host=db password=s3cret dbname=illhub"), "host=db password=*** dbname=illhub");
  EXPECT_EQ(redact_conninfo("password = 'two words \\' quote' host=db"), "password = *** host=db");
  EXPECT_EQ(redact_conninfo("host=db dbname=illhub"), "host=db dbname=illhub");
  EXPECT_EQ(redact_conninfo(""), "");
}

}  // namespace
}  // namespace illhub::illd
