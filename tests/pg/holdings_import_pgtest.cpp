// illctl holdings import and illctl policy against a real database: all or nothing, counts,
// replacement, MARC made by yaz-marcdump, policy versions.
#include <cstdio>
#include <cstdlib>

#include "routing_fixture.hpp"

namespace illhub::test {
namespace {

const char* const kCsv =
    "symbol,isbn,issn,oclc,local_id,title,author\n"
    "IRL:A,0-306-40615-2,,,a1,The Stranger,\"Camus, Albert\"\n"
    "IRL:A,,0317-8471,,a2,A serial,\n"
    "IRL:B,9780306406157|0-14-044913-2,,(OCoLC)42,,Stranger,Albert Camus\n";

TEST_F(RoutingTest, ImportsACsvFileAndCountsWhatItWrote) {
  add_peers({"IRL:A", "IRL:B"});
  const IllctlRun r = ctl({"holdings", "import", "--format", "csv", file("h.csv", kCsv)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "imported 3 record(s) with 7 identifier(s) for 2 libraries")) << r.out;
  EXPECT_EQ(count("SELECT count(*) FROM holdings"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM holding_identifiers WHERE kind = 'isbn' AND value = '9780306406157'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE title_key = 'stranger' AND author_key = 'camus'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE source_file LIKE '%h.csv' AND source_position = 4"), 1);
}

TEST_F(RoutingTest, ImportsNothingWhenAnyRowIsBad) {
  add_peers({"IRL:A"});
  ASSERT_EQ(ctl({"holdings", "import", "--format", "csv", file("good.csv", "symbol,isbn\nIRL:A,9780306406157\n")}).exit_code, 0);
  // A bad check digit and a library that is not a peer, among good rows.
  const std::string bad = "symbol,isbn,title\nIRL:A,9780140449136,Good\nIRL:A,0-306-40615-3,Bad\nIRL:A,,Good too\n";
  const IllctlRun parse = ctl({"holdings", "import", "--format", "csv", file("bad.csv", bad)});
  EXPECT_EQ(parse.exit_code, 1);
  EXPECT_TRUE(has(parse.err, "bad.csv: line 3: isbn: ISBN 0-306-40615-3: wrong check digit")) << parse.err;
  EXPECT_TRUE(has(parse.err, "1 problem(s); nothing imported")) << parse.err;
  const IllctlRun unknown = ctl({"holdings", "import", "--format", "csv",
                                 file("unknown.csv", "symbol,isbn\nIRL:A,9780140449136\nIRL:NOPE,9780140449136\n")});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(has(unknown.err, "line 3: IRL:NOPE is not a registered peer")) << unknown.err;
  EXPECT_EQ(count("SELECT count(*) FROM holdings"), 1);  // only the first, good file
  EXPECT_EQ(count("SELECT count(*) FROM holding_identifiers"), 1);
}

TEST_F(RoutingTest, ReplaceForSwapsOneLibrarysHoldingsOnly) {
  add_peers({"IRL:A", "IRL:B"});
  ASSERT_EQ(ctl({"holdings", "import", "--format", "csv", file("h.csv", kCsv)}).exit_code, 0);
  const IllctlRun r = ctl({"holdings", "import", "--format", "csv", "--replace-for", "IRL:A",
                           file("a.csv", "isbn,title\n9780140449136,New one\n")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "imported 1 record(s) with 1 identifier(s) for 1 library; removed 2 earlier record(s) of IRL:A"))
      << r.out;
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE symbol = 'IRL:A'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE symbol = 'IRL:B'"), 1);
  // A file with another library's rows is refused, and IRL:A keeps what it has.
  const IllctlRun other = ctl({"holdings", "import", "--format", "csv", "--replace-for", "IRL:A",
                               file("mixed.csv", "symbol,isbn\nIRL:B,9780306406157\n")});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_TRUE(has(other.err, "line 2: held by IRL:B, but --replace-for names IRL:A")) << other.err;
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE symbol = 'IRL:A'"), 1);
}

TEST_F(RoutingTest, ImportsMarcWrittenByYaz) {
  add_peers({"IRL:A", "IRL:M"});
  const std::string xml = file("h.xml", R"(<collection xmlns="http://www.loc.gov/MARC21/slim">
<record><leader>00000nam a2200000 a 4500</leader>
  <controlfield tag="001">m1</controlfield>
  <datafield tag="020" ind1=" " ind2=" "><subfield code="a">0306406152</subfield></datafield>
  <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Camus, Albert.</subfield></datafield>
  <datafield tag="245" ind1="1" ind2="4"><subfield code="a">The stranger /</subfield></datafield>
  <datafield tag="852" ind1=" " ind2=" "><subfield code="a">IRL:A</subfield></datafield></record>
<record><leader>00000nam a2200000 a 4500</leader>
  <datafield tag="245" ind1="0" ind2="0"><subfield code="a">Only in M</subfield></datafield></record>
</collection>
)");
  const std::string mrc = (dir_ / "h.mrc").string();
  ASSERT_EQ(std::system(("yaz-marcdump -i marcxml -o marc " + xml + " > " + mrc).c_str()), 0);
  const IllctlRun r = ctl({"holdings", "import", "--format", "marc", "--symbol", "IRL:M", mrc});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "imported 2 record(s) with 2 identifier(s) for 2 libraries")) << r.out;
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE symbol = 'IRL:A' AND title = 'The stranger' AND author_key = 'camus'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM holdings WHERE symbol = 'IRL:M' AND source_position = 2"), 1);
  // Without --symbol the second record has no library: refused, nothing written.
  ASSERT_TRUE(conn_->exec("DELETE FROM holdings"));
  const IllctlRun refused = ctl({"holdings", "import", "--format", "marc", mrc});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(has(refused.err, "record 2 (byte ")) << refused.err;
  EXPECT_EQ(count("SELECT count(*) FROM holdings"), 0);
}

const char* const kPolicy = R"([consortium]
currency = "EUR"
[defaults]
max_in_hand = 20
[libraries."IRL:A"]
region = "north"
)";

TEST_F(RoutingTest, PolicyCheckLoadAndShowKeepVersions) {
  add_peers({"IRL:A"});
  const std::string path = file("policy.toml", kPolicy);
  const IllctlRun check = ctl({"policy", "check", path});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_TRUE(has(check.out, "valid; 1 library with a section")) << check.out;
  const IllctlRun bad = ctl({"policy", "check", file("bad.toml", "[consortium]\ncurrency = \"EUR\"\n[defaults]\nmax_in_hand = -1\n")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(has(bad.err, "bad.toml:4: defaults.max_in_hand: expected a whole number")) << bad.err;
  EXPECT_EQ(ctl({"policy", "check", (dir_ / "missing.toml").string()}).exit_code, 1);

  const IllctlRun first = ctl({"policy", "load", path});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(has(first.out, "as lending-policy version 1")) << first.out;
  const IllctlRun again = ctl({"policy", "load", path});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(has(again.out, "is the policy in force already (version 1): nothing loaded")) << again.out;
  EXPECT_EQ(count("SELECT count(*) FROM lending_policy_versions"), 1);
  const std::string changed = file("policy.toml", std::string(kPolicy) + "[libraries.\"IRL:GHOST\"]\nregion = \"south\"\n");
  const IllctlRun second = ctl({"policy", "load", changed});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(has(second.out, "version 2")) << second.out;
  EXPECT_TRUE(has(second.err, "warning: IRL:GHOST has a section but is not a registered peer")) << second.err;
  EXPECT_EQ(count("SELECT count(*) FROM lending_policy_libraries WHERE version = 2"), 2);
  EXPECT_EQ(count("SELECT max_in_hand FROM lending_policy_libraries WHERE version = 2 AND symbol = 'IRL:A'"), 20);
  // An invalid file is never loaded.
  EXPECT_EQ(ctl({"policy", "load", file("bad2.toml", "[defaults]\n")}).exit_code, 1);
  EXPECT_EQ(count("SELECT count(*) FROM lending_policy_versions"), 2);

  const IllctlRun show1 = ctl({"policy", "show", "--version", "1"});
  ASSERT_EQ(show1.exit_code, 0) << show1.err;
  EXPECT_TRUE(has(show1.out, "# lending-policy version 1, loaded ")) << show1.out;
  EXPECT_TRUE(has(show1.out, std::string(kPolicy))) << show1.out;
  EXPECT_FALSE(has(show1.out, "IRL:GHOST"));
  const IllctlRun current = ctl({"policy", "show"});
  EXPECT_TRUE(has(current.out, "version 2") && has(current.out, "IRL:GHOST")) << current.out;
  const IllctlRun none = ctl({"policy", "show", "--version", "9"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(has(none.err, "no lending-policy version 9")) << none.err;
}

}  // namespace
}  // namespace illhub::test
