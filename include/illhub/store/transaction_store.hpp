#pragma once
// TransactionStore: applies one inbound APDU to the database, all or nothing. Loads the
// transaction, lets the hub decide (hub::decide: parties, both state tables, ledger rules),
// then writes the result in one statement that commits alone: the transaction row (checked
// against the version it was loaded at), the event, the ledger postings and the outbox row for
// the recipient. Nothing may be acknowledged or relayed before apply() returns.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/hub/engine.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/intermediary.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/store/transaction_key.hpp"
#include "illhub/util/result.hpp"

namespace illhub::store {

struct ApplyResult {
  hub::Outcome outcome = hub::Outcome::kRefused;
  /// The event recorded: the accepted APDU, or the refusal. 0 for a duplicate (nothing new
  /// is recorded; the first copy's event and outbox row stand).
  std::int64_t event_id = 0;
  /// The transaction's row id; 0 when the APDU matched none.
  std::int64_t transaction_id = 0;
  /// The outbox row to deliver (accepted only).
  std::int64_t outbox_id = 0;
  /// What was decided: refusal report and reason, postings, recipient.
  hub::Decision decision;
  /// What the hub did as intermediary (docs/ROUTING.md): set for a new routed request and for
  /// a lender's answer that moved the request on. The APDU itself is then not relayed.
  std::optional<RoutingStep> routing;
  /// How many times the apply ran (a concurrent change or a lost connection reruns it).
  int attempts = 0;
  /// The outbox row `outbox_id` was born claimed by this node (BirthClaims): no NOTIFY was
  /// sent, and nothing else delivers it while this node lives; the caller hands it (the bytes
  /// are the APDU's own) to the recipient's delivery after apply() returns. Also set on a
  /// duplicate found by a rerun after a lost COMMIT, when that COMMIT had birthed the row.
  bool born_claimed = false;
};

/// Lets apply() insert an accepted APDU's outbox row already claimed by this node when its
/// recipient is connected here (docs/NET.md, "Delivery"), exactly as the outbox claim leaves a
/// claimed row: claimed_by = node_id, claimed_at = now(), next_attempt_at = now() + lease. The
/// write statement itself decides: only when the transaction has no other pending outbox row
/// for that recipient (so the row cannot overtake an older one) and the recipient is enabled;
/// otherwise the row is written pending with a NOTIFY, as without BirthClaims. Rows the hub
/// writes as intermediary (docs/ROUTING.md) and timer rows are never born claimed.
struct BirthClaims {
  std::string node_id;
  std::chrono::milliseconds lease{60'000};
  /// Whether `recipient` has an open connection to this node. Called on apply()'s thread
  /// (the database threads): must be thread-safe. A hint: a connection that closes before the
  /// hand-off is handled by delivery (the row is given back).
  std::function<bool(const std::string& recipient)> connected_here;
};

/// One APDU for apply_batch: the APDU and the peer its connection speaks for.
struct BatchItem {
  const codec::Apdu* apdu = nullptr;
  std::string sender_symbol;
};

class TransactionStore {
 public:
  /// `pool` must outlive the store. Thread-safe: each apply() takes its own connection.
  TransactionStore(ConnectionPool& pool, hub::LedgerPolicy policy);

  /// Applies an APDU that arrived from a connection speaking for `sender_symbol`. Blocks.
  /// Reruns itself (up to 8 times) when another writer changed the transaction first, on a
  /// serialization failure or deadlock, and when the connection was lost, even during the
  /// commit: a rerun of an APDU that did commit finds it applied and returns kDuplicate, so
  /// nothing is ever applied twice. Reruns after a lost connection stop 3 s into the apply
  /// (a server that stops answering costs a whole answer timeout per attempt). Errors: the
  /// database stayed unreachable or refused a write for a reason no rerun fixes; nothing may
  /// be acknowledged. Nothing was applied then, unless the connection was lost during the
  /// commit and no rerun followed: the peer's retry then finds it applied (kDuplicate).
  ///
  /// `maybe_committed`: an earlier try at this APDU lost its connection, perhaps during its
  /// COMMIT (apply_batch's fallback): a duplicate found is then looked at as this node's own.
  Result<ApplyResult, StoreError> apply(const codec::Apdu& apdu, std::string_view sender_symbol,
                                        bool maybe_committed = false);

  /// Group commit: applies several APDUs, from different connections, in one database
  /// transaction with one COMMIT, and returns each one's result in the order given. Each APDU
  /// is decided exactly as apply() decides it, on the state the APDUs before it in the batch
  /// left (they are taken in the order of their transaction keys, so two batches lock rows in
  /// one order). Nothing is written for any of them unless the COMMIT succeeds; then all
  /// results hold at once. If anything in the batch fails (a deadlock, a lost connection, a
  /// write refused), it is rolled back and every APDU is applied alone with apply(), so one
  /// bad APDU costs the others a second try, never their place. APDUs the hub acts on as
  /// intermediary are applied alone after the batch. Two APDUs of one connection never share a
  /// batch (a connection waits for each answer), so their order is kept. Blocks.
  std::vector<Result<ApplyResult, StoreError>> apply_batch(std::span<const BatchItem> items);

  /// Makes the hub the intermediary for requests addressed to it (docs/ROUTING.md); null (the
  /// default): every request goes to the lender it names. Set before the first apply();
  /// `intermediary` must outlive the store.
  void set_intermediary(const Intermediary* intermediary) { intermediary_ = intermediary; }
  const Intermediary* intermediary() const { return intermediary_; }
  /// Turns birthing claimed outbox rows on (a value) or off (nullopt, the default). Set while
  /// no apply() runs (before the first, after the last).
  void set_birth_claims(std::optional<BirthClaims> claims) { birth_claims_ = std::move(claims); }
  /// Whether apply_batch reads and writes a batch's APDUs in pipelines (the default) or one
  /// statement at a time. Set while no apply runs. For tests and benchmarks that compare both.
  void set_pipelined(bool on) { pipelined_ = on; }

 private:
  /// What one try at an APDU came to.
  enum class Step {
    kDone,    // `out` is the result
    kRerun,   // another writer changed the transaction first: decide again on what it wrote
    kSolo,    // in a batch only: the hub acts as intermediary, which needs a transaction of its own
    kFailed,  // `error` says why
  };
  /// One try at an APDU on `conn`, inside whatever transaction `conn` is in (none: the write
  /// commits alone). `in_batch`: an APDU the intermediary would act on is left (kSolo).
  Step attempt(PgConnection& conn, const codec::Apdu& apdu, const codec::Envelope& e, const TransactionKey& key,
               std::string_view sender_symbol, bool lost_connection, bool in_batch, ApplyResult& out,
               StoreError& error);

  /// A batch's first pass, in two pipelines (libpq pipeline mode: one round trip for the
  /// reads of every transaction, one for the writes): for the first APDU of each transaction in
  /// `order`, decides and writes what it can, into decided[i]. Everything else (a refusal, an
  /// APDU for an unknown transaction that is no request, a write that met another writer, a
  /// second APDU of one transaction) is left to attempt(), one by one, after it. Inside the
  /// batch's transaction on `conn`. Errors: the batch failed.
  Result<Ok, StoreError> pipelined_pass(PgConnection& conn, std::span<const BatchItem> items,
                                        const std::vector<codec::Envelope>& envelopes,
                                        const std::vector<TransactionKey>& keys, const std::vector<std::size_t>& order,
                                        std::vector<std::optional<ApplyResult>>& decided);

  ConnectionPool& pool_;
  hub::LedgerPolicy policy_;
  const Intermediary* intermediary_ = nullptr;
  std::optional<BirthClaims> birth_claims_;
  bool pipelined_ = true;
};

}  // namespace illhub::store
