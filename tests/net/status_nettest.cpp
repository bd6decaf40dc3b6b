// The hub's own status answers over TCP: Status-Query answered from the record (not relayed),
// a stranger's Status-Query refused without leaking anything, and receipts for peers that
// asked for them. Peers encode with YAZ; answers are decoded by YAZ and by our codec.
#include <gtest/gtest.h>

#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

class StatusAnswers : public IlldFixture {
 protected:
  /// The status report in `frame` as our codec renders it (JSON), after YAZ decoded it too.
  static std::string status_json(const std::optional<Bytes>& frame) {
    report_dump(frame, false);
    if (!frame) return {};
    auto decoded = codec::decode(*frame);
    if (!decoded) return {};
    EXPECT_TRUE(codec::read_envelope(*decoded).has_status_report);
    return codec::to_json(*decoded);
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(StatusAnswers, AStatusQueryIsAnsweredByTheHubFromItsRecordAndNotRelayed) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  ASSERT_TRUE(borrower.send(apdu(kIllRequest, "SQ", "090000")));
  ASSERT_TRUE(lender.receive()) << "the request was not relayed";
  ASSERT_EQ(text("SELECT responder_state FROM transactions"), "3");  // IN-PROCESS

  ASSERT_TRUE(borrower.send(apdu(kStatusQuery, "SQ", "090100")));
  const std::string json = status_json(borrower.receive());
  // The requester learns the responder's state, from the hub, while nobody asked the lender.
  EXPECT_TRUE(contains(json, "\"provider-status-report\": \"iN-PROCESS\"")) << json;
  EXPECT_TRUE(contains(json, "\"most-recent-service\": \"iLL-REQUEST\"")) << json;
  EXPECT_TRUE(contains(json, "\"transaction-qualifier\": \"SQ\"")) << json;
  EXPECT_FALSE(lender.receive(300ms)) << "the Status-Query must not be relayed";

  // Both the query and the answer are on record; no state changed, nothing went to the outbox.
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE apdu_kind = 18 AND direction = 'in' AND accepted "
                 "AND transaction_id IS NOT NULL"), "1");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE apdu_kind = 19 AND direction = 'out' AND peer_symbol = 'IRL:BOR'"),
            "1");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "1");
  EXPECT_EQ(text("SELECT requester_state || '/' || responder_state FROM transactions"), "2/3");
}

TEST_F(StatusAnswers, AStatusQueryAboutSomebodyElsesTransactionGetsTransactionIdProblemUnknown) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  add_peer("IRL:OTH", "127.0.0.4/32");
  start_illd();
  TestPeer borrower, lender, other;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  ASSERT_TRUE(other.connect(illd_.port(), "127.0.0.4")) << other.error();
  ASSERT_TRUE(borrower.send(apdu(kIllRequest, "MINE", "090000")));
  ASSERT_TRUE(lender.receive());

  // Same transaction id, sent by a registered library that is not one of its parties.
  testing::SampleOptions o;
  o.qualifier = "MINE";
  o.responder_symbol = "IRL:OTH";
  ASSERT_TRUE(other.send(testing::yaz_encode_sample(kStatusQuery, o)));
  const auto answer = other.receive();
  const std::string dump = report_dump(answer);
  auto decoded = codec::decode(*answer);
  ASSERT_TRUE(decoded);
  const std::string json = codec::to_json(*decoded);
  EXPECT_TRUE(contains(json, "\"transaction-id-problem\": \"unknown-transaction-id\"")) << json;
  EXPECT_FALSE(contains(json, "\"status-report\"")) << "nothing about the transaction may leak: " << json;
  EXPECT_FALSE(borrower.receive(300ms));
  EXPECT_FALSE(lender.receive(300ms));
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE apdu_kind = 18 AND NOT accepted AND peer_symbol = 'IRL:OTH'"),
            "1");
}

TEST_F(StatusAnswers, APeerThatAskedForReceiptsGetsOneAfterEachCommitAndOthersGetNone) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  text("UPDATE peers SET receipts = true WHERE symbol = 'IRL:BOR' RETURNING symbol");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  const Bytes request = apdu(kIllRequest, "RCPT", "090000");
  ASSERT_TRUE(borrower.send(request));
  const std::string receipt = status_json(borrower.receive());
  EXPECT_TRUE(contains(receipt, "receipt: ILL-Request recorded as event ")) << receipt;
  EXPECT_TRUE(contains(receipt, "\"provider-status-report\": \"iN-PROCESS\"")) << receipt;
  // The receipt comes after COMMIT: the event it names exists.
  const std::string event_id = text("SELECT id FROM events WHERE apdu_kind = 1 AND accepted");
  EXPECT_TRUE(contains(receipt, "recorded as event " + event_id + ";")) << receipt;
  EXPECT_EQ(lender.receive(), request);

  // Sent again (as after a lost connection): a receipt that says it was recorded before,
  // and nothing relayed twice.
  ASSERT_TRUE(borrower.send(request));
  const std::string repeat = status_json(borrower.receive());
  EXPECT_TRUE(contains(repeat, "receipt: ILL-Request was recorded before")) << repeat;
  EXPECT_FALSE(lender.receive(300ms)) << "a repeat must not be relayed";

  // The lender did not ask for receipts: its answer is relayed and it hears nothing back.
  const Bytes answer = apdu(kIllAnswer, "RCPT", "090100");
  ASSERT_TRUE(lender.send(answer));
  EXPECT_EQ(borrower.receive(), answer);
  EXPECT_FALSE(lender.receive(300ms));
}

}  // namespace
}  // namespace illhub::test
