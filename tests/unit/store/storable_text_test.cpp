#include "illhub/store/storable_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace illhub::store {
namespace {

using namespace std::string_literals;

codec::Envelope request() {
  codec::Envelope e;
  e.transaction_id.initial_requester.symbol = "IRL:BOR";
  e.transaction_id.group_qualifier = "G1";
  e.transaction_id.qualifier = "T1";
  e.service_date_time = {"20261124", "101500", "", ""};
  e.requester_id.symbol = "IRL:BOR";
  e.responder_id.symbol = "IRL:LEN";
  e.item.title = "Prêt entre bibliothèques — 日本語 🙂";
  return e;
}

TEST(StorableText, AcceptsUtf8AndSqlMetacharacters) {
  EXPECT_FALSE(text_column_problem("'; DROP TABLE events; -- \\ $1 E'\\x00' \"q\" %_"));
  EXPECT_FALSE(text_column_problem("Prêt — 日本語 🙂"));
  EXPECT_FALSE(text_column_problem(""));
  EXPECT_FALSE(unstorable_field(request()));
}

TEST(StorableText, NamesTheNulByteAndItsOffset) {
  EXPECT_EQ(text_column_problem("ab\0c"s), "contains a NUL byte at offset 2");
}

TEST(StorableText, RefusesMalformedUtf8) {
  EXPECT_EQ(text_column_problem("a\xff"), "is not valid UTF-8 at offset 1");
  EXPECT_EQ(text_column_problem("Pr\xeat"), "is not valid UTF-8 at offset 2");  // Latin-1 ê
  EXPECT_TRUE(text_column_problem("\xc0\xaf"));                                 // overlong '/'
  EXPECT_TRUE(text_column_problem("\xed\xa0\x80"));                             // a surrogate
  EXPECT_TRUE(text_column_problem("\xf4\x90\x80\x80"));                         // above U+10FFFF
  EXPECT_TRUE(text_column_problem("\xe6\x97"));                                 // cut short
}

TEST(StorableText, NamesTheFirstFieldThatCannotBeStored) {
  codec::Envelope e = request();
  e.transaction_id.qualifier = "T\0"s;
  EXPECT_EQ(unstorable_field(e), "transaction-qualifier: contains a NUL byte at offset 1");
  e = request();
  e.item.author = "\x80";
  EXPECT_FALSE(unstorable_field(e)) << "the item summary is made storable, not refused";
  e = request();
  e.transaction_id.initial_requester = {};
  e.transaction_id.initial_requester.name = "N\0"s;  // the name stands in for an absent symbol
  EXPECT_EQ(unstorable_field(e), "initial-requester-id: contains a NUL byte at offset 1");
}

TEST(StorableText, LimitsEachTransactionIdPartAtTheBoundary) {
  codec::Envelope e = request();
  e.transaction_id.sub_qualifier = std::string(kMaxTransactionIdPartBytes, 's');
  EXPECT_FALSE(unstorable_field(e));
  e.transaction_id.sub_qualifier += 's';
  EXPECT_EQ(unstorable_field(e), "sub-transaction-qualifier: 513 bytes, more than the 512 this hub keeps in a "
                                 "Transaction-Id");
  // Other text has no such limit: it is not part of a key.
  e = request();
  e.item.title = std::string(64 * 1024, 't');
  EXPECT_FALSE(unstorable_field(e));
}

TEST(StorableText, SummaryTextKeepsUtf8AndReadsOtherBytesAsLatin1) {
  EXPECT_EQ(summary_text("Prêt — 日本語"), "Prêt — 日本語");
  EXPECT_EQ(summary_text("Do\xe9, Jane"), "Doé, Jane");           // Latin-1 é
  EXPECT_EQ(summary_text("\x80\xff"), "\u0080ÿ");                   // every byte has a code point
  EXPECT_EQ(summary_text("Inter\0ibrary"s), "Inter\uFFFDibrary");   // NUL made visible
  EXPECT_EQ(summary_text("\xe6\x97"), "æ\u0097");                   // a cut-short sequence, byte by byte
  EXPECT_FALSE(text_column_problem(summary_text("\xc0\x80\xed\xa0\x80\0"s)));
}

}  // namespace
}  // namespace illhub::store
