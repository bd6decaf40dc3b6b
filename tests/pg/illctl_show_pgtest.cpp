// illctl show and illctl attention against a real event history.
#include "operator_fixture.hpp"

namespace illhub::test {
namespace {

using codec::ApduKind;
using hub::Outcome;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ShowTest : public OperatorTest {
 protected:
  /// A loan shipped (with its charge and item postings) and a refused Returned on another.
  void make_history() {
    for (auto [kind, sender] : std::vector<std::pair<ApduKind, const char*>>{
             {ApduKind::kIllRequest, kBorrower}, {ApduKind::kIllAnswer, kLender}, {ApduKind::kShipped, kLender}})
      ASSERT_EQ(apply(kind, "STORY", sender), Outcome::kAccepted);
    ASSERT_EQ(apply(ApduKind::kIllRequest, "EARLY", kBorrower), Outcome::kAccepted);
    ASSERT_EQ(apply(ApduKind::kReturned, "EARLY", kBorrower), Outcome::kRefused);
  }
  std::string label(const std::string& qualifier) {
    return text("SELECT initial_requester || '/' || group_qualifier || '/' || qualifier FROM transactions "
                "WHERE qualifier = '" + qualifier + "'");
  }
};

TEST_F(ShowTest, TellsATransactionsWholeStory) {
  make_history();
  const IllctlRun r = ctl({"show", "STORY"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& out = r.out;
  EXPECT_TRUE(has(out, "transaction " + label("STORY"))) << out;
  EXPECT_TRUE(has(out, "requester  IRL:BOR (Borrower)  state SHIPPED")) << out;
  EXPECT_TRUE(has(out, "responder  IRL:LEN (Lender)  state SHIPPED")) << out;
  EXPECT_TRUE(has(out, "events (3, in commit order)")) << out;
  // Each APDU decoded as `illctl decode` prints it: its header lines, then its fields.
  const std::string request_text = codec::to_text(sample_apdu(ApduKind::kIllRequest, "STORY", "100010"));
  EXPECT_TRUE(has(out, "      # ILL-Request v2")) << out;
  EXPECT_TRUE(has(out, "      # Shipped v2")) << out;
  const std::string first_field = request_text.substr(0, request_text.find('\n'));
  EXPECT_TRUE(has(out, "      " + first_field)) << first_field;
  EXPECT_TRUE(has(out, "refusals (0)")) << out;
  // The Shipped moved the item to the borrower and charged its cost.
  EXPECT_TRUE(has(out, "loan-out")) << out;
  EXPECT_TRUE(has(out, "ITM")) << out;
  EXPECT_TRUE(has(out, "charge")) << out;
  EXPECT_TRUE(has(out, "library:IRL:BOR")) << out;
  // Nothing was delivered yet: three rows waiting.
  EXPECT_TRUE(has(out, "deliveries (3, 3 not delivered)")) << out;
  EXPECT_TRUE(has(out, "pending, 0 attempt(s)")) << out;
}

TEST_F(ShowTest, ListsRefusalsWithTheirReasonAndFailedDeliveriesWithTheirCommand) {
  make_history();
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'failed', attempts = 8, last_error = 'connection refused' "
                          "WHERE transaction_id = (SELECT id FROM transactions WHERE qualifier = 'EARLY')"));
  const std::string reason = text("SELECT reason FROM events WHERE NOT accepted");
  ASSERT_FALSE(reason.empty());
  const IllctlRun r = ctl({"show", label("EARLY"), "--no-apdus"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "refusals (1)")) << r.out;
  EXPECT_TRUE(has(r.out, "Returned from IRL:BOR: " + reason)) << r.out;
  EXPECT_TRUE(has(r.out, "REFUSED: " + reason)) << r.out;
  EXPECT_FALSE(has(r.out, "# ILL-Request")) << "--no-apdus";
  const std::string event = text("SELECT event_id FROM outbox WHERE status = 'failed'");
  EXPECT_TRUE(has(r.out, "failed, 8 attempt(s), last error: connection refused  -> illctl resend " + event)) << r.out;
}

TEST_F(ShowTest, RefusesAnUnknownOrAmbiguousTransaction) {
  make_history();
  IllctlRun none = ctl({"show", "NOSUCH"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(has(none.err, "no transaction NOSUCH")) << none.err;
  EXPECT_EQ(none.out, "");
  // A second transaction with the same qualifier from another initial requester.
  ASSERT_TRUE(conn_->exec("INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
                          "requester_symbol, responder_symbol) VALUES ('IRL:AAA', 'G', 'STORY', 'IRL:AAA', 'IRL:LEN')"));
  IllctlRun two = ctl({"show", "STORY"});
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_TRUE(has(two.err, "IRL:AAA/G/STORY")) << two.err;
  EXPECT_TRUE(has(two.err, label("STORY").substr(0, 8))) << two.err;
  EXPECT_EQ(ctl({"show", "IRL:AAA/G/STORY"}).exit_code, 0);
  EXPECT_EQ(ctl({"show", "a/b"}).exit_code, 1);
  EXPECT_EQ(ctl({"show"}).exit_code, 2);
}

TEST_F(ShowTest, AttentionListsWhatNeedsAPersonWithTheCommandForEach) {
  EXPECT_EQ(ctl({"attention"}).out, "nothing needs attention\n");
  make_history();
  // A failed delivery, a loan 10 days overdue, a request past its need-before date.
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'failed', last_error = 'connection refused' "
                          "WHERE id = (SELECT min(id) FROM outbox)"));
  ASSERT_TRUE(conn_->exec("UPDATE transactions SET date_due = current_date - 10 WHERE qualifier = 'STORY'"));
  ASSERT_EQ(apply(ApduKind::kIllRequest, "WAITING", kBorrower), Outcome::kAccepted);
  ASSERT_TRUE(conn_->exec("UPDATE transactions SET need_before = current_date - 3 WHERE qualifier = 'WAITING'"));

  const IllctlRun r = ctl({"attention"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string failed_event = text("SELECT event_id FROM outbox WHERE status = 'failed'");
  EXPECT_TRUE(has(r.out, "failed deliveries (1)")) << r.out;
  EXPECT_TRUE(has(r.out, "last error: connection refused\n    -> illctl resend " + failed_event)) << r.out;
  EXPECT_TRUE(has(r.out, "loans overdue by more than 7 days (1)")) << r.out;
  EXPECT_TRUE(has(r.out, "(10 days ago)  IRL:LEN lent to IRL:BOR")) << r.out;
  EXPECT_TRUE(has(r.out, "-> illctl show " + label("STORY"))) << r.out;
  EXPECT_TRUE(has(r.out, "refusals in the last 24 hours (1)")) << r.out;
  EXPECT_TRUE(has(r.out, "Returned from IRL:BOR")) << r.out;
  EXPECT_TRUE(has(r.out, "-> illctl show " + label("EARLY"))) << r.out;
  EXPECT_TRUE(has(r.out, "requests unanswered past their need-before date (1)")) << r.out;
  EXPECT_TRUE(has(r.out, "IRL:LEN has not answered IRL:BOR")) << r.out;

  // A longer threshold leaves the loan out; jsonl carries the same items for programs.
  const IllctlRun lenient = ctl({"attention", "--overdue-days", "30", "--format", "jsonl"});
  ASSERT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_EQ(count_lines(lenient.out), 3) << lenient.out;
  EXPECT_FALSE(has(lenient.out, "\"category\":\"overdue\""));
  EXPECT_TRUE(has(lenient.out, "\"command\":\"illctl resend " + failed_event + "\"")) << lenient.out;
  EXPECT_EQ(ctl({"attention", "--overdue-days", "-1"}).exit_code, 2);
}

}  // namespace
}  // namespace illhub::test
