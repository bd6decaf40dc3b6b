// The line format and the reader: round trips of every event kind, torn last lines, bad lines.

#include <gtest/gtest.h>

#include <string>

#include "illhub/record/recording.hpp"

namespace illhub::record {
namespace {

Header sample_header() {
  Header header;
  header.started_unix_us = 1795568523123456;
  header.node = "host/4242";
  header.listen = "127.0.0.1:4999";
  return header;
}

Record sample(EventKind kind, std::uint64_t connection = 3) {
  Record record;
  record.kind = kind;
  record.offset_us = 1500;
  record.connection = connection;
  record.peer = "LIB-A";
  switch (kind) {
    case EventKind::kOpen:
      record.dialled = true;
      record.tls = true;
      record.remote = "127.0.0.1:40000";
      record.local = "127.0.0.1:4999";
      break;
    case EventKind::kIn:
    case EventKind::kOut:
    case EventKind::kUnframed:
      record.bytes = {0x30, 0x03, 0x80, 0x01, 0x00, 0xFF, 0x0A};  // includes a newline byte
      break;
    case EventKind::kClose:
      record.closed_by = ClosedBy::kHub;
      record.reason = "idle timeout";
      break;
  }
  return record;
}

std::string text_of(const std::vector<Record>& records) {
  std::string text = header_line(sample_header()) + "\n";
  for (const auto& record : records) text += record_line(record) + "\n";
  return text;
}

void expect_same(const Record& a, const Record& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.offset_us, b.offset_us);
  EXPECT_EQ(a.connection, b.connection);
  EXPECT_EQ(a.peer, b.peer);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.dialled, b.dialled);
  EXPECT_EQ(a.tls, b.tls);
  EXPECT_EQ(a.remote, b.remote);
  EXPECT_EQ(a.local, b.local);
  EXPECT_EQ(a.closed_by, b.closed_by);
  EXPECT_EQ(a.reason, b.reason);
}

const std::vector<Record> kEveryKind = {sample(EventKind::kOpen), sample(EventKind::kIn), sample(EventKind::kOut),
                                        sample(EventKind::kUnframed), sample(EventKind::kClose)};

TEST(RecordingFormat, RoundTripsEveryEventKindAndTheHeader) {
  const auto parsed = parse_recording(text_of(kEveryKind));
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_FALSE(parsed->warning);
  EXPECT_EQ(parsed->header.version, 1);
  EXPECT_EQ(parsed->header.started_unix_us, 1795568523123456);
  EXPECT_EQ(parsed->header.node, "host/4242");
  EXPECT_EQ(parsed->header.listen, "127.0.0.1:4999");
  ASSERT_EQ(parsed->records.size(), kEveryKind.size());
  for (std::size_t i = 0; i < kEveryKind.size(); ++i) {
    SCOPED_TRACE(std::string(to_string(kEveryKind[i].kind)));
    expect_same(parsed->records[i], kEveryKind[i]);
  }
}

TEST(RecordingFormat, WritesTheDocumentedKeysInTheDocumentedOrder) {
  EXPECT_EQ(header_line(sample_header()),
            R"({"illhub-recording":1,"started_unix_us":1795568523123456,"node":"host/4242","listen":"127.0.0.1:4999"})");
  EXPECT_EQ(record_line(sample(EventKind::kIn)), R"({"t":1500,"conn":3,"event":"in","peer":"LIB-A","ber":"MAOAAQD/Cg=="})");
  EXPECT_EQ(record_line(sample(EventKind::kOpen)),
            R"({"t":1500,"conn":3,"event":"open","peer":"LIB-A","dialled":true,"tls":true,)"
            R"("remote":"127.0.0.1:40000","local":"127.0.0.1:4999"})");
  EXPECT_EQ(record_line(sample(EventKind::kClose)),
            R"({"t":1500,"conn":3,"event":"close","peer":"LIB-A","by":"hub","reason":"idle timeout"})");
}

TEST(RecordingFormat, NeverWritesANewlineInsideALine) {
  Record record = sample(EventKind::kClose);
  record.peer = "A\nB";
  record.reason = "bad\r\nreason \xff";  // and not UTF-8: replaced, not thrown
  const std::string line = record_line(record);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  const auto parsed = parse_recording(header_line(sample_header()) + "\n" + line + "\n");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->records.at(0).peer, "A\nB");
}

TEST(RecordingFormat, AnEmptyRecordingHasAHeaderAndNoRecords) {
  const auto parsed = parse_recording(text_of({}));
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_TRUE(parsed->records.empty());
  EXPECT_FALSE(parsed->warning);
}

// A torn last line, cut at BYTES_KEPT of its bytes (no newline): read up to it, with a warning
// that says where.
void expect_torn_at(std::size_t bytes_kept) {
  const std::string whole = text_of(kEveryKind);
  const std::string last = record_line(sample(EventKind::kOut, 9));
  ASSERT_LT(bytes_kept, last.size() + 1);
  const auto parsed = parse_recording(whole + last.substr(0, bytes_kept));
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_EQ(parsed->records.size(), kEveryKind.size());
  ASSERT_TRUE(parsed->warning);
  EXPECT_NE(parsed->warning->find("line 7"), std::string::npos) << *parsed->warning;
  EXPECT_NE(parsed->warning->find("at byte " + std::to_string(whole.size())), std::string::npos)
      << *parsed->warning;
  EXPECT_NE(parsed->warning->find("torn"), std::string::npos) << *parsed->warning;
}

TEST(RecordingReader, SkipsAWholeLastRecordWithoutItsNewlineWithAWarning) {
  expect_torn_at(record_line(sample(EventKind::kOut, 9)).size());
}

TEST(RecordingReader, SkipsALastLineCutInTheMiddleOfTheJsonWithAWarning) { expect_torn_at(12); }

TEST(RecordingReader, SkipsALastLineCutInTheMiddleOfTheBase64WithAWarning) {
  const std::string last = record_line(sample(EventKind::kOut, 9));
  expect_torn_at(last.find("\"ber\":\"") + 10);
}

TEST(RecordingReader, SkipsALastLineThatIsNotAWholeRecordEvenWithItsNewline) {
  const auto parsed = parse_recording(text_of(kEveryKind) + R"({"t":5,"conn":1,"ev)" + "\n");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->records.size(), kEveryKind.size());
  ASSERT_TRUE(parsed->warning);
  EXPECT_NE(parsed->warning->find("line 7"), std::string::npos) << *parsed->warning;
}

TEST(RecordingReader, RefusesABadMiddleLineNamingItsNumber) {
  const std::string header = header_line(sample_header()) + "\n";
  const std::string good = record_line(sample(EventKind::kIn)) + "\n";
  const struct {
    std::string line;
    std::string says;
  } cases[] = {
      {"not json", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"", "not valid JSON"},
      {R"({"t":1,"conn":1,"event":"sideways","peer":""})", "unknown event"},
      {R"({"t":-1,"conn":1,"event":"in","peer":"","ber":""})", "\"t\""},
      {R"({"t":1,"conn":1,"event":"in","peer":""})", "no \"ber\""},
      {R"({"t":1,"conn":1,"event":"in","peer":"","ber":"Zm9"})", "base64"},
      {R"({"t":1,"conn":1,"event":"open","peer":"","dialled":1,"tls":false,"remote":"","local":""})", "\"dialled\""},
      {R"({"t":1,"conn":1,"event":"close","peer":"","by":"both","reason":""})", "\"by\""},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_recording(header + good + good + c.line + "\n" + good);
    ASSERT_FALSE(parsed) << c.line;
    EXPECT_NE(parsed.error().find("line 4: "), std::string::npos) << parsed.error();
    EXPECT_NE(parsed.error().find(c.says), std::string::npos) << parsed.error();
  }
}

TEST(RecordingReader, RefusesANewerFormatVersion) {
  Header header = sample_header();
  header.version = 2;
  const auto parsed = parse_recording(header_line(header) + "\n");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("version 2"), std::string::npos) << parsed.error();
}

TEST(RecordingReader, RefusesTextThatIsNotARecording) {
  EXPECT_FALSE(parse_recording(""));
  EXPECT_FALSE(parse_recording("{\"hello\":1}\n"));
  const auto torn_header = parse_recording(header_line(sample_header()));
  ASSERT_FALSE(torn_header);
  EXPECT_NE(torn_header.error().find("line 1"), std::string::npos) << torn_header.error();
}

}  // namespace
}  // namespace illhub::record
