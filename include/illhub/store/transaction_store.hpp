#pragma once
// TransactionStore: applies one inbound APDU to the database, all or nothing. Loads the
// transaction, lets the hub decide (hub::decide: parties, both state tables, ledger rules),
// then writes the result in one statement that commits alone: the transaction row (checked
// against the version it was loaded at), the event, the ledger postings and the outbox row for
// the recipient. Nothing may be acknowledged or relayed before apply() returns.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "illhub/codec/apdu.hpp"
#include "illhub/hub/engine.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/intermediary.hpp"
#include "illhub/store/store_error.hpp"
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
  Result<ApplyResult, StoreError> apply(const codec::Apdu& apdu, std::string_view sender_symbol);

  /// Makes the hub the intermediary for requests addressed to it (docs/ROUTING.md); null (the
  /// default): every request goes to the lender it names. Set before the first apply();
  /// `intermediary` must outlive the store.
  void set_intermediary(const Intermediary* intermediary) { intermediary_ = intermediary; }
  const Intermediary* intermediary() const { return intermediary_; }

 private:
  ConnectionPool& pool_;
  hub::LedgerPolicy policy_;
  const Intermediary* intermediary_ = nullptr;
};

}  // namespace illhub::store
