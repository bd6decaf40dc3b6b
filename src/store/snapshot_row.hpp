#pragma once
// The columns of a transaction row that make up a hub::TransactionSnapshot, and how to read
// them back: one list shared by TransactionStore::apply() and the timer sweep, so both decide
// on the same picture of a transaction.

#include <string_view>

#include "illhub/hub/engine.hpp"
#include "illhub/store/pg_result.hpp"

namespace illhub::store {

/// Select list over `transactions t JOIN peers rp (requester) JOIN peers sp (responder)`:
/// kSnapshotColumnCount columns, read back by snapshot_from_row.
inline constexpr std::string_view kSnapshotColumns =
    "t.requester_symbol, t.responder_symbol, "
    "t.requester_state, t.responder_state, t.requester_before_cancel, t.responder_before_cancel, "
    "t.is_loan, t.requester_can_send_received, t.requester_can_send_returned, "
    "t.responder_can_send_shipped, t.responder_can_send_checked_in, t.shipped, "
    "t.last_apdu_kind, t.last_apdu_sender, t.last_service_date, t.last_service_time, "
    "t.insured_amount, t.insured_currency, t.replacement_charged, "
    "coalesce(to_char(t.date_due, 'YYYYMMDD'), ''), rp.profile, sp.profile";
inline constexpr int kSnapshotColumnCount = 22;

/// The snapshot in row `row`, whose kSnapshotColumns start at column `first`. exists = true.
hub::TransactionSnapshot snapshot_from_row(const PgResult& r, int row, int first);

}  // namespace illhub::store
