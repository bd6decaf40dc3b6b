// The ways a transaction goes (as tests/net/illd_nettest.cpp and loan_variants_nettest.cpp):
// a whole loan with a renewal, a copy, a conditional answer accepted, a cancel, an unfilled
// answer. Every APDU must arrive byte for byte; states and the item ledger are checked in the
// database; an APDU the tables no longer allow afterwards is refused and not relayed.
#include "sessions/scenario.hpp"

namespace illhub::sessions {
namespace {

/// `kind` from `from` must be refused as state-transition-prohibited and reach nobody.
void refused(ScenarioRun& run, test::TestPeer& from, test::TestPeer& other, const Bytes& apdu, std::string_view what) {
  if (!run.expect(from.send(apdu), std::string(what) + ": cannot send")) return;
  const std::string json = run.report(from, what);
  run.expect_contains(json, "state-transition-prohibited", what);
  run.nothing_arrives(other, std::string(what) + "'s recipient");
}

/// Items on loan that have not come back: accounts whose ITM balance is not zero.
std::string unbalanced_items(ScenarioRun& run, const std::string& qualifier) {
  return run.query(
      "SELECT count(*) FROM (SELECT p.account FROM ledger_postings p JOIN events e ON e.id = p.event_id "
      "JOIN transactions t ON t.id = e.transaction_id WHERE p.currency = 'ITM' AND t.qualifier = $1 "
      "AND t.initial_requester = $2 GROUP BY p.account HAVING sum(p.amount) <> 0) x",
      {qualifier, run.borrower_symbol()});
}

void lifecycle(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-LIFE";
  const auto will_supply = [](testing::SampleOptions& o) { o.answer_results = kWillSupply; };
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  if (!run.relay(lender, borrower, run.sample(kIllAnswer, q, will_supply), "ILL-Answer (will-supply)")) return;
  if (!run.relay(lender, borrower, run.sample(kShipped, q), "Shipped")) return;
  if (!run.relay(borrower, lender, run.sample(kReceived, q), "Received")) return;
  run.expect_eq(run.states(q), "9/9", "states after Received (RECEIVED)");
  if (!run.relay(borrower, lender, run.sample(kRenew, q), "Renew")) return;
  run.expect_eq(run.states(q), "10/10", "states after Renew (RENEW-PENDING)");
  if (!run.relay(lender, borrower, run.sample(kRenewAnswer, q, [](auto& o) { o.answer = true; }), "Renew-Answer"))
    return;
  run.expect_eq(run.states(q), "9/9", "states after Renew-Answer yes (RECEIVED)");
  if (!run.relay(borrower, lender, run.sample(kReturned, q), "Returned")) return;
  if (!run.relay(lender, borrower, run.sample(kCheckedIn, q), "Checked-In")) return;
  run.expect_eq(run.states(q), "15/15", "states at the end (CHECKED-IN)");
  run.expect_eq(unbalanced_items(run, q), "0", "accounts whose item did not come back");
  // The hub answers accepted APDUs with nothing.
  run.nothing_arrives(borrower, "the borrower");
  run.nothing_arrives(lender, "the lender");
}

void copy(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-COPY";
  const auto as_copy = [](testing::SampleOptions& o) { o.copy = true; };
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q, as_copy), "ILL-Request (copy)")) return;
  if (!run.relay(lender, borrower, run.sample(kIllAnswer, q, [](auto& o) { o.answer_results = kWillSupply; }),
                 "ILL-Answer (will-supply)"))
    return;
  if (!run.relay(lender, borrower, run.sample(kShipped, q, as_copy), "Shipped (copy)")) return;
  if (!run.relay(borrower, lender, run.sample(kReceived, q, as_copy), "Received (copy)")) return;
  run.expect_eq(run.states(q), "9/9", "states after Received (a copy ends in RECEIVED)");
  run.expect_eq(run.query("SELECT is_loan FROM transactions WHERE qualifier = $1 AND initial_requester = $2",
                          {q, run.borrower_symbol()}),
                "f", "is_loan of a copy");
  refused(run, borrower, lender, run.sample(kReturned, q), "Returned of a copy");
  run.expect_eq(run.states(q), "9/9", "states after the refused Returned");
}

void conditional(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-COND";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  if (!run.relay(lender, borrower, run.sample(kIllAnswer, q, [](auto& o) { o.answer_results = kConditional; }),
                 "ILL-Answer (conditional)"))
    return;
  run.expect_eq(run.states(q), "5/5", "states after the conditional answer (CONDITIONAL)");
  if (!run.relay(borrower, lender, run.sample(kConditionalReply, q, [](auto& o) { o.answer = true; }),
                 "Conditional-Reply (yes)"))
    return;
  if (!run.relay(lender, borrower, run.sample(kShipped, q), "Shipped")) return;
  run.expect_eq(run.states(q), "8/8", "states after Shipped (SHIPPED)");
}

void cancel(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-CANCEL";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  if (!run.relay(borrower, lender, run.sample(kCancel, q), "Cancel")) return;
  run.expect_eq(run.states(q), "6/6", "states after Cancel (CANCEL-PENDING)");
  if (!run.relay(lender, borrower, run.sample(kCancelReply, q, [](auto& o) { o.answer = true; }),
                 "Cancel-Reply (yes)"))
    return;
  run.expect_eq(run.states(q), "7/7", "states after Cancel-Reply yes (CANCELLED)");
  refused(run, lender, borrower, run.sample(kShipped, q), "Shipped after the cancel");
}

void unfilled(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-UNFILLED";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  if (!run.relay(lender, borrower, run.sample(kIllAnswer, q, [](auto& o) { o.answer_results = kUnfilled; }),
                 "ILL-Answer (unfilled)"))
    return;
  run.expect_eq(run.states(q), "1/1", "states after the unfilled answer (NOT-SUPPLIED)");
  refused(run, lender, borrower, run.sample(kShipped, q), "Shipped after the unfilled answer");
}

}  // namespace

std::vector<Scenario> loan_scenarios() {
  return {
      {"lifecycle", "a whole loan: request, will-supply, shipped, received, renew, renew-answer, returned, checked-in",
       "LIFE", 1, lifecycle},
      {"copy", "a copy (non-returnable) ends at Received; its Returned is refused", "COPY", 2, copy},
      {"conditional", "a conditional answer accepted, then shipped", "COND", 3, conditional},
      {"cancel", "a cancel accepted; Shipped after it is refused", "CANC", 4, cancel},
      {"unfilled", "an unfilled answer; Shipped after it is refused", "UNFL", 5, unfilled},
  };
}

}  // namespace illhub::sessions
