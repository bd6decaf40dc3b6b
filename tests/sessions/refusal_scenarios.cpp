// Refusals of well-formed APDUs (as tests/net/illd_nettest.cpp and limits_nettest.cpp): an
// APDU the state tables prohibit, a sender from an address no library may use, and a
// connection speaking for another library. Each gets its report, reaches nobody and changes
// nothing; the sender's connection keeps working where the hub keeps it open.
#include "sessions/scenario.hpp"

namespace illhub::sessions {
namespace {

std::string transactions_named(ScenarioRun& run, const std::string& initial_requester, const std::string& qualifier) {
  return run.query("SELECT count(*) FROM transactions WHERE initial_requester = $1 AND qualifier = $2",
                   {initial_requester, qualifier});
}

void prohibited(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  const std::string q = "S-EARLY";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request")) return;
  // Returned before anything was shipped.
  if (!run.expect(borrower.send(run.sample(kReturned, q)), "cannot send Returned")) return;
  const std::string json = run.report(borrower, "Returned before Shipped");
  run.expect_contains(json, "state-transition-prohibited", "Returned before Shipped");
  run.expect_contains(json, "\"transaction-qualifier\": \"S-EARLY\"", "the report's transaction");
  run.nothing_arrives(lender, "the lender (a refused APDU was relayed)");
  run.expect_eq(run.states(q), "2/3", "states after the refusal (PENDING/IN-PROCESS, unchanged)");
  run.expect_eq(run.query("SELECT count(*) FROM events e JOIN transactions t ON t.id = e.transaction_id "
                          "WHERE NOT e.accepted AND t.qualifier = $1 AND t.initial_requester = $2",
                          {q, run.borrower_symbol()}),
                "1", "refused events on record");
}

void unknown_sender(ScenarioRun& run) {
  test::TestPeer stranger;
  if (!run.connect(stranger, run.stranger_address(), "stranger")) return;
  // Claims to be the borrower, from an address the borrower may not use.
  if (!run.expect(stranger.send(run.sample(kIllRequest, "S-STRANGE")), "cannot send")) return;
  const std::string json = run.report(stranger, "ILL-Request from an unknown address");
  run.expect_contains(json, "security-problem", "the report");
  run.expect_contains(json, run.borrower_symbol(), "the report");
  run.expect_eq(transactions_named(run, run.borrower_symbol(), "S-STRANGE"), "0", "transactions opened");
}

void other_library(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  // An ILL-Request whose requester is the lender, sent on the borrower's connection.
  const Bytes forged = run.sample(kIllRequest, "S-FORGED", [&run](testing::SampleOptions& o) {
    o.requester_symbol = run.lender_symbol();
    o.responder_symbol = run.borrower_symbol();
  });
  if (!run.expect(borrower.send(forged), "cannot send")) return;
  const std::string json = run.report(borrower, "ILL-Request in the lender's name");
  run.expect_contains(json, "security-problem", "the report");
  run.expect_contains(json, "speaks for " + run.borrower_symbol(), "the report");
  run.nothing_arrives(lender, "the lender (the forged APDU was relayed)");
  run.expect_eq(transactions_named(run, run.lender_symbol(), "S-FORGED"), "0", "transactions opened");
  // The connection stays bound to the borrower and keeps working for it.
  run.relay(borrower, lender, run.sample(kIllRequest, "S-HONEST"), "the borrower's own ILL-Request afterwards");
}

}  // namespace

std::vector<Scenario> refusal_scenarios() {
  return {
      {"prohibited", "Returned before Shipped: state-transition-prohibited, not relayed", "PROH", 6, prohibited},
      {"unknown-sender", "an ILL-Request from an address no library may use: security problem", "UNKN", 7,
       unknown_sender},
      {"other-library", "a connection speaking for another library: security problem, then its own request goes",
       "OTHR", 8, other_library},
  };
}

}  // namespace illhub::sessions
