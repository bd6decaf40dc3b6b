#pragma once
// RelayLoad: the peers' side of relay_bench. Peer pairs (a borrower and a lender, each on its
// own TCP connection to illd from its own loopback address) run whole loan lifecycles through
// the hub, N transactions in flight at once, each strictly sequential: ILL-Request,
// ILL-Answer (will supply), Shipped, Received, Returned, Checked-In, each sent by the right
// side only once the previous one has arrived at the other side.
//
// One thread, one epoll loop, non-blocking sockets; every APDU is YAZ-encoded before the clock
// starts, so the peers' side costs a write, a read and a hash lookup per APDU. Every relayed
// APDU must arrive byte-identical to what was sent: anything else arriving is counted as a
// mismatch.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "illhub/codec/framer.hpp"

namespace illhub::bench {

/// Peer pair `index` (0-based): symbols BEN:B<index> / BEN:L<index>, connecting from
/// 127.1.x.y / 127.2.x.y (one /32 each, so that illd knows them by address at connect time).
struct PeerPair {
  std::string borrower, lender;
  std::string borrower_address, lender_address;
};
PeerPair peer_pair(int index);

struct RoundOptions {
  int in_flight = 1;   ///< transactions at once, spread round-robin over the pairs
  int pairs = 1;       ///< pairs used (the first `pairs` connected ones)
  double seconds = 3;  ///< measured window; APDUs still in flight then are drained, not counted
  std::string tag;     ///< makes this round's transaction qualifiers unique
  /// Think time: after a lifecycle, a transaction waits this long before its next ILL-Request,
  /// and the transactions' first requests are spread over this long (0: at once, full speed).
  /// A moderate, steady rate for the soak test.
  double pause_seconds = 0;
};

struct RoundResult {
  long lifecycles = 0;  ///< completed inside the window
  long apdus = 0;       ///< relayed (arrived) inside the window
  long apdus_all = 0;   ///< relayed in all, the drain after the window included
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  ///< relay latency: sender's write → recipient's read
  long mismatches = 0;  ///< frames that were not an APDU awaited on that connection
  long lost = 0;        ///< APDUs still not arrived when the drain gave up
  bool ran_out = false; ///< some transaction used up its pre-encoded lifecycles (window too long)
  double client_cpu_seconds = 0;  ///< this thread's CPU inside the window
  std::string error;    ///< the round could not run (connection closed, write failed)
};

class RelayLoad {
 public:
  RelayLoad();
  ~RelayLoad();
  RelayLoad(const RelayLoad&) = delete;
  RelayLoad& operator=(const RelayLoad&) = delete;

  /// Connects `pairs` pairs to illd at 127.0.0.1:`port`. False with `error` set on failure.
  bool connect(std::uint16_t port, int pairs, std::string& error);
  /// Runs one round. Needs options.pairs <= the pairs connected.
  RoundResult run(const RoundOptions& options);

 private:
  struct Connection;
  struct Transaction;
  bool send(Transaction& t, RoundResult& result);
  bool flush(Connection& c, RoundResult& result);
  bool receive(Connection& c, RoundResult& result);

  int epoll_ = -1;
  std::vector<Connection> connections_;  // 2i: pair i's borrower, 2i + 1: its lender
  std::vector<Transaction> transactions_;
  std::chrono::steady_clock::time_point deadline_;  // end of the measured window
  std::chrono::steady_clock::duration pause_{};     // RoundOptions::pause_seconds
  std::vector<std::uint32_t> latencies_us_;
};

}  // namespace illhub::bench
