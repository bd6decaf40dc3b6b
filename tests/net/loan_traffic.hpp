#pragma once
// LoanTraffic: borrower/lender pairs running whole loans through illd the way a library that
// asked for receipts must when the hub may crash: one APDU of a loan at a time, counted as
// acknowledged only when its receipt (a status report sent after COMMIT) has arrived, and sent
// again on a new connection when the old one died before that. It keeps the peers' own record
// of what the hub acknowledged and what it delivered to whom: the crash test holds the
// database to that record.
//
// One thread, poll() over every connection, every wait bounded. APDUs are YAZ-encoded.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "illhub/codec/framer.hpp"

namespace illhub::test {

/// Pair `index`: symbols CR:B<index> / CR:L<index>, from 127.0.5.<2i+1> / 127.0.5.<2i+2>.
struct LoanPair {
  std::string borrower, lender;
  std::string borrower_address, lender_address;
};
LoanPair loan_pair(int index);

/// An APDU's identity in the peers' record: transaction-qualifier and APDU kind (each kind
/// occurs once in a loan).
using ApduKey = std::pair<std::string, int>;

class LoanTraffic {
 public:
  /// `pairs` pairs (at most 100); loans' qualifiers start with `tag`.
  LoanTraffic(int pairs, std::string tag);
  ~LoanTraffic();
  LoanTraffic(const LoanTraffic&) = delete;
  LoanTraffic& operator=(const LoanTraffic&) = delete;

  /// Connects every peer to 127.0.0.1:`port`, then sends again each pair's unacknowledged APDU.
  /// False with error() on failure.
  bool connect(std::uint16_t port);
  /// Exchanges APDUs for `duration`: each pair sends its next APDU once the previous one is
  /// acknowledged, starting a new loan after the last one when `start_loans`. False with
  /// error() when the hub refused an APDU, altered one, sent one nobody sent, or closed a
  /// connection.
  bool run_for(std::chrono::milliseconds duration, bool start_loans);
  /// Reads, for up to `duration`, what already reached the peers before a crash (receipts and
  /// relayed APDUs), then closes every connection. Never fails: a reset connection just ends.
  void collect_and_close(std::chrono::milliseconds duration);

  /// Every loan begun has all six APDUs acknowledged.
  bool loans_complete() const;
  /// Every acknowledged APDU has reached its recipient at least once.
  bool all_delivered() const;

  const std::map<ApduKey, std::vector<std::uint8_t>>& acknowledged() const { return acknowledged_; }
  /// Times each APDU reached its recipient (more than once after a crash is allowed).
  const std::map<ApduKey, int>& deliveries() const { return deliveries_; }
  int loans_begun() const { return loans_begun_; }
  int sends() const { return sends_; }
  int resends() const { return resends_; }
  /// Receipts saying "recorded before": the hub had committed an APDU whose receipt was lost.
  int repeats() const { return repeats_; }
  const std::string& error() const { return error_; }

 private:
  struct Connection {
    int fd = -1;
    codec::StreamFramer framer;
  };
  struct Pair {
    int loan = -1;  // loans begun by this pair, less one
    int step = 6;   // index into kLoanSteps of the APDU being sent; 6: no loan in progress
    bool outstanding = false;  // sent, receipt awaited
  };

  std::string qualifier(int pair, int loan) const;
  std::vector<std::uint8_t> encode(int pair, int loan, int step) const;
  bool send_current(int pair);
  bool read(std::size_t connection, bool tolerate_close);
  bool handle(std::size_t connection, const std::vector<std::uint8_t>& frame);
  void close_all();

  std::string tag_;
  std::vector<Pair> pairs_;
  std::vector<Connection> connections_;  // 2i: pair i's borrower, 2i + 1: its lender
  std::map<ApduKey, std::vector<std::uint8_t>> sent_;  // every APDU sent at least once
  std::map<ApduKey, std::vector<std::uint8_t>> acknowledged_;
  std::map<ApduKey, int> deliveries_;
  int loans_begun_ = 0, sends_ = 0, resends_ = 0, repeats_ = 0;
  std::string error_;
};

}  // namespace illhub::test
