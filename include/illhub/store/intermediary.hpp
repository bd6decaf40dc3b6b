#pragma once
// Intermediary: the hub routes a request addressed to the consortium (docs/ROUTING.md). It
// keeps the rota in routing_attempts, asks one lender at a time (an onward ILL-Request with the
// already-tried-list filled, and a Forward-Notification to the borrower), moves on when a
// lender cannot supply or does not answer by its deadline, and answers the borrower unfilled
// when the rota is used up. Every step is written in the same database transaction as the APDU
// (or the deadline) that caused it; nothing is sent before COMMIT.
//
// TransactionStore::apply() and TimerSweep::sweep() call it; on its own it does nothing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/hub/engine.hpp"
#include "illhub/protocol/state.hpp"
#include "illhub/routing/rota.hpp"
#include "illhub/store/pg_connection.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::store {

/// Chooses lenders for a request that names none (no send-to-list). Called inside the
/// database transaction that records the request, on its connection (read what it needs;
/// write nothing). An error is recorded in the event log's reason and counts as "nobody can
/// supply".
using Planner = std::function<Result<routing::Rota, std::string>(PgConnection&, const routing::RotaRequest&)>;

/// The planner illd uses until the real one (routing::plan_rota, built separately) is wired
/// in: nobody can supply, so a request to the hub with no send-to-list is answered unfilled.
Result<routing::Rota, std::string> empty_planner(PgConnection&, const routing::RotaRequest&);

struct RoutingOptions {
  /// The hub's own institution symbol (`illd --symbol`); requests addressed to it are routed.
  std::string hub_symbol;
  /// How long a lender has to answer (any APDU that moves its side out of IN-PROCESS) before
  /// the next lender is asked.
  std::chrono::milliseconds answer_deadline{std::chrono::hours(48)};
  Planner planner = empty_planner;
};

/// What the intermediary did besides the APDU's own write: for logs and tests.
struct RoutingStep {
  /// The lender asked now; empty when the rota is used up (the borrower got an unfilled answer).
  std::string asked;
  /// The outcome recorded for the lender left ("unfilled", "no-answer" ...); empty for a new request.
  std::string left_outcome;
};

/// What one deadline sweep did.
struct DeadlineSweep {
  int moved = 0;                        // transactions moved on to their next lender (or the end)
  std::vector<std::string> recipients;  // who has something new in the outbox (to wake)
};

class Intermediary {
 public:
  explicit Intermediary(RoutingOptions options);
  const RoutingOptions& options() const { return options_; }

  /// Whether a new ILL-Request is routed by the hub (hub::routed_by_hub).
  bool routes(const codec::Envelope& request) const;

  /// Before the write of a new routed request: records the hub as a (disabled) peer so the
  /// transaction may name it as responder until a lender is asked, and points the decision
  /// at the hub. `decision` is hub::decide()'s acceptance.
  Result<Ok, StoreError> prepare_request(PgConnection& conn, hub::Decision& decision) const;

  /// After the write of a new routed request (same database transaction; `transaction_id`
  /// its row, `outbox_id` the relay the write made, which is withdrawn): the rota (send-to-list,
  /// else the planner), then the first lender asked, or the final unfilled answer.
  Result<RoutingStep, StoreError> start(PgConnection& conn, std::int64_t transaction_id, std::int64_t outbox_id,
                                        const codec::Apdu& request) const;

  /// Whether an accepted APDU from the current lender moves the request on: the transaction
  /// is `routed` by the hub, the APDU ends the lender's part without supplying, and the
  /// borrower's side (`requester_now`) is still PENDING (a borrower that sent Cancel gets the
  /// answer). When it does, `decision` is changed so that the borrower's side stays PENDING
  /// and nothing is posted (the borrower is not told); returns the lender's outcome.
  std::optional<std::string> moving_on(bool routed, protocol::State requester_now, const codec::Envelope& apdu,
                                       hub::Decision& decision) const;

  /// After the write of a moving-on APDU (same database transaction): the relay to the
  /// borrower is withdrawn, the lender's outcome recorded, the next lender asked. `locations`
  /// (a locations-provided answer's location-ids) join the rota right after that lender,
  /// skipped unless they are registered, enabled members not on the rota yet.
  Result<RoutingStep, StoreError> move_on(PgConnection& conn, std::int64_t transaction_id, std::int64_t outbox_id,
                                          const std::string& outcome,
                                          const std::vector<codec::SystemId>& locations = {}) const;

  /// After an accepted APDU from a lender that does not move on: its attempt gets `outcome`,
  /// "supplying" (will-supply, Shipped ...) or, when the borrower had cancelled, the answer's
  /// own ("unfilled" ...). No-op for a transaction the hub does not route.
  Result<Ok, StoreError> note_answer(PgConnection& conn, std::int64_t transaction_id, const std::string& lender,
                                     const std::string& outcome) const;

  /// Moves on from lenders whose answer deadline passed while their side is still IN-PROCESS,
  /// at most `limit` transactions, inside the caller's database transaction.
  Result<DeadlineSweep, StoreError> sweep_deadlines(PgConnection& conn, int limit) const;

 private:
  Result<RoutingStep, StoreError> advance(PgConnection& conn, std::int64_t transaction_id) const;
  Result<Ok, StoreError> add_locations(PgConnection& conn, std::int64_t transaction_id, const std::string& lender,
                                       const std::string& borrower,
                                       const std::vector<codec::SystemId>& locations) const;
  RoutingOptions options_;
};

}  // namespace illhub::store
