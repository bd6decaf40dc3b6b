// SQLSTATE → StoreError::Kind. PostgreSQL's codes are in its documentation, appendix A.
#include "illhub/store/store_error.hpp"

namespace illhub::store {

StoreError::Kind kind_for_sqlstate(std::string_view sqlstate) {
  using K = StoreError::Kind;
  if (sqlstate.size() != 5) return K::kOther;
  if (sqlstate == "40001") return K::kSerializationFailure;
  if (sqlstate == "40P01") return K::kDeadlock;
  if (sqlstate == "23505") return K::kUniqueViolation;
  if (sqlstate.starts_with("23")) return K::kConstraint;
  // Class 08: connection exception. 57P01 admin_shutdown (pg_terminate_backend, fast
  // shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down):
  // all mean this connection is gone or not usable yet.
  if (sqlstate.starts_with("08")) return K::kConnectionLost;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") return K::kConnectionLost;
  return K::kOther;
}

std::string_view to_string(StoreError::Kind kind) {
  using K = StoreError::Kind;
  switch (kind) {
    case K::kConnectionLost: return "connection lost";
    case K::kSerializationFailure: return "serialization failure";
    case K::kDeadlock: return "deadlock";
    case K::kUniqueViolation: return "unique violation";
    case K::kCommitOutcomeUnknown: return "commit outcome unknown";
    case K::kConstraint: return "constraint violation";
    case K::kMigration: return "migration refused";
    case K::kOther: return "database error";
  }
  return "database error";
}

ErrorAction action_for(StoreError::Kind kind) {
  using K = StoreError::Kind;
  switch (kind) {
    case K::kSerializationFailure:
    case K::kDeadlock: return ErrorAction::kRetryTransaction;
    case K::kConnectionLost: return ErrorAction::kReconnectAndRetry;
    case K::kUniqueViolation: return ErrorAction::kAlreadyApplied;
    case K::kCommitOutcomeUnknown: return ErrorAction::kRerunIdempotently;
    case K::kConstraint:
    case K::kMigration:
    case K::kOther: return ErrorAction::kFail;
  }
  return ErrorAction::kFail;
}

std::string StoreError::describe() const {
  std::string out(to_string(kind));
  if (!sqlstate.empty()) out += " (" + sqlstate + ")";
  out += ": ";
  out += message;
  return out;
}

}  // namespace illhub::store
