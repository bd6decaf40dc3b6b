#include <gtest/gtest.h>

#include "illhub/routing/holdings.hpp"

namespace illhub::routing {
namespace {

bool any_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

TEST(HoldingsCsv, ReadsRowsWithQuotesAndSeveralIdentifiers) {
  const std::string csv =
      "# holdings of two libraries\n"
      "symbol,isbn,issn,oclc,local_id,title,author\n"
      "IRL:A,0-306-40615-2|978-0-14-044913-6,,(OCoLC)ocm00042,b1234,\"Stranger, The\",\"Camus, Albert\"\n"
      "\n"
      "IRL:B,,0317-8471,,,\"A title with \"\"quotes\"\"\nover two lines\",\n"
      "IRL:B,,,,,Only a title,\r\n";
  const ParsedHoldings p = parse_holdings_csv(csv, "");
  ASSERT_TRUE(p.errors.empty()) << p.errors.front();
  ASSERT_EQ(p.records.size(), 3u);
  const HoldingRecord& a = p.records[0];
  EXPECT_EQ(a.symbol, "IRL:A");
  EXPECT_EQ(a.position, 3);
  EXPECT_EQ(a.title, "Stranger, The");
  EXPECT_EQ(a.author, "Camus, Albert");
  const std::vector<Identifier> ids = {{IdKind::kIsbn, "9780306406157"},
                                       {IdKind::kIsbn, "9780140449136"},
                                       {IdKind::kOclc, "42"},
                                       {IdKind::kLocal, "b1234"}};
  EXPECT_EQ(a.identifiers, ids);
  EXPECT_EQ(p.records[1].position, 5);
  EXPECT_EQ(p.records[1].title, "A title with \"quotes\"\nover two lines");
  EXPECT_EQ(p.records[2].position, 7);  // counted after the row with a line break inside quotes
  EXPECT_EQ(p.records[2].title, "Only a title");
}

TEST(HoldingsCsv, ReportsEveryBadRowWithItsLine) {
  const std::string csv =
      "symbol,isbn,title\n"
      "IRL:A,0-306-40615-3,Wrong check digit\n"
      "IRL:A,9780306406157\n"
      ",9780306406157,No symbol\n"
      "IRL:A,,\n"
      "IRL:A,9780306406157,Good\n";
  const ParsedHoldings p = parse_holdings_csv(csv, "");
  EXPECT_EQ(p.errors.size(), 4u);
  EXPECT_TRUE(any_has(p.errors, "line 2: isbn: ISBN 0-306-40615-3: wrong check digit")) << p.errors[0];
  EXPECT_TRUE(any_has(p.errors, "line 3: 2 fields, the header has 3"));
  EXPECT_TRUE(any_has(p.errors, "line 4: no symbol"));
  EXPECT_TRUE(any_has(p.errors, "line 5: no identifier and no title"));
  EXPECT_EQ(p.records.size(), 1u);  // the caller imports nothing while errors is not empty
}

TEST(HoldingsCsv, RefusesAnUnknownColumnAndAMissingSymbolColumn) {
  const ParsedHoldings unknown = parse_holdings_csv("symbol,isbn,publisher\nIRL:A,9780306406157,X\n", "");
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_TRUE(any_has(unknown.errors, "line 1: unknown column \"publisher\"")) << unknown.errors[0];
  const ParsedHoldings no_symbol = parse_holdings_csv("isbn,title\n9780306406157,X\n", "");
  EXPECT_TRUE(any_has(no_symbol.errors, "no symbol column"));
  const ParsedHoldings with_default = parse_holdings_csv("ISBN,Title\n9780306406157,X\n", "IRL:D");
  ASSERT_TRUE(with_default.errors.empty());
  EXPECT_EQ(with_default.records.at(0).symbol, "IRL:D");
  const ParsedHoldings open_quote = parse_holdings_csv("symbol,title\nIRL:A,\"never closed\n", "");
  EXPECT_TRUE(any_has(open_quote.errors, "line 2: a quote opened here is never closed"));
  EXPECT_TRUE(any_has(parse_holdings_csv("", "").errors, "no header"));
}

}  // namespace
}  // namespace illhub::routing
