// illctl resend and illctl override against a real event history: operator corrections are
// events (visible in show and tail), and an override that would contradict the ledger is
// refused without writing anything.
#include <nlohmann/json.hpp>

#include "operator_fixture.hpp"

namespace illhub::test {
namespace {

using codec::ApduKind;
using hub::Outcome;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class CorrectionTest : public OperatorTest {
 protected:
  void shipped_loan(const std::string& q) {
    for (auto [kind, sender] : std::vector<std::pair<ApduKind, const char*>>{
             {ApduKind::kIllRequest, kBorrower}, {ApduKind::kIllAnswer, kLender}, {ApduKind::kShipped, kLender}})
      ASSERT_EQ(apply(kind, q, sender), Outcome::kAccepted);
  }
  std::string states(const std::string& q) {
    return text("SELECT requester_state || '/' || responder_state || ' v' || version FROM transactions WHERE qualifier = '" + q + "'");
  }
};

TEST_F(CorrectionTest, OverrideIsRecordedAsAnOperatorEventVisibleInShowAndTail) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "STUCK", kBorrower), Outcome::kAccepted);
  ASSERT_EQ(states("STUCK"), "2/3 v1");  // PENDING / IN-PROCESS
  const IllctlRun r = ctl({"override", "STUCK", "--role", "responder", "--to-state", "not-supplied", "--reason",
                           "lender phoned: copy missing", "--operator", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "responder IN-PROCESS -> NOT-SUPPLIED")) << r.out;
  EXPECT_EQ(states("STUCK"), "2/1 v2");
  EXPECT_EQ(text("SELECT operator_name || '|' || operator_action || '|' || reason || '|' || old_responder_state || "
                 "'|' || new_responder_state || '|' || seq FROM events WHERE direction = 'operator'"),
            "alice|override|lender phoned: copy missing|3|1|2");

  const IllctlRun show = ctl({"show", "STUCK"});
  EXPECT_TRUE(has(show.out, "operator alice  override  responder IN-PROCESS->NOT-SUPPLIED  (lender phoned: copy missing)"))
      << show.out;
  EXPECT_TRUE(has(show.out, "state NOT-SUPPLIED")) << show.out;
  const IllctlRun tail = ctl({"tail", "--kind", "operator", "--format", "jsonl"});
  ASSERT_EQ(count_lines(tail.out), 1) << tail.out << tail.err;
  const auto j = nlohmann::json::parse(tail.out);
  EXPECT_EQ(j["direction"], "operator");
  EXPECT_EQ(j["operator"], "alice");
  EXPECT_EQ(j["action"], "override");
  EXPECT_EQ(j["responder_state"]["old"], "IN-PROCESS");
  EXPECT_EQ(j["responder_state"]["new"], "NOT-SUPPLIED");
  EXPECT_EQ(j["reason"], "lender phoned: copy missing");

  // The hub goes on from the overridden state: the lender's late Shipped is now refused.
  EXPECT_EQ(apply(ApduKind::kShipped, "STUCK", kLender), Outcome::kRefused);
}

TEST_F(CorrectionTest, OverrideIsRefusedWhenItWouldContradictTheLedger) {
  shipped_loan("LENT");
  const std::string before = states("LENT");
  const std::string events_before = text("SELECT count(*) FROM events");
  // The item is booked to the borrower: CHECKED-IN would say it is back without a posting.
  const IllctlRun r = ctl({"override", "LENT", "--role", "responder", "--to-state", "CHECKED-IN", "--reason",
                           "borrower says returned", "--operator", "bob"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(has(r.err, "ledger has it with borrower")) << r.err;
  EXPECT_EQ(r.out, "");
  // A charge was posted: NOT-SUPPLIED is refused as well.
  const IllctlRun unshipped = ctl({"override", "LENT", "--role", "requester", "--to-state", "NOT-SUPPLIED", "--reason",
                                   "x", "--operator", "bob"});
  EXPECT_EQ(unshipped.exit_code, 1);
  EXPECT_EQ(states("LENT"), before);
  EXPECT_EQ(text("SELECT count(*) FROM events"), events_before);
  // What agrees with the ledger is allowed: the borrower has it, so RECEIVED.
  EXPECT_EQ(ctl({"override", "LENT", "--role", "requester", "--to-state", "RECEIVED", "--reason", "got it",
                 "--operator", "bob"}).exit_code, 0);
  // Every event's postings still balance, and none were made by the override.
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings p JOIN events e ON e.id = p.event_id WHERE e.direction = 'operator'"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT currency FROM ledger_postings GROUP BY currency HAVING sum(amount) <> 0) x"), "0");
}

TEST_F(CorrectionTest, OverrideRefusesUnknownStatesRolesAndNoOps) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "NOOP", kBorrower), Outcome::kAccepted);
  auto override_to = [&](const std::string& role, const std::string& state) {
    return ctl({"override", "NOOP", "--role", role, "--to-state", state, "--reason", "r", "--operator", "carol"});
  };
  EXPECT_EQ(override_to("responder", "SIDEWAYS").exit_code, 2);
  EXPECT_EQ(override_to("lender", "PENDING").exit_code, 2);
  const IllctlRun same = override_to("requester", "PENDING");
  EXPECT_EQ(same.exit_code, 1);
  EXPECT_TRUE(has(same.err, "in PENDING already")) << same.err;
  EXPECT_EQ(override_to("requester", "IDLE").exit_code, 1);
  EXPECT_EQ(ctl({"override", "NOOP", "--role", "requester", "--to-state", "CANCELLED", "--reason", "r"}).exit_code, 2);
  EXPECT_EQ(ctl({"override", "NOSUCH", "--role", "requester", "--to-state", "CANCELLED", "--reason", "r", "--operator",
                 "carol"}).exit_code, 1);
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'operator'"), "0");
}

TEST_F(CorrectionTest, ResendSetsAFailedDeliveryBackToPendingAndRecordsIt) {
  shipped_loan("AGAIN");
  const std::string shipped_event = text("SELECT id FROM events WHERE apdu_kind = 3");
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'failed', attempts = 8, last_error = 'refused' WHERE event_id = " +
                          shipped_event));
  // Still pending: nothing to resend.
  const std::string request_event = text("SELECT id FROM events WHERE apdu_kind = 1");
  const IllctlRun pending = ctl({"resend", request_event, "--operator", "dave"});
  EXPECT_EQ(pending.exit_code, 1);
  EXPECT_TRUE(has(pending.err, "still waiting in outbox")) << pending.err;

  const IllctlRun r = ctl({"resend", shipped_event, "--operator", "dave", "--reason", "peer back online"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "to IRL:BOR")) << r.out;
  EXPECT_TRUE(has(r.out, "failed delivery set back to pending")) << r.out;
  EXPECT_EQ(text("SELECT status || '/' || attempts || '/' || coalesce(last_error, '-') FROM outbox WHERE event_id = " +
                 shipped_event),
            "pending/0/-");
  EXPECT_EQ(text("SELECT operator_name || '|' || refers_to_event || '|' || reason FROM events WHERE operator_action = 'resend'"),
            "dave|" + shipped_event + "|peer back online");
  const IllctlRun tail = ctl({"tail", "--last", "1"});
  EXPECT_TRUE(has(tail.out, "operator dave  Shipped (resend of #" + shipped_event + ")")) << tail.out;

  // Delivered already (the peer lost it): queued again, a second outbox row with the same bytes.
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'delivered', delivered_at = now() WHERE event_id = " + shipped_event));
  const IllctlRun again = ctl({"resend", shipped_event, "--operator", "dave"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(has(again.out, "queued again")) << again.out;
  EXPECT_EQ(text("SELECT count(*) FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.event_id = " + shipped_event +
                 " AND o.status = 'pending' AND o.apdu = e.raw_ber AND o.recipient_symbol = 'IRL:BOR'"),
            "1");
  const IllctlRun show = ctl({"show", "AGAIN", "--no-apdus"});
  // The request and answer still wait; the Shipped was delivered once and waits again.
  EXPECT_TRUE(has(show.out, "deliveries (4, 3 not delivered)")) << show.out;
}

TEST_F(CorrectionTest, ResendRefusesRefusedAndUnknownEvents) {
  ASSERT_EQ(apply(ApduKind::kIllRequest, "NOPE", kBorrower), Outcome::kAccepted);
  ASSERT_EQ(apply(ApduKind::kReturned, "NOPE", kBorrower), Outcome::kRefused);
  const IllctlRun refused = ctl({"resend", text("SELECT id FROM events WHERE NOT accepted"), "--operator", "erin"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(has(refused.err, "was refused")) << refused.err;
  const IllctlRun none = ctl({"resend", "99999", "--operator", "erin"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(has(none.err, "no event #99999")) << none.err;
  EXPECT_EQ(ctl({"resend", "1"}).exit_code, 2);  // who is asking?
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'operator'"), "0");
}

}  // namespace
}  // namespace illhub::test
