#pragma once
// StatusRecord: what the hub needs to answer a Status-Query itself. Reads a transaction's
// status for one of its parties, and records the query with the hub's answer as two events
// (the query 'in', the answer 'out'), so every APDU the hub received or sent is on record.
// A Status-Query changes no state and is not relayed: the hub answers from its record.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "illhub/codec/envelope.hpp"
#include "illhub/hub/status_report.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

namespace illhub::store {

struct StatusLookup {
  std::int64_t transaction_id = 0;
  protocol::Role asker_role = protocol::Role::kRequester;
  hub::TransactionStatus status;
};

class StatusRecord {
 public:
  /// `pool` must outlive this. Thread-safe; every call blocks on the database.
  explicit StatusRecord(ConnectionPool& pool) : pool_(pool) {}

  /// The transaction `query` names, if `asker` is one of its two parties; nothing otherwise
  /// (an unknown transaction and somebody else's look the same to the asker: no leak).
  Result<std::optional<StatusLookup>, StoreError> lookup(const codec::Envelope& query, std::string_view asker);

  /// Records the query from `asker` and the answer sent back, in one statement.
  /// `transaction_id` 0: the query matched no transaction of the asker's; `refusal` then
  /// says why, and the query is recorded as refused. Returns the query's event id.
  Result<std::int64_t, StoreError> record(std::int64_t transaction_id, std::string_view asker,
                                          const codec::Envelope& query, std::span<const std::uint8_t> query_ber,
                                          std::span<const std::uint8_t> answer_ber, std::string_view refusal);

 private:
  ConnectionPool& pool_;
};

}  // namespace illhub::store
