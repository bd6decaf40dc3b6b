#pragma once
// StoreError: what went wrong talking to PostgreSQL, sorted into the few kinds a caller acts
// on differently. Nothing in the store layer throws; every call returns Result<T, StoreError>.

#include <string>
#include <string_view>

namespace illhub::store {

struct StoreError {
  /// One kind per distinct reaction. The action each kind calls for is written next to it;
  /// action_for() returns the same as a value for code that wants to branch on it.
  enum class Kind {
    /// SQLSTATE class 08, 57P01..57P03, or libpq reports the connection bad. The statement
    /// did not run (or ran in a transaction that is now rolled back). Action: the pool
    /// reconnects on the next lease; rerun the whole transaction on a fresh lease.
    kConnectionLost,
    /// 40001. PostgreSQL rolled the transaction back to keep it serializable.
    /// Action: retry the whole transaction from BEGIN, with a bound on attempts.
    kSerializationFailure,
    /// 40P01. PostgreSQL picked this transaction as the deadlock victim and rolled it back.
    /// Action: retry the whole transaction from BEGIN, with a bound on attempts.
    kDeadlock,
    /// 23505. A unique key already holds this value. On the keys that make an apply
    /// idempotent (a transaction's four-part id, an event's dedup key) it means: already
    /// applied. Action: roll back and treat the step as done; do not relay it again.
    kUniqueViolation,
    /// The connection dropped while COMMIT was in flight: the transaction may or may not have
    /// committed, and nobody can tell from here. Action: never acknowledge; rerun the whole
    /// apply on a fresh connection. That is safe only because applying the same APDU twice
    /// is a no-op (the dedup keys above turn the rerun into kUniqueViolation = already done).
    kCommitOutcomeUnknown,
    /// Another class 23 violation (foreign key, check, not null, an illhub trigger such as the
    /// balanced-ledger or append-only rules). A bug or bad input. Action: roll back, report,
    /// do not retry.
    kConstraint,
    /// Migrations refused to run (changed file, database newer than the binary, bad file).
    /// Action: stop and tell the operator; the message says what to do.
    kMigration,
    /// Anything else (syntax error, permission, disk full, a process that would not start).
    /// Action: roll back, report, do not retry.
    kOther,
  };

  Kind kind = Kind::kOther;
  std::string sqlstate;  // five characters from the server, or empty when none was reported
  std::string message;   // the server's or libpq's primary message, or ours

  /// "serialization failure (40001): could not serialize access ..."
  std::string describe() const;
};

/// The kind for a SQLSTATE as PostgreSQL reports it. Empty or unknown states map to kOther;
/// kCommitOutcomeUnknown and kMigration are never returned (they depend on context).
StoreError::Kind kind_for_sqlstate(std::string_view sqlstate);

/// A short name for logs: "connection lost", "serialization failure", ...
std::string_view to_string(StoreError::Kind kind);

/// What a caller should do about an error of this kind (see the comments on Kind).
enum class ErrorAction {
  kRetryTransaction,   // serialization failure, deadlock: rerun from BEGIN
  kReconnectAndRetry,  // connection lost: a fresh lease, then rerun from BEGIN
  kAlreadyApplied,     // unique violation on an idempotency key: done, nothing more to do
  kRerunIdempotently,  // commit outcome unknown: rerun the apply; the rerun decides
  kFail,               // everything else: roll back and report
};
ErrorAction action_for(StoreError::Kind kind);

inline StoreError make_error(StoreError::Kind kind, std::string message,
                             std::string sqlstate = {}) {
  return StoreError{kind, std::move(sqlstate), std::move(message)};
}

}  // namespace illhub::store
