#pragma once
// The network side of `illctl replay`: plays a Plan's peers against a hub over TCP, on one
// io_context with Asio coroutines, and compares what the hub sends with what was recorded.
//
// Accepted connections are opened to the hub from the recorded peer's address (the hub knows
// peers by address); dialled ones are accepted on listeners where the hub dials. A recorded
// `in` is sent only after every `out` recorded before it has been received and compared
// (causal order), each wait bounded by the timeout. At the end, after the remaining
// expectations, a grace period catches APDUs the hub sent that were not recorded.

#include <chrono>
#include <cstddef>
#include <map>
#include <ostream>
#include <string>

#include "app/illctl/replay/replay_options.hpp"
#include "app/illctl/replay/replay_plan.hpp"

namespace illhub::app::replay {

struct DriverOptions {
  Endpoint hub;
  /// 0: as fast as causality allows; else recorded gaps between sends divided by this.
  double speed = 0;
  /// Bound of every wait: an expected APDU, a close by the hub, a connect, a write.
  std::chrono::milliseconds timeout{5000};
  /// After the last expectation: how long unexpected APDUs are still looked for.
  std::chrono::milliseconds grace{300};
  std::map<std::string, Endpoint> peer_endpoints;
  bool verbose = false;  // one line per matched APDU
};

struct Summary {
  std::size_t sent = 0;        // APDUs (and unframed byte runs) replay sent
  std::size_t received = 0;    // frames the hub sent
  std::size_t matched = 0;     // expected APDUs that matched
  std::size_t normalised = 0;  // fields normalised in matched APDUs
  std::size_t divergences = 0;
  std::map<std::string, std::size_t> normalised_fields;  // path -> how often
};

/// Runs the whole plan; prints matches (verbose), divergences (with their diffs) to `out` as
/// they happen. Never hangs: every wait is bounded by options.timeout. A listener that cannot
/// be opened, or a hub address that does not parse, is a setup error (nothing is sent).
Result<Summary, std::string> run_replay(const Plan& plan, const DriverOptions& options, std::ostream& out);

}  // namespace illhub::app::replay
