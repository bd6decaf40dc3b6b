#pragma once
// OutboxStore: the delivery side of the outbox table. Claims due rows per recipient, marks
// them delivered or failed. Blocking: call through run_blocking(). Thread-safe.
//
// Claiming, in one statement per call (the SQL function illhub_claim_outbox,
// schema/0005_outbox_claim_function.sql):
//   - a transaction-scoped advisory lock per recipient serialises claims for that recipient
//     across nodes;
//   - the recipient's pending rows are read in id order with FOR UPDATE SKIP LOCKED, and only
//     the due prefix is taken (a row waiting for its backoff or leased to a node holds back
//     every later row: per-recipient order is kept, on one node or many);
//   - the taken rows are leased (next_attempt_at = now + lease) and marked with the claiming
//     node's id, so no other node offers them while this one sends; rows of a node that died
//     are taken over once its LISTEN connection (application_name 'illd-node-<id>') has been
//     gone for DeliveryOptions::dead_node_grace, else when the lease runs out.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "illhub/net/options.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

struct OutboxRow {
  std::int64_t id = 0;
  std::vector<std::uint8_t> apdu;  // exactly the sender's BER
  int attempts = 0;                // failed attempts so far
  /// Seconds from the row's creation (the APDU's acceptance) to the claim, both read on the
  /// database's clock (delivery adds its own elapsed time: no clock skew between hosts).
  double age_at_claim_seconds = 0;
};

/// Rows per status, over all nodes (the status port's gauges).
struct OutboxCounts {
  std::int64_t pending = 0;
  std::int64_t failed = 0;
};

struct DueRecipient {
  std::string symbol;
  bool dial = false;  // delivery_mode 'dial' with an endpoint
};

class OutboxStore {
 public:
  /// `node_id`: this node's id, as its LISTEN connection announces it (OutboxListener).
  OutboxStore(store::ConnectionPool& pool, DeliveryOptions options, std::string node_id)
      : pool_(pool), options_(options), node_id_(std::move(node_id)) {}

  /// Up to options.batch due rows for `recipient` (an enabled peer), in id order, leased.
  Result<std::vector<OutboxRow>, store::StoreError> claim(const std::string& recipient);
  /// The bytes of each row were written to its recipient: status delivered, delivered_at now,
  /// in one statement. Rows no longer pending (marked or failed meanwhile) are left alone.
  Result<Ok, store::StoreError> mark_delivered(const std::vector<std::int64_t>& ids);
  /// An attempt failed: attempts + 1, last_error, next_attempt_at after the backoff, or status
  /// 'failed' once max_attempts is reached. Returns whether the row is now 'failed'.
  Result<bool, store::StoreError> mark_failed(const OutboxRow& row, const std::string& error);
  /// Gives claimed rows back (due again at once) without counting an attempt.
  Result<Ok, store::StoreError> release(const std::vector<std::int64_t>& ids);
  /// How many rows are pending and failed. Pending rows are counted from the partial index on
  /// pending rows; failed rows need a scan of the outbox (no index on them), so this runs
  /// under a statement_timeout of `limit` and is meant for a scrape, not a hot path.
  Result<OutboxCounts, store::StoreError> counts(std::chrono::milliseconds limit = std::chrono::seconds(2));
  /// Enabled recipients with at least one due pending row.
  Result<std::vector<DueRecipient>, store::StoreError> due_recipients();

  /// The wait after `failed_attempts` failures (1, 2, ...): initial × factor^(n-1), capped.
  std::chrono::milliseconds backoff(int failed_attempts) const;

 private:
  store::ConnectionPool& pool_;
  DeliveryOptions options_;
  std::string node_id_;
};

}  // namespace illhub::net
