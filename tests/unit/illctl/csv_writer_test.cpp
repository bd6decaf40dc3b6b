#include "app/illctl/csv_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace illhub::app {
namespace {

TEST(CsvWriter, QuotesOnlyWhatRfc4180Requires) {
  EXPECT_EQ(csv_field("IRL:LEN"), "IRL:LEN");
  EXPECT_EQ(csv_field("Smith, J."), "\"Smith, J.\"");
  EXPECT_EQ(csv_field("a \"b\""), "\"a \"\"b\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvWriter, RecordsEndWithCrlf) {
  std::ostringstream out;
  write_csv_record(out, {"a", "b,c", ""});
  write_csv_record(out, {"x"});
  EXPECT_EQ(out.str(), "a,\"b,c\",\r\nx\r\n");
}

}  // namespace
}  // namespace illhub::app
