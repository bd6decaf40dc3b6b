// Authorisation and injection over real TCP against a real illd (docs/NET.md, "Peer identity";
// docs/STORE.md, "Peer text in the database"):
//  - a registered library that is no party of a transaction, sending every APDU kind for it;
//  - sender ids that are not the connection's library (requester-id, responder-id, and an
//    initial-requester-id taking another library's name);
//  - a disabled library, and an address no library may use;
//  - SQL metacharacters, NUL bytes, malformed UTF-8 and 64 KiB strings in the text fields the
//    hub stores or looks up.
// Each refusal must answer with the defined report, change nothing (transactions, accepted
// events, outbox, ledger), reach no other library, and leave the schema as it was. Whatever is
// accepted is compared byte for byte with what the database holds.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

using namespace std::string_literals;

constexpr const char* kOtherAddress = "127.0.0.4";
constexpr int kForwardNotification = 2, kConditionalReply = 5, kCancel = 6, kCancelReply = 7, kRecall = 9,
              kOverdue = 12, kRenew = 13, kRenewAnswer = 14, kLost = 15, kDamaged = 16, kMessage = 17,
              kStatusOrErrorReport = 19, kExpired = 20;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// `bytes` with the only occurrence of `from` replaced by `to` (the same length, so no BER
/// length changes). Fails the test when `from` is missing or appears more than once.
Bytes patched(Bytes bytes, const std::string& from, const std::string& to) {
  EXPECT_EQ(from.size(), to.size());
  const auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  EXPECT_NE(at, bytes.end()) << from << " not in the APDU";
  if (at == bytes.end()) return bytes;
  EXPECT_EQ(std::search(at + 1, bytes.end(), from.begin(), from.end()), bytes.end()) << from << " twice";
  std::copy(to.begin(), to.end(), at);
  return bytes;
}

/// `bytes` with the first "IRL:OTH" (a sample's initial-requester-id, which comes before
/// requester-id) changed to "IRL:BOR": a Transaction-Id in IRL:BOR's name, sent by IRL:OTH.
Bytes in_borrowers_name(Bytes bytes) {
  const std::string sym = "IRL:OTH";
  const auto at = std::search(bytes.begin(), bytes.end(), sym.begin(), sym.end());
  EXPECT_NE(at, bytes.end());
  if (at != bytes.end()) std::copy_n("IRL:BOR", 7, at);
  return bytes;
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hex(const Bytes& b) { return hex(std::string(b.begin(), b.end())); }

class Authz : public IlldFixture {
 protected:
  /// BOR and LEN connected, OTH registered too (and connected unless `other_enabled` is false).
  void start_three(bool other_enabled = true) {
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
    add_peer("IRL:OTH", "127.0.0.4/32");
    if (!other_enabled) text("UPDATE peers SET enabled = false WHERE symbol = 'IRL:OTH' RETURNING symbol");
    start_illd();
    ASSERT_TRUE(borrower_.connect(illd_.port(), kBorrowerAddress)) << borrower_.error();
    ASSERT_TRUE(lender_.connect(illd_.port(), kLenderAddress)) << lender_.error();
    ASSERT_TRUE(other_.connect(illd_.port(), kOtherAddress)) << other_.error();
  }

  /// A loan between BOR and LEN, requested and answered: both sides past their first state.
  void open_loan(const std::string& qualifier) {
    const Bytes request = apdu(kIllRequest, qualifier, "100001");
    ASSERT_TRUE(borrower_.send(request));
    ASSERT_EQ(lender_.receive(), request);
    const Bytes answer = apdu(kIllAnswer, qualifier, "100002");
    ASSERT_TRUE(lender_.send(answer));
    ASSERT_EQ(borrower_.receive(), answer);
  }

  /// Everything an APDU could change, as one string: transaction rows, accepted inbound events,
  /// outbox and ledger (refusals are recorded as events with accepted = false, the hub's answers
  /// to Status-Queries as outbound events: both are left out).
  std::string data_state() {
    return text(
        "SELECT concat_ws(' | ',"
        " (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM transactions t),"
        " (SELECT count(*) || ':' || md5(coalesce(string_agg(id || '/' || encode(raw_ber, 'hex'), ',' ORDER BY id), ''))"
        "    FROM events WHERE accepted AND direction = 'in'),"
        " (SELECT count(*) || ':' || md5(coalesce(string_agg(id || '/' || recipient_symbol || '/' || encode(apdu, 'hex'),"
        "    ',' ORDER BY id), '')) FROM outbox),"
        " (SELECT count(*) || ':' || md5(coalesce(string_agg(p::text, ',' ORDER BY id), '')) FROM ledger_postings p))");
  }

  /// The schema: every column, constraint, index, trigger and function of the public schema.
  std::string schema_state() {
    return text(
        "SELECT concat_ws(' | ',"
        " (SELECT md5(string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' ||"
        "    coalesce(column_default, ''), ',' ORDER BY table_name, ordinal_position)) FROM information_schema.columns"
        "    WHERE table_schema = 'public'),"
        " (SELECT md5(string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)) FROM pg_class c"
        "    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'),"
        " (SELECT md5(string_agg(conname || ':' || pg_get_constraintdef(oid), ',' ORDER BY conname)) FROM pg_constraint"
        "    WHERE connamespace = 'public'::regnamespace),"
        " (SELECT md5(string_agg(tgname, ',' ORDER BY tgname)) FROM pg_trigger WHERE NOT tgisinternal),"
        " (SELECT md5(string_agg(proname || ':' || md5(prosrc), ',' ORDER BY proname)) FROM pg_proc"
        "    WHERE pronamespace = 'public'::regnamespace),"
        " (SELECT count(*) FROM schema_migrations))");
  }

  /// The first value of `sql` run with one parameter.
  std::string text_param(const std::string& sql, const std::string& param) {
    auto r = conn_->exec(sql, {param});
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  /// The next frame `peer` gets, which must be an error report, as our codec's JSON.
  std::string answer_json(TestPeer& peer) {
    const auto answer = peer.receive();
    report_dump(answer);
    if (!answer) return {};
    auto decoded = codec::decode(*answer);
    return decoded ? codec::to_json(*decoded) : std::string();
  }

  /// Nothing arrived at BOR or LEN.
  void expect_nothing_relayed() {
    EXPECT_FALSE(borrower_.receive(300ms)) << "something reached IRL:BOR";
    EXPECT_FALSE(lender_.receive(300ms)) << "something reached IRL:LEN";
  }

  TestPeer borrower_, lender_, other_;
};

/// An APDU for BOR and LEN's transaction `qualifier`, sent by OTH in the role `kind` belongs to:
/// requester-side kinds name OTH as requester-id, responder-side and either-side kinds as
/// responder-id. Its Transaction-Id is BOR's (initial-requester-id IRL:BOR) in every case.
Bytes from_other(int kind, const std::string& qualifier, const std::string& time) {
  static const std::vector<int> requester_side = {kIllRequest, kConditionalReply, kCancel, kReceived, kReturned,
                                                  kRenew};
  const bool as_requester = std::find(requester_side.begin(), requester_side.end(), kind) != requester_side.end();
  testing::SampleOptions o;
  o.qualifier = qualifier;
  o.time = time;
  if (as_requester) o.requester_symbol = "IRL:OTH";
  else o.responder_symbol = "IRL:OTH";
  Bytes ber = testing::yaz_encode_sample(kind, o);
  if (as_requester) ber = in_borrowers_name(std::move(ber));
  auto decoded = codec::decode(ber);
  EXPECT_TRUE(decoded) << kind;
  if (decoded) {
    const codec::Envelope e = codec::read_envelope(*decoded);
    EXPECT_EQ(e.transaction_id.initial_requester.symbol, "IRL:BOR") << kind;
    EXPECT_TRUE(e.requester_id.symbol == "IRL:OTH" || e.responder_id.symbol == "IRL:OTH") << kind;
  }
  return ber;
}

TEST_F(Authz, AThirdLibrarySendingEveryKindForATransactionItIsNoPartyToGetsUnknownTransactionAndChangesNothing) {
  start_three();
  open_loan("AUTHZ1");
  const std::string before = data_state();
  const std::string refusals_before = text("SELECT count(*) FROM events WHERE NOT accepted");

  const std::vector<int> kinds = {kIllRequest, kForwardNotification, kShipped, kIllAnswer, kConditionalReply, kCancel,
                                  kCancelReply, kReceived, kRecall, kReturned, kCheckedIn, kOverdue, kRenew,
                                  kRenewAnswer, kLost, kDamaged, kMessage, kStatusQuery, kStatusOrErrorReport,
                                  kExpired};
  int n = 0;
  for (int kind : kinds) {
    SCOPED_TRACE("APDU kind " + std::to_string(kind));
    ASSERT_TRUE(other_.send(from_other(kind, "AUTHZ1", std::to_string(110000 + ++n))));
    const std::string json = answer_json(other_);
    // The answer a transaction that does not exist gets: nothing says this one does.
    EXPECT_TRUE(contains(json, "\"transaction-id-problem\": \"unknown-transaction-id\"")) << json;
    EXPECT_FALSE(contains(json, "\"status-report\"")) << json;
    EXPECT_FALSE(contains(json, "PENDING") || contains(json, "IN-PROCESS")) << json;
  }
  expect_nothing_relayed();
  EXPECT_EQ(data_state(), before);
  // Each refusal is on record (who, what, why), none as accepted.
  EXPECT_EQ(std::stoi(text("SELECT count(*) FROM events WHERE NOT accepted")) - std::stoi(refusals_before),
            static_cast<int>(kinds.size()));
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE peer_symbol = 'IRL:OTH' AND accepted AND direction = 'in'"), "0");
  EXPECT_EQ(text("SELECT count(DISTINCT reason) FROM events WHERE peer_symbol = 'IRL:OTH' AND apdu_kind <> 18"), "1");
  EXPECT_EQ(text("SELECT min(reason) FROM events WHERE peer_symbol = 'IRL:OTH' AND apdu_kind <> 18"),
            "sender is neither requester nor responder of the transaction");

  // The parties carry on as if nothing happened.
  const Bytes shipped = apdu(kShipped, "AUTHZ1", "120000");
  ASSERT_TRUE(lender_.send(shipped));
  EXPECT_EQ(borrower_.receive(), shipped);
}

TEST_F(Authz, SenderIdsThatAreNotTheConnectionsLibraryGetASecurityProblemAndChangeNothing) {
  start_three();
  open_loan("AUTHZ2");
  const std::string before = data_state();
  const std::string events_before = text("SELECT count(*) FROM events");

  struct Spoof {
    int kind;
    std::string requester, responder, why;
  };
  // On IRL:OTH's connection: the lender's Shipped, the borrower's Cancel, a Message and a Lost
  // between the two, each naming the real parties only.
  const std::vector<Spoof> spoofs = {{kShipped, "IRL:BOR", "IRL:LEN", "responder-id IRL:LEN"},
                                     {kCancel, "IRL:BOR", "IRL:LEN", "requester-id IRL:BOR"},
                                     {kMessage, "IRL:BOR", "IRL:LEN", "neither"},
                                     {kLost, "IRL:BOR", "IRL:LEN", "neither"},
                                     {kStatusQuery, "IRL:BOR", "IRL:LEN", "neither"}};
  int n = 0;
  for (const Spoof& s : spoofs) {
    SCOPED_TRACE(s.why + ", kind " + std::to_string(s.kind));
    testing::SampleOptions o;
    o.qualifier = "AUTHZ2";
    o.time = std::to_string(130000 + ++n);
    o.requester_symbol = s.requester;
    o.responder_symbol = s.responder;
    ASSERT_TRUE(other_.send(testing::yaz_encode_sample(s.kind, o)));
    const std::string json = answer_json(other_);
    EXPECT_TRUE(contains(json, "\"security-problem\"")) << json;
    EXPECT_TRUE(contains(json, "speaks for IRL:OTH")) << json;
  }
  expect_nothing_relayed();
  EXPECT_EQ(data_state(), before);
  EXPECT_EQ(text("SELECT count(*) FROM events"), events_before) << "identity refusals are not recorded";
}

TEST_F(Authz, ARequestInAnotherLibrarysNameIsRefusedSoThatLibraryCanStillUseTheQualifier) {
  start_three();
  // IRL:OTH, speaking as itself (requester-id), tries to take IRL:BOR's next Transaction-Id.
  testing::SampleOptions o;
  o.qualifier = "NEXT-OF-BOR";
  o.time = "140001";
  o.requester_symbol = "IRL:OTH";
  const Bytes squat = in_borrowers_name(testing::yaz_encode_sample(kIllRequest, o));
  auto decoded = codec::decode(squat);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(codec::read_envelope(*decoded).requester_id.symbol, "IRL:OTH");
  ASSERT_TRUE(other_.send(squat));
  const std::string json = answer_json(other_);
  EXPECT_TRUE(contains(json, "\"security-problem\"")) << json;
  EXPECT_TRUE(contains(json, "IRL:OTH may not start a transaction in the name of IRL:BOR")) << json;
  expect_nothing_relayed();
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "0");

  // IRL:BOR's own request with that Transaction-Id goes through.
  const Bytes mine = apdu(kIllRequest, "NEXT-OF-BOR", "140002");
  ASSERT_TRUE(borrower_.send(mine));
  EXPECT_EQ(lender_.receive(), mine);
  EXPECT_EQ(text("SELECT requester_symbol FROM transactions WHERE qualifier = 'NEXT-OF-BOR'"), "IRL:BOR");
}

TEST_F(Authz, ADisabledLibraryAndAnUnknownAddressAreRefusedAndChangeNothing) {
  start_three(/*other_enabled=*/false);
  open_loan("AUTHZ3");
  const std::string before = data_state();
  const std::string events_before = text("SELECT count(*) FROM events");

  // The disabled library, from its own address, as the lender's replacement and as itself.
  ASSERT_TRUE(other_.send(from_other(kShipped, "AUTHZ3", "150001")));
  std::string json = answer_json(other_);
  EXPECT_TRUE(contains(json, "\"security-problem\"")) << json;
  // An address no library may use, claiming to be the lender of the open loan.
  TestPeer stranger;
  ASSERT_TRUE(stranger.connect(illd_.port(), kStrangerAddress)) << stranger.error();
  ASSERT_TRUE(stranger.send(apdu(kShipped, "AUTHZ3", "150002")));
  json = answer_json(stranger);
  EXPECT_TRUE(contains(json, "\"security-problem\"")) << json;
  expect_nothing_relayed();
  EXPECT_EQ(data_state(), before);
  EXPECT_EQ(text("SELECT count(*) FROM events"), events_before);

  // A request to the disabled library: refused as not a member, recorded as a refusal only.
  testing::SampleOptions o;
  o.qualifier = "TO-DISABLED";
  o.time = "150003";
  o.responder_symbol = "IRL:OTH";
  ASSERT_TRUE(borrower_.send(testing::yaz_encode_sample(kIllRequest, o)));
  json = answer_json(borrower_);
  EXPECT_TRUE(contains(json, "IRL:OTH is not a member of this hub")) << json;
  EXPECT_FALSE(other_.receive(300ms));
  EXPECT_EQ(data_state(), before);
}

// ---------------------------------------------------------------------------------------------
// Injection: text the hub stores or looks up.

const std::vector<std::string> kMetacharacters = {
    "'; DROP TABLE events; --",
    "x' OR '1'='1",
    "\\'; SELECT pg_sleep(5); --",
    "$1 $$ $tag$ E'\\x41' U&'\\0041'",
    "\"quoted\" `back` \\\\ \\0 %s %n _%",
    "Robert'); DELETE FROM transactions WHERE ('1'='1",
    "日本語 ' ; -- /* */ \t\r\n"};

TEST_F(Authz, SqlMetacharactersInQualifiersNotesAndItemAreStoredAndRelayedVerbatim) {
  start_three();
  const std::string schema_before = schema_state();
  int n = 0;
  for (const std::string& payload : kMetacharacters) {
    SCOPED_TRACE(payload);
    ++n;
    testing::SampleOptions o;
    o.group_qualifier = payload;
    o.qualifier = payload + std::to_string(n);
    o.note = payload;
    o.time = std::to_string(160000 + n);
    // title and author: the sample's own text replaced by the payload cut or padded to its length.
    std::string title(testing::kDefaultTitle), author(testing::kDefaultAuthor);
    std::string new_title = (payload + std::string(title.size(), '.')).substr(0, title.size());
    std::string new_author = (payload + std::string(author.size(), '.')).substr(0, author.size());
    const Bytes request =
        patched(patched(testing::yaz_encode_sample(kIllRequest, o), title, new_title), author, new_author);
    ASSERT_TRUE(borrower_.send(request));
    ASSERT_EQ(lender_.receive(), request) << "not relayed byte for byte";
    EXPECT_EQ(text_param("SELECT encode(convert_to(group_qualifier, 'UTF8'), 'hex') || '/' || "
                         "encode(convert_to(item_title, 'UTF8'), 'hex') || '/' || "
                         "encode(convert_to(item_author, 'UTF8'), 'hex') FROM transactions WHERE qualifier = $1",
                         o.qualifier),
              hex(payload) + "/" + hex(new_title) + "/" + hex(new_author));
    EXPECT_EQ(text_param("SELECT encode(e.raw_ber, 'hex') FROM events e JOIN transactions t ON t.id = e.transaction_id "
                         "WHERE t.qualifier = $1 AND e.accepted",
                         o.qualifier),
              hex(request));
  }
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), std::to_string(kMetacharacters.size()));
  EXPECT_EQ(schema_state(), schema_before);
}

TEST_F(Authz, NulBytesMalformedUtf8AndHugeQualifiersAreRefusedClearlyWhileNotesAndLatin1TitlesAreKept) {
  start_three();
  const std::string schema_before = schema_state();
  const std::string before = data_state();
  struct Bad {
    std::string what;
    Bytes ber;
    std::string problem;
  };
  testing::SampleOptions o;
  o.time = "170001";
  auto request = [&](const std::string& qualifier) {
    o.qualifier = qualifier;
    return testing::yaz_encode_sample(kIllRequest, o);
  };
  o.group_qualifier = "GRP-NUL";
  const Bytes group_nul = patched(request("Q1"), "GRP-NUL", "GRP\0NUL"s);
  o.group_qualifier = "G1";
  const std::vector<Bad> bad = {
      {"NUL in transaction-qualifier", patched(request("QNUL-1"), "QNUL-1", "Q\0UL-1"s),
       "transaction-qualifier: contains a NUL byte at offset 1"},
      {"NUL in transaction-group-qualifier", group_nul, "transaction-group-qualifier: contains a NUL byte at offset 3"},
      {"64 KiB transaction-qualifier", request(std::string(64 * 1024, 'q')),
       "transaction-qualifier: 65536 bytes, more than the 512"}};
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.what);
    ASSERT_TRUE(borrower_.send(b.ber));
    const std::string json = answer_json(borrower_);
    EXPECT_TRUE(contains(json, "\"unable-to-perform\"")) << json.substr(0, 2000);
    EXPECT_TRUE(contains(json, b.problem)) << json.substr(0, 2000);
    EXPECT_TRUE(contains(json, "sending it again will not help")) << json.substr(0, 2000);
  }
  // A NUL in a VisibleString (the service date): the decoder refuses it as malformed.
  ASSERT_TRUE(borrower_.send(patched(apdu(kCancel, "QDATE", "170002"), "20261124", std::string("2026") + '\0' + "124")));
  std::string json = answer_json(borrower_);
  EXPECT_TRUE(contains(json, "\"general-problem\"")) << json;
  EXPECT_FALSE(lender_.receive(300ms)) << "a refused APDU was relayed";
  EXPECT_EQ(data_state(), before);
  EXPECT_TRUE(illd_.log().find("cannot be stored unchanged: transaction-qualifier: contains a NUL byte") !=
              std::string::npos);

  // The item summary columns take the title and author made storable (Latin-1 read as such,
  // NUL made visible); the request itself is relayed and kept byte for byte.
  const Bytes latin1 = patched(patched(request("QLAT-4"), "Doe, Jane", "Do\xe9, Jane"), "Interlibrary",
                               "Inter\0ibrary"s);
  ASSERT_TRUE(borrower_.send(latin1));
  const auto relayed = lender_.receive();
  ASSERT_TRUE(relayed) << "a Latin-1 author was not relayed";
  EXPECT_TRUE(*relayed == latin1) << "not relayed byte for byte";
  EXPECT_EQ(text("SELECT item_author || '/' || position(U&'\\FFFD' IN item_title) FROM transactions "
                 "WHERE qualifier = 'QLAT-4'"),
            "Do\u00e9, Jane/6");
  EXPECT_EQ(text("SELECT encode(raw_ber, 'hex') FROM events e JOIN transactions t ON t.id = e.transaction_id "
                 "WHERE t.qualifier = 'QLAT-4' AND e.accepted AND e.direction = 'in'"),
            hex(latin1));

  // Notes are kept only in raw_ber: a NUL, malformed UTF-8 and 64 KiB pass through verbatim,
  // and so does a 64 KiB title (not part of any key).
  o.note = "NOTE-NUL-AND-\xe9";
  o.time = "170003";
  const Bytes noted = patched(request("NOTED"), "NOTE-NUL", "NOTE\0NUL"s);
  o.note = std::string(64 * 1024, 'n');
  o.title_length = 64 * 1024;
  o.time = "170004";
  const Bytes huge = request("HUGE");
  o.note.clear();
  o.title_length = 0;
  for (const Bytes& b : {noted, huge}) {
    ASSERT_TRUE(borrower_.send(b));
    const auto got = lender_.receive();
    ASSERT_TRUE(got) << "not relayed";
    EXPECT_TRUE(*got == b) << "not relayed byte for byte";
  }
  EXPECT_EQ(text("SELECT count(*) FROM events e JOIN transactions t ON t.id = e.transaction_id WHERE "
                 "t.qualifier IN ('NOTED', 'HUGE') AND e.accepted AND e.raw_ber IN (decode('" + hex(noted) +
                 "', 'hex'), decode('" + hex(huge) + "', 'hex'))"),
            "2");
  EXPECT_EQ(text("SELECT length(item_title) || '/' || md5(item_title) FROM transactions WHERE qualifier = 'HUGE'"),
            text("SELECT 65536 || '/' || md5(rpad('" + std::string(testing::kDefaultTitle) + "', 65536, '.'))"));
  EXPECT_EQ(schema_state(), schema_before);
}

}  // namespace
}  // namespace illhub::test
