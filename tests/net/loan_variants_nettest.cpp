// The other ways a transaction goes, end to end through a real illd with YAZ-encoded peers:
// a copy, a conditional answer accepted, a cancel, an unfilled answer. Each APDU must arrive
// byte-identical; states and ledger are checked in the database; an APDU the tables no longer
// allow afterwards is refused with state-transition-prohibited and not relayed.
#include <gtest/gtest.h>

#include <functional>

#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"

namespace illhub::test {
namespace {

enum MoreKinds : int { kConditionalReply = 5, kCancel = 6, kCancelReply = 7 };
enum AnswerResult : int { kConditional = 1, kUnfilled = 3, kWillSupply = 5 };

class LoanVariants : public IlldFixture {
 protected:
  void SetUp() override {
    IlldFixture::SetUp();
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
    start_illd();
    ASSERT_TRUE(borrower_.connect(illd_.port(), kBorrowerAddress)) << borrower_.error();
    ASSERT_TRUE(lender_.connect(illd_.port(), kLenderAddress)) << lender_.error();
  }

  using Options = std::function<void(testing::SampleOptions&)>;

  Bytes sample(int kind, const std::string& qualifier, const Options& options = {}) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.time = std::to_string(100000 + ++step_);  // every APDU its own service time
    if (options) options(o);
    return testing::yaz_encode_sample(kind, o);
  }

  /// `kind` from the borrower (or the lender) must reach the other side unchanged.
  void relay(bool from_borrower, int kind, const std::string& qualifier, const Options& options = {}) {
    const Bytes sent = sample(kind, qualifier, options);
    ASSERT_TRUE((from_borrower ? borrower_ : lender_).send(sent));
    const auto got = (from_borrower ? lender_ : borrower_).receive();
    ASSERT_TRUE(got) << "APDU kind " << kind << " was not relayed\n" << illd_.log();
    EXPECT_EQ(*got, sent) << "APDU kind " << kind << " changed on the way";
  }

  /// `kind` must be refused as state-transition-prohibited and reach nobody.
  void refused(bool from_borrower, int kind, const std::string& qualifier) {
    ASSERT_TRUE((from_borrower ? borrower_ : lender_).send(sample(kind, qualifier)));
    const auto report = (from_borrower ? borrower_ : lender_).receive();
    report_dump(report);
    ASSERT_TRUE(report);
    auto decoded = codec::decode(*report);
    ASSERT_TRUE(decoded);
    const std::string json = codec::to_json(*decoded);
    EXPECT_NE(json.find("state-transition-prohibited"), std::string::npos) << json;
    EXPECT_FALSE((from_borrower ? lender_ : borrower_).receive(300ms)) << "a refused APDU must not be relayed";
  }

  std::string states() { return text("SELECT requester_state || '/' || responder_state FROM transactions"); }

  /// Every event's postings balance in every currency (double entry).
  std::string unbalanced_events() {
    return text("SELECT count(*) FROM (SELECT event_id, currency FROM ledger_postings "
                "GROUP BY event_id, currency HAVING sum(amount) <> 0) x");
  }

  TestPeer borrower_, lender_;
  int step_ = 0;
};

TEST_F(LoanVariants, ACopyEndsWhenReceivedMovesNoItemAndCannotBeReturned) {
  const auto copy = [](testing::SampleOptions& o) { o.copy = true; };
  relay(true, kIllRequest, "COPY", copy);
  relay(false, kIllAnswer, "COPY", [](auto& o) { o.answer_results = kWillSupply; });
  relay(false, kShipped, "COPY", copy);
  relay(true, kReceived, "COPY", copy);
  EXPECT_EQ(text("SELECT is_loan FROM transactions"), "f");
  EXPECT_EQ(states(), "9/9");  // RECEIVED: a copy has nothing to return
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings WHERE currency = 'ITM'"), "0") << "a copy is not an item on loan";
  EXPECT_EQ(unbalanced_events(), "0");
  refused(true, kReturned, "COPY");
  EXPECT_EQ(states(), "9/9");
}

TEST_F(LoanVariants, AConditionalAnswerAcceptedLeadsOnToShipping) {
  relay(true, kIllRequest, "COND");
  relay(false, kIllAnswer, "COND", [](auto& o) { o.answer_results = kConditional; });
  EXPECT_EQ(states(), "5/5");  // CONDITIONAL
  relay(true, kConditionalReply, "COND", [](auto& o) { o.answer = true; });
  relay(false, kShipped, "COND");
  EXPECT_EQ(states(), "8/8");  // SHIPPED
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings WHERE currency = 'ITM' AND kind = 'loan-out'"), "2");
  EXPECT_EQ(unbalanced_events(), "0");
}

TEST_F(LoanVariants, ACancelAcceptedEndsTheTransactionAndNothingShipsAfterIt) {
  relay(true, kIllRequest, "CANCEL");
  relay(true, kCancel, "CANCEL");
  EXPECT_EQ(states(), "6/6");  // CANCEL-PENDING
  relay(false, kCancelReply, "CANCEL", [](auto& o) { o.answer = true; });
  EXPECT_EQ(states(), "7/7");  // CANCELLED
  refused(false, kShipped, "CANCEL");
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings"), "0");
}

TEST_F(LoanVariants, AnUnfilledAnswerEndsTheTransactionAndNothingShipsAfterIt) {
  relay(true, kIllRequest, "UNFILLED");
  relay(false, kIllAnswer, "UNFILLED", [](auto& o) { o.answer_results = kUnfilled; });
  EXPECT_EQ(states(), "1/1");  // NOT-SUPPLIED
  refused(false, kShipped, "UNFILLED");
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings"), "0");
}

}  // namespace
}  // namespace illhub::test
