#include <gtest/gtest.h>

#include "illhub/routing/normalise.hpp"

namespace illhub::routing {
namespace {

std::string ok(const Result<std::string, std::string>& r) {
  EXPECT_TRUE(r) << (r ? "" : r.error());
  return r ? *r : std::string();
}

TEST(NormaliseIsbn, ConvertsIsbn10ToIsbn13WithANewCheckDigit) {
  EXPECT_EQ(ok(normalise_isbn("0-306-40615-2")), "9780306406157");
  EXPECT_EQ(ok(normalise_isbn("0306406152")), "9780306406157");
  EXPECT_EQ(ok(normalise_isbn("080442957X")), "9780804429573");
  EXPECT_EQ(ok(normalise_isbn("0-8044-2957-x")), "9780804429573");
}

TEST(NormaliseIsbn, AcceptsLabelsHyphensSpacesAndQualifiers) {
  EXPECT_EQ(ok(normalise_isbn("978-0-306-40615-7")), "9780306406157");
  EXPECT_EQ(ok(normalise_isbn("ISBN: 978 0 306 40615 7")), "9780306406157");
  EXPECT_EQ(ok(normalise_isbn("0306406152 (pbk.)")), "9780306406157");
  EXPECT_EQ(ok(normalise_isbn("  isbn 0-14-044913-2 : £9.99")), "9780140449136");
}

TEST(NormaliseIsbn, RefusesWrongCheckDigitsLengthsAndPrefixes) {
  auto wrong10 = normalise_isbn("0-306-40615-3");
  ASSERT_FALSE(wrong10);
  EXPECT_NE(wrong10.error().find("check digit"), std::string::npos) << wrong10.error();
  EXPECT_FALSE(normalise_isbn("9780306406158"));  // EAN check digit off by one
  auto prefix = normalise_isbn("1234567890128");
  ASSERT_FALSE(prefix);
  EXPECT_NE(prefix.error().find("978 or 979"), std::string::npos) << prefix.error();
  auto short_one = normalise_isbn("030640615");
  ASSERT_FALSE(short_one);
  EXPECT_NE(short_one.error().find("9 digits"), std::string::npos) << short_one.error();
  EXPECT_FALSE(normalise_isbn("X306406152"));  // X only as the check digit
  EXPECT_FALSE(normalise_isbn(""));
  EXPECT_FALSE(normalise_isbn("(pbk.)"));
}

TEST(NormaliseIssn, KeepsEightCharactersAndChecksTheCheckDigit) {
  EXPECT_EQ(ok(normalise_issn("0317-8471")), "03178471");
  EXPECT_EQ(ok(normalise_issn("ISSN 2434-561x")), "2434561X");
  EXPECT_EQ(ok(normalise_issn("1050-124X")), "1050124X");
  EXPECT_FALSE(normalise_issn("0317-8472"));
  EXPECT_FALSE(normalise_issn("0317-847"));
  EXPECT_FALSE(normalise_issn("X317-8471"));
}

TEST(NormaliseOclc, DropsPrefixesAndLeadingZeros) {
  EXPECT_EQ(ok(normalise_oclc("(OCoLC)ocm00012345")), "12345");
  EXPECT_EQ(ok(normalise_oclc("ocn123456789")), "123456789");
  EXPECT_EQ(ok(normalise_oclc("on1234567890")), "1234567890");
  EXPECT_EQ(ok(normalise_oclc(" 42 ")), "42");
  EXPECT_FALSE(normalise_oclc("(OCoLC)12a"));
  EXPECT_FALSE(normalise_oclc("(OCoLC)"));
}

TEST(FoldText, LowersFoldsDiacriticsAndCollapsesPunctuation) {
  EXPECT_EQ(fold_text("Les Misérables :  Tome 1!"), "les miserables tome 1");
  EXPECT_EQ(fold_text("Straße, Œuvres; Ærø"), "strasse oeuvres aero");
  EXPECT_EQ(fold_text("Łódź — Kraków"), "lodz krakow");
  EXPECT_EQ(fold_text("Cafe\xCC\x81"), "cafe");                // e + combining acute
  EXPECT_EQ(fold_text("Война и мир"), "Война и мир");         // other scripts stay as they are
  EXPECT_EQ(fold_text("bad \xFF byte"), "bad byte");          // an invalid byte is a separator
  EXPECT_EQ(fold_text(" ... "), "");
}

TEST(TitleKey, DropsOneLeadingArticle) {
  EXPECT_EQ(title_key("The Stranger"), "stranger");
  EXPECT_EQ(title_key("stranger"), "stranger");
  EXPECT_EQ(title_key("L'Étranger"), title_key("Étranger"));
  EXPECT_EQ(title_key("Der Prozess"), "prozess");
  EXPECT_EQ(title_key("A"), "a");                        // a title that is only an article stays
  EXPECT_EQ(title_key("The The"), "the");                // one article only
  EXPECT_EQ(title_key("Theory of Games"), "theory of games");
}

TEST(AuthorKey, IsTheSurnameInEitherOrder) {
  EXPECT_EQ(author_key("Camus, Albert, 1913-1960"), "camus");
  EXPECT_EQ(author_key("Albert Camus"), "camus");
  EXPECT_EQ(author_key("García Márquez, Gabriel"), "marquez");
  EXPECT_EQ(author_key("Gabriel García Márquez"), "marquez");
  EXPECT_EQ(author_key("de la Mare, Walter"), author_key("Walter de la Mare"));
  EXPECT_EQ(author_key(""), "");
  EXPECT_EQ(author_key("1913-1960"), "");
}

}  // namespace
}  // namespace illhub::routing
