// MARC holdings: ISO 2709 files made by YAZ's yaz-marcdump (Debian's yaz package) from MARCXML
// written here, so the parser reads what another implementation wrote, not its own output.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

#include "illhub/routing/holdings.hpp"

namespace illhub::routing {
namespace {

const char* const kMarcXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim">
<record>
  <leader>00000nam a2200000 a 4500</leader>
  <controlfield tag="001">b1234</controlfield>
  <datafield tag="020" ind1=" " ind2=" "><subfield code="a">0306406152 (pbk.)</subfield></datafield>
  <datafield tag="035" ind1=" " ind2=" "><subfield code="a">(OCoLC)ocm00012345</subfield></datafield>
  <datafield tag="035" ind1=" " ind2=" "><subfield code="a">(DE-101)99999</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Camus, Albert,</subfield><subfield code="d">1913-1960.</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="3"><subfield code="a">L'Étranger :</subfield><subfield code="b">roman /</subfield><subfield code="c">Albert Camus.</subfield></datafield>
  <datafield tag="852" ind1=" " ind2=" "><subfield code="a">IRL:A</subfield><subfield code="b">Main stacks</subfield></datafield>
</record>
<record>
  <leader>00000nas a2200000 a 4500</leader>
  <datafield tag="022" ind1=" " ind2=" "><subfield code="a">0317-8471</subfield></datafield>
  <datafield tag="245" ind1="0" ind2="0"><subfield code="a">A serial.</subfield></datafield>
  <datafield tag="049" ind1=" " ind2=" "><subfield code="a">IRL:B</subfield></datafield>
</record>
<record>
  <leader>00000nam a2200000 a 4500</leader>
  <datafield tag="020" ind1=" " ind2=" "><subfield code="a">0-306-40615-3</subfield></datafield>
  <datafield tag="245" ind1="0" ind2="0"><subfield code="a">Bad ISBN, no library</subfield></datafield>
</record>
<record>
  <leader>00000nam a2200000 a 4500</leader>
  <datafield tag="245" ind1="0" ind2="0"><subfield code="a">The last one</subfield></datafield>
</record>
</collection>
)";

/// The MARCXML above as ISO 2709, written by yaz-marcdump.
std::string marc_from_yaz() {
  char path[] = "/tmp/illhub-marcxml-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  close(fd);
  std::ofstream(path) << kMarcXml;
  const std::string command = std::string("yaz-marcdump -i marcxml -o marc ") + path;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  if (pipe) {
    char buffer[4096];
    std::size_t n = 0;
    // Bounded by the file: a few hundred bytes.
    while ((n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0) out.append(buffer, n);
  }
  std::remove(path);
  EXPECT_FALSE(out.empty()) << "yaz-marcdump (Debian package yaz) produced nothing";
  return out;
}

bool any_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

TEST(HoldingsMarc, ReadsYazWrittenRecords) {
  const std::string marc = marc_from_yaz();
  const ParsedHoldings p = parse_holdings_marc(marc, "IRL:DEFAULT");
  ASSERT_EQ(p.records.size(), 3u);
  const HoldingRecord& a = p.records[0];
  EXPECT_EQ(a.position, 1);
  EXPECT_EQ(a.symbol, "IRL:A");  // 852 $a
  EXPECT_EQ(a.title, "L'Étranger: roman");
  EXPECT_EQ(a.author, "Camus, Albert");
  const std::vector<Identifier> ids = {
      {IdKind::kLocal, "b1234"}, {IdKind::kIsbn, "9780306406157"}, {IdKind::kOclc, "12345"}};
  EXPECT_EQ(a.identifiers, ids);  // the (DE-101) number in 035 is not OCLC's: left out
  EXPECT_EQ(p.records[1].symbol, "IRL:B");  // 049 $a
  EXPECT_EQ(p.records[1].identifiers, (std::vector<Identifier>{{IdKind::kIssn, "03178471"}}));
  EXPECT_EQ(p.records[2].symbol, "IRL:DEFAULT");  // neither: --symbol
  EXPECT_EQ(p.records[2].position, 4);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_TRUE(any_has(p.errors, "record 3 (byte ")) << p.errors[0];
  EXPECT_TRUE(any_has(p.errors, "020 $a: ISBN 0-306-40615-3: wrong check digit")) << p.errors[0];
}

TEST(HoldingsMarc, ReportsARecordWithoutALibrary) {
  const ParsedHoldings p = parse_holdings_marc(marc_from_yaz(), "");
  EXPECT_TRUE(any_has(p.errors, "record 4 (byte ")) << p.errors.size();
  EXPECT_TRUE(any_has(p.errors, "no holding library (852 $a or 049 $a); name it with --symbol"));
}

TEST(HoldingsMarc, ReportsABrokenRecordAndReadsOnAfterIt) {
  std::string marc = marc_from_yaz();
  const std::size_t second = std::stoul(marc.substr(0, 5));  // the second record starts here
  marc.replace(second, 5, "9x9x9");                           // its record length is garbage
  const ParsedHoldings p = parse_holdings_marc(marc, "IRL:DEFAULT");
  EXPECT_TRUE(any_has(p.errors, "record 2 (byte " + std::to_string(second) + "): record length \"9x9x9\""))
      << (p.errors.empty() ? "" : p.errors[0]);
  ASSERT_GE(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].symbol, "IRL:A");
  EXPECT_EQ(p.records.back().title, "The last one");  // found again after the broken record
}

TEST(HoldingsMarc, RefusesTruncatedFilesBadDirectoriesAndMarc8) {
  const std::string marc = marc_from_yaz();
  const std::size_t first = std::stoul(marc.substr(0, 5));
  const ParsedHoldings truncated = parse_holdings_marc(marc.substr(0, first - 10), "X");
  EXPECT_TRUE(any_has(truncated.errors, "record 1 (byte 0)"));
  EXPECT_TRUE(truncated.records.empty());

  std::string bad_directory = marc.substr(0, first);
  bad_directory.replace(24 + 3, 4, "9999");  // the first field's length runs past the record
  EXPECT_TRUE(any_has(parse_holdings_marc(bad_directory, "X").errors, "lies outside the record"));

  std::string marc8 = marc.substr(0, first);
  marc8[9] = ' ';  // says MARC-8, but "É" is UTF-8
  EXPECT_TRUE(any_has(parse_holdings_marc(marc8, "X").errors, "MARC-8 text"));

  EXPECT_TRUE(any_has(parse_holdings_marc("not a marc file at all, just text", "X").errors, "not ISO 2709"));
  EXPECT_TRUE(parse_holdings_marc("\n", "X").errors.empty());
}

}  // namespace
}  // namespace illhub::routing
