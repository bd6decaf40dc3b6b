#pragma once
// Transaction: BEGIN on construction, ROLLBACK on destruction unless commit() succeeded.
// Nothing the transaction wrote is acknowledged or relayed until commit() returns a value.

#include <initializer_list>
#include <string_view>

#include "illhub/store/pg_connection.hpp"

namespace illhub::store {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

class Transaction {
 public:
  /// BEGIN at the given isolation level. Errors: as PgConnection::exec.
  static Result<Transaction, StoreError> begin(PgConnection& conn,
                                               Isolation isolation = Isolation::kReadCommitted);

  Transaction(Transaction&& other) noexcept : conn_(other.conn_), open_(other.open_) {
    other.open_ = false;
  }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  /// Rolls back if still open; a lost connection needs nothing (the server rolled back).
  ~Transaction();

  Result<PgResult, StoreError> exec(std::string_view sql, std::initializer_list<PgParam> params = {}) {
    return conn_->exec(sql, params);
  }
  PgConnection& connection() { return *conn_; }

  /// COMMIT. Errors: kCommitOutcomeUnknown when the connection dropped during COMMIT (see
  /// StoreError); kSerializationFailure/kConstraint when the server refused at COMMIT (a
  /// deferred trigger, SSI) and rolled back; kOther when the transaction had already failed
  /// and COMMIT turned into ROLLBACK. After any result the transaction is closed.
  Result<Ok, StoreError> commit();
  Result<Ok, StoreError> rollback();

 private:
  explicit Transaction(PgConnection& conn) : conn_(&conn), open_(true) {}
  PgConnection* conn_;
  bool open_;
};

}  // namespace illhub::store
