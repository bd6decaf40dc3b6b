// Transaction: BEGIN / COMMIT / ROLLBACK, with the one case that needs care: a connection lost
// while COMMIT was in flight leaves the outcome unknown (StoreError::kCommitOutcomeUnknown).
#include "illhub/store/transaction.hpp"

namespace illhub::store {

Result<Transaction, StoreError> Transaction::begin(PgConnection& conn, Isolation isolation) {
  const char* sql = "BEGIN";
  switch (isolation) {
    case Isolation::kReadCommitted: sql = "BEGIN ISOLATION LEVEL READ COMMITTED"; break;
    case Isolation::kRepeatableRead: sql = "BEGIN ISOLATION LEVEL REPEATABLE READ"; break;
    case Isolation::kSerializable: sql = "BEGIN ISOLATION LEVEL SERIALIZABLE"; break;
  }
  auto begun = conn.exec(sql);
  if (!begun) return unexpected(begun.error());
  return Transaction(conn);
}

Transaction::~Transaction() {
  // A lost connection needs no ROLLBACK: the server rolled back when the session ended.
  if (open_ && conn_->is_ok()) (void)conn_->exec("ROLLBACK");
}

Result<Ok, StoreError> Transaction::commit() {
  open_ = false;
  auto result = conn_->exec("COMMIT");
  if (!result) {
    StoreError error = result.error();
    // The request may have reached the server and committed before the answer was lost.
    if (error.kind == StoreError::Kind::kConnectionLost) {
      error.kind = StoreError::Kind::kCommitOutcomeUnknown;
      error.message = "connection lost during COMMIT, outcome unknown: " + error.message;
    }
    return unexpected(std::move(error));
  }
  // COMMIT of a transaction in which a statement failed is answered with ROLLBACK.
  if (result->command_status() == "ROLLBACK") {
    return unexpected(make_error(StoreError::Kind::kOther,
                                 "transaction had failed earlier; COMMIT rolled it back"));
  }
  return Ok{};
}

Result<Ok, StoreError> Transaction::rollback() {
  open_ = false;
  auto result = conn_->exec("ROLLBACK");
  if (!result) return unexpected(result.error());
  return Ok{};
}

}  // namespace illhub::store
