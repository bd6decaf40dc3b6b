// StatusRecord. See include/illhub/store/status_record.hpp.
#include "illhub/store/status_record.hpp"

#include "illhub/store/transaction_key.hpp"

namespace illhub::store {

namespace {

constexpr std::string_view kLookup = R"sql(
SELECT id, requester_symbol, responder_symbol, requester_state, responder_state, item_title,
       item_author, to_char(created_at, 'YYYYMMDD'), to_char(updated_at, 'YYYYMMDD'),
       last_apdu_kind, coalesce(last_apdu_sender, ''), last_service_date
  FROM transactions
 WHERE initial_requester = $1 AND group_qualifier = $2 AND qualifier = $3 AND sub_qualifier = $4
   AND $5 IN (requester_symbol, responder_symbol))sql";

// The query and the answer; the answer's event exists only if the query's does.
constexpr std::string_view kRecord = R"sql(
WITH q AS (
  INSERT INTO events (transaction_id, direction, peer_symbol, apdu_kind, accepted, service_date,
                      service_time, raw_ber, reason)
  VALUES ($1, 'in', $2, $3, $4, $5, $6, $7, $8) RETURNING id, transaction_id),
a AS (
  INSERT INTO events (transaction_id, direction, peer_symbol, apdu_kind, accepted, raw_ber)
  SELECT q.transaction_id, 'out', $2, $9, true, $10 FROM q RETURNING id)
SELECT q.id FROM q, a)sql";

protocol::State state_at(const PgResult& r, int col) {
  return static_cast<protocol::State>(r.get_int64(0, col).value_or(0));
}

}  // namespace

Result<std::optional<StatusLookup>, StoreError> StatusRecord::lookup(const codec::Envelope& query,
                                                                     std::string_view asker) {
  const TransactionKey key = key_of(query);
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  PgConnection& conn = **lease;
  conn.prepare("status_lookup", std::string(kLookup));
  auto r = conn.exec_prepared("status_lookup", {key.initial_requester, key.group_qualifier, key.qualifier,
                                                key.sub_qualifier, asker});
  if (!r) return unexpected(r.error());
  if (r->rows() == 0) return std::optional<StatusLookup>();

  StatusLookup out;
  out.transaction_id = *r->get_int64(0, 0);
  hub::TransactionStatus& s = out.status;
  s.requester_symbol = std::string(r->get(0, 1));
  s.responder_symbol = std::string(r->get(0, 2));
  s.requester_state = state_at(*r, 3);
  s.responder_state = state_at(*r, 4);
  s.title = std::string(r->get(0, 5));
  s.author = std::string(r->get(0, 6));
  s.date_requested = std::string(r->get(0, 7));
  s.date_of_last_transition = std::string(r->get(0, 8));
  if (!r->is_null(0, 9)) {
    s.last_kind = static_cast<codec::ApduKind>(*r->get_int64(0, 9));
    s.last_sender = r->get(0, 10) == "responder" ? protocol::Role::kResponder : protocol::Role::kRequester;
    s.last_service_date = std::string(r->get(0, 11));
  }
  // A library may lend to itself only in tests; the requester role wins then.
  out.asker_role = asker == s.requester_symbol ? protocol::Role::kRequester : protocol::Role::kResponder;
  return std::optional<StatusLookup>(std::move(out));
}

Result<std::int64_t, StoreError> StatusRecord::record(std::int64_t transaction_id, std::string_view asker,
                                                      const codec::Envelope& query,
                                                      std::span<const std::uint8_t> query_ber,
                                                      std::span<const std::uint8_t> answer_ber,
                                                      std::string_view refusal) {
  auto lease = pool_.acquire();
  if (!lease) return unexpected(lease.error());
  PgConnection& conn = **lease;
  conn.prepare("status_record", std::string(kRecord));
  const std::string id = std::to_string(transaction_id);
  const std::string query_kind = std::to_string(static_cast<int>(query.kind));
  const std::string answer_kind = std::to_string(static_cast<int>(codec::ApduKind::kStatusOrErrorReport));
  const bool accepted = transaction_id != 0;
  auto r = conn.exec_prepared(
      "status_record",
      {accepted ? PgParam(id) : PgParam(std::nullopt), asker, query_kind, accepted ? "true" : "false",
       query.service_date_time.date, query.service_date_time.time, Bytea{query_ber},
       accepted ? PgParam(std::nullopt) : PgParam(refusal), answer_kind, Bytea{answer_ber}});
  if (!r) return unexpected(r.error());
  return *r->get_int64(0, 0);
}

}  // namespace illhub::store
