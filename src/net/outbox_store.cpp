// OutboxStore: claim, mark delivered, mark failed. See the header for the claiming rules.
#include "illhub/net/outbox_store.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace illhub::net {

namespace {

// The claim itself lives in the database: schema/0005_outbox_claim_function.sql (one round trip,
// plans kept by PostgreSQL).
constexpr const char* kClaim = "SELECT * FROM illhub_claim_outbox($1, $2, $3, $4, $5)";
constexpr const char* kMarkDelivered =
    "UPDATE outbox SET status = 'delivered', delivered_at = now(), last_error = NULL "
    "WHERE id = ANY ($1::bigint[]) AND status = 'pending'";

/// `{1,2,3}`: ids as one bigint[] parameter.
std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string list = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
  return list + "}";
}

std::string seconds(std::chrono::milliseconds ms) {
  return std::to_string(static_cast<double>(ms.count()) / 1000.0);
}

}  // namespace

std::chrono::milliseconds OutboxStore::backoff(int failed_attempts) const {
  const double factor = std::pow(options_.backoff_factor, std::max(0, failed_attempts - 1));
  const double ms = static_cast<double>(options_.backoff_initial.count()) * factor;
  const double cap = static_cast<double>(options_.backoff_cap.count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(ms, cap)));
}

Result<std::vector<OutboxRow>, store::StoreError> OutboxStore::claim(const std::string& recipient) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  store::PgConnection& conn = **lease;
  conn.prepare("claim_outbox", kClaim);
  auto rows = conn.exec_prepared("claim_outbox", {recipient, options_.batch, seconds(options_.lease), node_id_,
                                                  seconds(options_.dead_node_grace)});
  if (!rows) return unexpected(rows.error());
  std::vector<OutboxRow> out;
  for (int i = 0; i < rows->rows(); ++i) {
    OutboxRow row;
    row.id = rows->get_int64(i, 0).value_or(0);
    row.apdu = rows->get_bytea(i, 1);
    row.attempts = static_cast<int>(rows->get_int64(i, 2).value_or(0));
    row.age_at_claim_seconds = std::strtod(std::string(rows->get(i, 3)).c_str(), nullptr);
    out.push_back(std::move(row));
  }
  // RETURNING does not promise an order; delivery relies on it.
  std::sort(out.begin(), out.end(), [](const OutboxRow& a, const OutboxRow& b) { return a.id < b.id; });
  return out;
}

Result<Ok, store::StoreError> OutboxStore::mark_delivered(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return Ok{};
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  (*lease)->prepare("mark_delivered", kMarkDelivered);
  auto r = (*lease)->exec_prepared("mark_delivered", {id_array(ids)});
  if (!r) return unexpected(r.error());
  return Ok{};
}

Result<bool, store::StoreError> OutboxStore::mark_failed(const OutboxRow& row, const std::string& error) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  const int attempts = row.attempts + 1;
  const bool final_attempt = attempts >= options_.max_attempts;
  auto r = (*lease)->exec(
      "UPDATE outbox SET attempts = attempts + 1, last_error = $2, claimed_by = NULL, "
      "  status = CASE WHEN $3::boolean THEN 'failed' ELSE status END, "
      "  next_attempt_at = now() + make_interval(secs => $4::double precision) "
      "WHERE id = $1 AND status = 'pending'",
      {row.id, error, final_attempt, seconds(backoff(attempts))});
  if (!r) return unexpected(r.error());
  return final_attempt;
}

Result<Ok, store::StoreError> OutboxStore::release(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return Ok{};
  const std::string list = id_array(ids);
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  auto r = (*lease)->exec(
      "UPDATE outbox SET next_attempt_at = now(), claimed_by = NULL "
      "WHERE id = ANY ($1::bigint[]) AND status = 'pending'",
      {list});
  if (!r) return unexpected(r.error());
  return Ok{};
}

Result<OutboxCounts, store::StoreError> OutboxStore::counts(std::chrono::milliseconds limit) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  store::PgConnection& conn = **lease;
  auto begin = conn.exec("BEGIN");
  if (!begin) return unexpected(begin.error());
  // Transaction-local: the pooled connection keeps no timeout afterwards.
  auto timeout = conn.exec("SELECT set_config('statement_timeout', $1, true)", {std::to_string(limit.count())});
  auto r = timeout ? conn.exec("SELECT (SELECT count(*) FROM outbox WHERE status = 'pending'), "
                               "       (SELECT count(*) FROM outbox WHERE status = 'failed')")
                   : Result<store::PgResult, store::StoreError>(unexpected(timeout.error()));
  if (!r) {
    (void)conn.exec("ROLLBACK");
    return unexpected(r.error());
  }
  auto commit = conn.exec("COMMIT");
  if (!commit) return unexpected(commit.error());
  return OutboxCounts{r->get_int64(0, 0).value_or(0), r->get_int64(0, 1).value_or(0)};
}

Result<std::vector<DueRecipient>, store::StoreError> OutboxStore::due_recipients() {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  auto r = (*lease)->exec(
      "SELECT p.symbol, p.delivery_mode = 'dial' AND p.endpoint IS NOT NULL FROM peers p "
      "WHERE p.enabled AND EXISTS (SELECT 1 FROM outbox o WHERE o.recipient_symbol = p.symbol "
      "  AND o.status = 'pending' AND (o.next_attempt_at <= now() "
      // A row leased to a dead node is due after the grace, as illhub_claim_outbox takes it
      // over; without this, a recipient nothing else wakes waited for the whole lease (60 s).
      "    OR (o.claimed_by IS NOT NULL AND o.claimed_at < now() - make_interval(secs => $1::float8) "
      "        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
      "                        WHERE a.application_name = 'illd-node-' || o.claimed_by)))) "
      "ORDER BY p.symbol",
      {seconds(options_.dead_node_grace)});
  if (!r) return unexpected(r.error());
  std::vector<DueRecipient> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back({std::string(r->get(i, 0)), r->get(i, 1) == "t"});
  return out;
}

}  // namespace illhub::net
