#pragma once
// The sessions set (tests/sessions/README.md): fixed scenarios that member libraries play
// against a running illd, one after another, each with its own two libraries and its own
// transaction ids, so that each recording of them replays on its own. A scenario checks its
// outcome as the integration tests in tests/net do (what each peer gets, what the database
// holds); a failed check is a line in ScenarioRun::failures(), never an exception.
//
// Peers are YAZ-encoded TestPeers (tests/net) connecting from the scenario's own loopback
// network 127.1.<net>.0/24: .2 is the borrower PREFIX:BOR, .3 the lender PREFIX:LEN, .9 an
// address no library may use. tests/sessions/peers.sh registers exactly these.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/store/pg_connection.hpp"
#include "net/test_peer.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::sessions {

using Bytes = std::vector<std::uint8_t>;

/// ISO 10161 APDU kinds the scenarios send (the [APPLICATION n] tag).
enum ApduKind : int {
  kIllRequest = 1, kShipped = 3, kIllAnswer = 4, kConditionalReply = 5, kCancel = 6, kCancelReply = 7,
  kReceived = 8, kReturned = 10, kCheckedIn = 11, kRenew = 13, kRenewAnswer = 14, kStatusQuery = 18,
  kStatusOrErrorReport = 19
};

/// ILL-Answer transaction-results.
enum AnswerResult : int { kConditional = 1, kUnfilled = 3, kWillSupply = 5 };

class ScenarioRun;

struct Scenario {
  /// Also the recording's name: tests/sessions/NN-<name>.illrec.
  std::string name;
  /// One line for people: what the scenario shows.
  std::string summary;
  /// Symbol prefix of its libraries: PREFIX:BOR and PREFIX:LEN.
  std::string prefix;
  /// Its loopback network 127.1.<net>.0/24.
  int net = 0;
  std::function<void(ScenarioRun&)> play;
};

/// Every scenario, in the order they are recorded and played.
const std::vector<Scenario>& all_scenarios();

// The groups all_scenarios() is made of (one source file each).
std::vector<Scenario> loan_scenarios();
std::vector<Scenario> refusal_scenarios();
std::vector<Scenario> malformed_scenarios();
std::vector<Scenario> delivery_scenarios();

/// Where the scenarios find the hub.
struct HubAddress {
  std::uint16_t port = 0;          // illd's plain listener on 127.0.0.1
  std::uint16_t metrics_port = 0;  // its status port; 0: not used
};

/// One scenario being played: its libraries, helpers that check as they go, and the failures.
/// Every wait is bounded.
class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, HubAddress hub, store::PgConnection& db);

  const Scenario& scenario() const { return scenario_; }
  const HubAddress& hub() const { return hub_; }
  std::string borrower_symbol() const { return scenario_.prefix + ":BOR"; }
  std::string lender_symbol() const { return scenario_.prefix + ":LEN"; }
  /// 127.1.<net>.<host>: host 2 the borrower, 3 the lender, 9 nobody's.
  std::string address(int host) const;
  std::string borrower_address() const { return address(2); }
  std::string lender_address() const { return address(3); }
  std::string stranger_address() const { return address(9); }

  /// Connects `peer` from `source` to the hub; false (and a failure) when it cannot.
  bool connect(test::TestPeer& peer, const std::string& source, std::string_view who);

  using Options = std::function<void(testing::SampleOptions&)>;
  /// A YAZ-encoded APDU of `kind` between this scenario's borrower and lender, transaction
  /// `qualifier`, with its own service time (every APDU of a run a different one).
  Bytes sample(int kind, const std::string& qualifier, const Options& options = {});

  /// Sends `apdu` on `from`; it must reach `to` byte for byte. False (and a failure) if not.
  bool relay(test::TestPeer& from, test::TestPeer& to, const Bytes& apdu, std::string_view what);
  /// The next frame `peer` gets, which must be a Status-Or-Error-Report that YAZ and our
  /// codec both decode, with an error report when `error_report` (else a status report);
  /// returned as our codec's JSON rendering. Empty (and a failure) when it is not.
  std::string report(test::TestPeer& peer, std::string_view what, bool error_report = true);
  /// Nothing reaches `peer` for a short while (a refused APDU is not relayed, nothing comes
  /// twice).
  void nothing_arrives(test::TestPeer& peer, std::string_view who,
                       std::chrono::milliseconds wait = std::chrono::milliseconds(300));

  /// The first value of `sql` (with parameters), "" when no row; a failure when it fails.
  std::string query(std::string_view sql, std::initializer_list<store::PgParam> params = {});
  /// Polls `sql` until it returns `want` (bounded); false (and a failure) if it never does.
  bool eventually(std::string_view sql, std::initializer_list<store::PgParam> params, const std::string& want,
                  std::string_view what, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// "requester_state/responder_state" of transaction `qualifier` of this scenario's borrower.
  std::string states(const std::string& qualifier);

  /// Records a failure unless `ok`; returns `ok`.
  bool expect(bool ok, std::string failure);
  /// `text` must contain `part`.
  bool expect_contains(const std::string& text, std::string_view part, std::string_view what);
  template <class A, class B>
  bool expect_eq(const A& got, const B& want, std::string_view what) {
    return expect(got == want, std::string(what) + ": got '" + std::string(got) + "', want '" + std::string(want) + "'");
  }

  const std::vector<std::string>& failures() const { return failures_; }

 private:
  const Scenario& scenario_;
  HubAddress hub_;
  store::PgConnection& db_;
  int service_time_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace illhub::sessions
