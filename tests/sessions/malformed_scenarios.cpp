// Bytes that are not a good APDU (as tests/net/illd_nettest.cpp and limits_nettest.cpp, and
// docs/MALFORMED-INPUT.md): a whole frame that decodes badly gets a report and the connection
// stays; a stream that cannot be framed and an APDU over limits.max_apdu_bytes (4 KiB in
// tests/sessions/illd.toml) get a report and the connection is closed. The library's other
// connection works on.
#include "sessions/scenario.hpp"

namespace illhub::sessions {
namespace {

/// The size limit of tests/sessions/illd.toml.
constexpr std::size_t kMaxApduBytes = 4096;

void malformed_ber(ScenarioRun& run) {
  test::TestPeer borrower, lender;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender"))
    return;
  // A whole frame that is not an ILL-Request: [APPLICATION 1] holding an INTEGER.
  if (!run.expect(borrower.send({0x61, 0x03, 0x02, 0x01, 0x05}), "cannot send")) return;
  const std::string json = run.report(borrower, "a frame that does not decode");
  run.expect_contains(json, "frame 1", "the report names the frame");
  run.nothing_arrives(lender, "the lender");
  // The same connection carries on.
  const std::string q = "S-AFTERBAD";
  if (!run.relay(borrower, lender, run.sample(kIllRequest, q), "ILL-Request after the bad frame")) return;
  run.relay(lender, borrower, run.sample(kIllAnswer, q), "ILL-Answer after the bad frame");
}

void unframeable(ScenarioRun& run) {
  test::TestPeer borrower, lender, broken;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender") ||
      !run.connect(broken, run.borrower_address(), "borrower's second connection"))
    return;
  // A tag number longer than four octets: the stream cannot be framed.
  if (!run.expect(broken.send({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}), "cannot send")) return;
  const std::string json = run.report(broken, "an unframeable stream");
  run.expect_contains(json, "frame 1", "the report names the frame");
  run.expect(broken.wait_closed(), "the hub did not close the unframeable connection");
  run.nothing_arrives(lender, "the lender");
  run.relay(borrower, lender, run.sample(kIllRequest, "S-UNFRAMED"), "ILL-Request on the other connection");
}

void oversize(ScenarioRun& run) {
  test::TestPeer borrower, lender, big;
  if (!run.connect(borrower, run.borrower_address(), "borrower") || !run.connect(lender, run.lender_address(), "lender") ||
      !run.connect(big, run.borrower_address(), "borrower's second connection"))
    return;
  const Bytes huge = run.sample(kIllRequest, "S-HUGE", [](auto& o) { o.note = std::string(5000, 'n'); });
  if (!run.expect(huge.size() > kMaxApduBytes, "the oversize ILL-Request is not over the limit")) return;
  if (!run.expect(big.send(huge), "cannot send")) return;
  const std::string json = run.report(big, "an APDU over the size limit");
  run.expect_contains(json, "general-problem", "the report");
  run.expect(big.wait_closed(), "the hub did not close the connection of the oversize APDU");
  run.nothing_arrives(lender, "the lender (the oversize APDU was relayed)");
  run.expect_eq(run.query("SELECT count(*) FROM transactions WHERE qualifier = 'S-HUGE'"), "0", "transactions opened");
  const Bytes small = run.sample(kIllRequest, "S-SMALL");
  if (!run.expect(small.size() < kMaxApduBytes, "the small ILL-Request is over the limit")) return;
  run.relay(borrower, lender, small, "ILL-Request under the limit on the other connection");
}

}  // namespace

std::vector<Scenario> malformed_scenarios() {
  return {
      {"malformed-ber", "a frame that decodes badly: report naming the frame, the connection carries on", "MALF", 9,
       malformed_ber},
      {"unframeable", "a stream that cannot be framed: report, then closed; the other connection carries on", "UNFR",
       10, unframeable},
      {"oversize", "an APDU over limits.max_apdu_bytes: general problem, then closed", "OVER", 11, oversize},
  };
}

}  // namespace illhub::sessions
