#include "app/illctl/stats_query.hpp"

#include <map>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"

namespace illhub::app {
namespace {

// Stage times are the first accepted event of the kind (1 ILL-Request, 3 Shipped,
// 8 Received, 10 Returned). Overdue: an Overdue (12) or a move into NOT-RECEIVED-OVERDUE,
// RENEW-OVERDUE or OVERDUE (11, 12, 13) on either side. Lost: a Lost (15).
constexpr const char* kFactsSql = R"SQL(
WITH facts AS (
  SELECT t.id, t.requester_symbol, t.responder_symbol, t.item_title,
         coalesce(t.is_loan, t.service_type = 1, false) AS is_loan,
         min(e.received_at) FILTER (WHERE e.apdu_kind = 1) AS requested,
         min(e.received_at) FILTER (WHERE e.apdu_kind = 3) AS shipped,
         min(e.received_at) FILTER (WHERE e.apdu_kind = 8) AS received,
         min(e.received_at) FILTER (WHERE e.apdu_kind = 10) AS returned,
         coalesce(bool_or(e.apdu_kind = 12 OR e.new_requester_state IN (11, 12, 13)
                          OR e.new_responder_state IN (11, 12, 13)), false) AS overdue,
         coalesce(bool_or(e.apdu_kind = 15), false) AS lost
    FROM transactions t
    JOIN events e ON e.transaction_id = t.id AND e.accepted
   WHERE $3::text IS NULL OR $3 IN (t.requester_symbol, t.responder_symbol)
   GROUP BY t.id)
SELECT id, requester_symbol, responder_symbol, item_title, is_loan,
       to_char(requested AT TIME ZONE 'UTC', 'YYYY-MM'),
       extract(epoch FROM requested)::bigint, extract(epoch FROM shipped)::bigint,
       extract(epoch FROM received)::bigint, extract(epoch FROM returned)::bigint,
       overdue, lost
  FROM facts
 WHERE requested >= coalesce($1::timestamptz, '-infinity')
   AND requested < coalesce($2::timestamptz, 'infinity')
 ORDER BY id
)SQL";

// The last accepted ILL-Answer of each transaction in the list.
constexpr const char* kAnswersSql = R"SQL(
SELECT DISTINCT ON (transaction_id) transaction_id, raw_ber
  FROM events
 WHERE accepted AND apdu_kind = 4 AND transaction_id = ANY ($1::bigint[])
 ORDER BY transaction_id, seq DESC
)SQL";

std::optional<std::string> nonempty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::string describe(const store::StoreError& e) {
  if (e.sqlstate == "42P01") return "the database has no illhub schema (run `illctl migrate`)";
  return e.describe();
}

}  // namespace

Result<std::vector<TransactionFacts>, std::string> read_transaction_facts(
    store::PgConnection& conn, const ReportPeriod& period, const std::string& library) {
  const auto from = nonempty(period.from_timestamp), to = nonempty(period.to_timestamp),
             only = nonempty(library);
  auto rows = conn.exec(kFactsSql, {from, to, only});
  if (!rows) return unexpected(describe(rows.error()));
  std::vector<TransactionFacts> facts;
  std::map<std::int64_t, std::size_t> index;
  std::string ids = "{";
  for (int r = 0; r < rows->rows(); ++r) {
    TransactionFacts f;
    f.id = rows->get_int64(r, 0).value_or(0);
    f.borrower = rows->get(r, 1);
    f.lender = rows->get(r, 2);
    f.title = rows->get(r, 3);
    f.is_loan = rows->get(r, 4) == "t";
    f.month = rows->get(r, 5);
    f.requested = rows->get_int64(r, 6);
    f.shipped = rows->get_int64(r, 7);
    f.received = rows->get_int64(r, 8);
    f.returned = rows->get_int64(r, 9);
    f.overdue = rows->get(r, 10) == "t";
    f.lost = rows->get(r, 11) == "t";
    index[f.id] = facts.size();
    ids += (facts.empty() ? "" : ",") + std::to_string(f.id);
    facts.push_back(std::move(f));
  }
  ids += "}";
  if (facts.empty()) return facts;

  auto answers = conn.exec(kAnswersSql, {ids});
  if (!answers) return unexpected(describe(answers.error()));
  for (int r = 0; r < answers->rows(); ++r) {
    const auto bytes = answers->get_bytea(r, 1);
    auto apdu = codec::decode(bytes);
    // The hub accepted these bytes, so they decode; a row that does not is skipped rather
    // than failing the whole report.
    if (!apdu) continue;
    const codec::Envelope envelope = codec::read_envelope(*apdu);
    if (envelope.transaction_results == codec::TransactionResults::kUnfilled)
      facts[index[answers->get_int64(r, 0).value_or(0)]].unfilled_reason = envelope.reason.value_or(0);
  }
  return facts;
}

}  // namespace illhub::app
