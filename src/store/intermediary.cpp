// Intermediary: the hub routes requests to the consortium. See include/illhub/store/intermediary.hpp
// and docs/ROUTING.md.
#include "illhub/store/intermediary.hpp"

#include <algorithm>
#include <ctime>
#include <span>

#include "illhub/codec/builders.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/hub/intermediary.hpp"
#include "store/sql_array.hpp"

namespace illhub::store {
namespace {

constexpr std::string_view kIntermediaryName = "this hub, as intermediary";
/// Reason-Unfilled "other" (27): the hub holds nothing itself; every lender it could ask said no.
constexpr long kReasonUnfilledOther = 27;

// The hub's own row in peers: a transaction names it as responder while no lender is asked.
// Disabled, no address, never dialled: nobody connects or is delivered to as the hub.
constexpr std::string_view kEnsureHubPeer = R"sql(
INSERT INTO peers (symbol, name, delivery_mode, enabled) VALUES ($1, $2, 'connection', false)
ON CONFLICT (symbol) DO NOTHING)sql";

constexpr std::string_view kMembers = R"sql(
SELECT symbol FROM peers WHERE enabled AND symbol = ANY($1::text[]))sql";

constexpr std::string_view kInsertRota = R"sql(
INSERT INTO routing_attempts (transaction_id, position, lender_symbol, reason, source, policy_version, outcome,
                              outcome_at)
SELECT $1, x.position, x.lender, x.reason, $5, $6, NULLIF(x.outcome, ''),
       CASE WHEN x.outcome = '' THEN NULL ELSE now() END
FROM unnest($2::integer[], $3::text[], $4::text[], $7::text[]) AS x(position, lender, reason, outcome))sql";

constexpr std::string_view kWithdrawRelay = "DELETE FROM outbox WHERE id = $1";

constexpr std::string_view kLoadTransaction = R"sql(
SELECT initial_requester, group_qualifier, qualifier, sub_qualifier, requester_symbol, responder_symbol
FROM transactions WHERE id = $1)sql";

constexpr std::string_view kOriginalRequest = R"sql(
SELECT raw_ber FROM events WHERE transaction_id = $1 AND direction = 'in' AND apdu_kind = 1 AND accepted
ORDER BY id LIMIT 1)sql";

constexpr std::string_view kNextAttempt = R"sql(
SELECT position, lender_symbol FROM routing_attempts
WHERE transaction_id = $1 AND asked_at IS NULL AND outcome IS NULL ORDER BY position LIMIT 1)sql";

constexpr std::string_view kAskedBefore = R"sql(
SELECT lender_symbol FROM routing_attempts WHERE transaction_id = $1 AND asked_at IS NOT NULL
ORDER BY position)sql";

constexpr std::string_view kMarkAsked = R"sql(
UPDATE routing_attempts SET asked_at = now(), answer_by = now() + make_interval(secs => $3::double precision / 1000)
WHERE transaction_id = $1 AND position = $2)sql";

// The lender asked now becomes the transaction's responder, its side a fresh IN-PROCESS (the
// tables' "request again after a forward"); the borrower's side stays PENDING. What the
// previous lender declared or did is forgotten with it.
constexpr std::string_view kAskLender = R"sql(
UPDATE transactions SET responder_symbol = $2, requester_state = 2, responder_state = 3,
  responder_before_cancel = 0, responder_can_send_shipped = true, responder_can_send_checked_in = true,
  shipped = false, last_apdu_kind = NULL, last_apdu_sender = NULL, last_service_date = '',
  last_service_time = '', routed_by_hub = true, version = version + 2
WHERE id = $1 RETURNING version)sql";

constexpr std::string_view kRotaUsedUp = R"sql(
UPDATE transactions SET responder_symbol = $2, requester_state = 1, responder_state = 1,
  last_apdu_kind = NULL, last_apdu_sender = NULL, last_service_date = '', last_service_time = '',
  routed_by_hub = true, rota_exhausted = true, version = version + 1
WHERE id = $1 RETURNING version)sql";

// An APDU the hub itself sends: the event ('out', to $3) and its outbox row, and the wake-up.
constexpr std::string_view kWriteOut = R"sql(
WITH e AS (INSERT INTO events (transaction_id, seq, direction, peer_symbol, apdu_kind, accepted,
                               new_requester_state, new_responder_state, service_date, service_time, raw_ber, reason)
           VALUES ($1, $2, 'out', $3, $4, true, $5, $6, $7, $8, $9, $10) RETURNING id, transaction_id),
o AS (INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu)
      SELECT e.id, e.transaction_id, $3, $9 FROM e RETURNING id)
SELECT e.id, o.id, pg_notify('illhub_outbox', $3)::text FROM e, o)sql";

// Where the lender that answered stands on the rota: locations it names join right after it.
constexpr std::string_view kPositionOf = R"sql(
SELECT max(position) FROM routing_attempts WHERE transaction_id = $1 AND lender_symbol = $2 AND asked_at IS NOT NULL)sql";

constexpr std::string_view kOnRota = R"sql(
SELECT lender_symbol FROM routing_attempts WHERE transaction_id = $1)sql";

// Makes room for $3 entries after position $2. The primary key is checked row by row, so the
// entries behind are moved far out first and back in a second statement.
constexpr std::string_view kMakeRoomFar = R"sql(
UPDATE routing_attempts SET position = position + 1000000 WHERE transaction_id = $1 AND position > $2)sql";
constexpr std::string_view kMakeRoomBack = R"sql(
UPDATE routing_attempts SET position = position - 1000000 + $2 WHERE transaction_id = $1 AND position > 1000000)sql";

constexpr std::string_view kInsertLocations = R"sql(
INSERT INTO routing_attempts (transaction_id, position, lender_symbol, reason, source, outcome, outcome_at)
SELECT $1, $2 + x.n, x.lender, x.reason, 'locations-provided', NULLIF(x.outcome, ''),
       CASE WHEN x.outcome = '' THEN NULL ELSE now() END
FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(lender, reason, outcome, n))sql";

constexpr std::string_view kCloseAttempt = R"sql(
UPDATE routing_attempts SET outcome = $3, outcome_at = now()
WHERE transaction_id = $1 AND lender_symbol = $2 AND asked_at IS NOT NULL AND outcome IS NULL)sql";

constexpr std::string_view kNoteAnswer = R"sql(
UPDATE routing_attempts SET outcome = $3, outcome_at = now()
WHERE transaction_id = $1 AND lender_symbol = $2 AND asked_at IS NOT NULL AND outcome IS NULL)sql";

// Lenders whose side left IN-PROCESS other than by an answer noted on the rota (the borrower's
// Cancel and its reply, the hub's own Expired; or an answer whose note failed) but whose
// attempt is still open: no deadline applies to them any more; their part "ended".
constexpr std::string_view kSettleAnswered = R"sql(
UPDATE routing_attempts a SET outcome = 'ended', outcome_at = now() FROM transactions t
WHERE t.id = a.transaction_id AND a.outcome IS NULL AND a.answer_by IS NOT NULL AND a.answer_by < now()
  AND (t.responder_symbol <> a.lender_symbol OR t.responder_state <> 3))sql";

// Only while the borrower waits (PENDING): a borrower that sent Cancel is not given a new lender.
constexpr std::string_view kDueDeadlines = R"sql(
SELECT t.id, a.lender_symbol FROM routing_attempts a JOIN transactions t ON t.id = a.transaction_id
WHERE a.outcome IS NULL AND a.answer_by IS NOT NULL AND a.answer_by < now() AND t.routed_by_hub
  AND t.responder_symbol = a.lender_symbol AND t.responder_state = 3 AND t.requester_state = 2
ORDER BY a.answer_by LIMIT $1 FOR UPDATE OF t SKIP LOCKED)sql";

StoreError encode_error(const std::string& what, const std::string& detail) {
  return make_error(StoreError::Kind::kOther, "routing: cannot build " + what + ": " + detail);
}

codec::SystemId symbol(const std::string& s) { return codec::SystemId{s, {}, false, false}; }

struct WriteOut {
  std::int64_t transaction_id;
  std::int64_t seq;
  std::string recipient;
  const codec::Apdu& apdu;
  int requester_state, responder_state;
  std::string reason;
};

Result<Ok, StoreError> write_out(PgConnection& conn, const WriteOut& w, const codec::ServiceDateTime& now) {
  const std::string kind = std::to_string(static_cast<int>(w.apdu.kind()));
  conn.prepare("routing_write_out", std::string(kWriteOut));
  auto r = conn.exec_prepared("routing_write_out",
                              {w.transaction_id, w.seq, w.recipient, kind, w.requester_state, w.responder_state, now.date,
                               now.time, Bytea{w.apdu.bytes()}, w.reason});
  if (!r) return unexpected(r.error());
  return Ok{};
}

Result<PgResult, StoreError> run(PgConnection& conn, const char* name, std::string_view sql,
                                 std::initializer_list<PgParam> params) {
  conn.prepare(name, std::string(sql));
  return conn.exec_prepared(name, params);
}

}  // namespace

Result<routing::Rota, std::string> empty_planner(PgConnection&, const routing::RotaRequest&) {
  return routing::Rota{};
}

Intermediary::Intermediary(RoutingOptions options) : options_(std::move(options)) {}

bool Intermediary::routes(const codec::Envelope& request) const {
  return hub::routed_by_hub(request, options_.hub_symbol);
}

Result<Ok, StoreError> Intermediary::prepare_request(PgConnection& conn, hub::Decision& decision) const {
  auto r = run(conn, "routing_ensure_hub_peer", kEnsureHubPeer, {options_.hub_symbol, kIntermediaryName});
  if (!r) return unexpected(r.error());
  // Until a lender is asked the hub is the responder; the write's own relay goes nowhere
  // useful (start() withdraws it), so it is addressed to the borrower, a peer that exists.
  decision.next.responder_symbol = options_.hub_symbol;
  decision.recipient_symbol = decision.next.requester_symbol;
  return Ok{};
}

Result<RoutingStep, StoreError> Intermediary::start(PgConnection& conn, std::int64_t transaction_id,
                                                    std::int64_t outbox_id, const codec::Apdu& request) const {
  auto withdrawn = run(conn, "routing_withdraw_relay", kWithdrawRelay, {outbox_id});
  if (!withdrawn) return unexpected(withdrawn.error());
  const codec::Envelope e = codec::read_envelope(request);

  // The rota: the borrower's own list, else the planner's choice.
  std::vector<hub::SendToCandidate> candidates;
  std::string source = "send-to-list";
  std::int64_t policy_version = 0;
  if (!e.send_to.empty()) {
    candidates = hub::send_to_rota(e, options_.hub_symbol);
  } else {
    source = "planner";
    routing::RotaRequest ask = hub::rota_request_from(e);
    auto rota = options_.planner ? options_.planner(conn, ask) : empty_planner(conn, ask);
    if (rota) {
      policy_version = rota->policy_version;
      for (const routing::RotaEntry& entry : rota->lenders) {
        hub::SendToCandidate c{entry.lender, entry.reason, {}};
        if (entry.lender == e.requester_id.symbol) c.skip_reason = "the borrower itself";
        else if (std::find(ask.already_tried.begin(), ask.already_tried.end(), entry.lender) != ask.already_tried.end())
          c.skip_reason = "on the request's already-tried-list";
        candidates.push_back(std::move(c));
      }
    } else {
      candidates.push_back({"(planner)", "the planner failed: " + rota.error(), "no lender chosen"});
    }
  }

  // Only registered, enabled libraries are asked.
  std::vector<std::string> names;
  for (const auto& c : candidates) names.push_back(c.lender);
  auto members = run(conn, "routing_members", kMembers, {to_array_literal(names)});
  if (!members) return unexpected(members.error());
  auto is_member = [&members](const std::string& s) {
    for (int i = 0; i < members->rows(); ++i)
      if (members->get(i, 0) == s) return true;
    return false;
  };
  std::vector<std::string> positions, lenders, reasons, outcomes;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    hub::SendToCandidate& c = candidates[i];
    if (c.skip_reason.empty() && !is_member(c.lender)) c.skip_reason = "not a registered, enabled member";
    positions.push_back(std::to_string(i + 1));
    lenders.push_back(c.lender);
    reasons.push_back(c.skip_reason.empty() ? c.reason : c.reason + "; skipped: " + c.skip_reason);
    outcomes.push_back(c.skip_reason.empty() ? "" : "skipped");  // "": open (NULL in the row)
  }
  if (!candidates.empty()) {
    const std::string sql = std::string(kInsertRota);
    conn.prepare("routing_insert_rota", sql);
    std::string outcome_array = to_array_literal(outcomes);
    auto inserted = conn.exec_prepared(
        "routing_insert_rota", {transaction_id, to_array_literal(positions), to_array_literal(lenders),
                                to_array_literal(reasons), source, policy_version, outcome_array});
    if (!inserted) return unexpected(inserted.error());
  }
  return advance(conn, transaction_id);
}

Result<RoutingStep, StoreError> Intermediary::advance(PgConnection& conn, std::int64_t transaction_id) const {
  auto t = run(conn, "routing_load_transaction", kLoadTransaction, {transaction_id});
  if (!t) return unexpected(t.error());
  if (t->rows() != 1)
    return unexpected(make_error(StoreError::Kind::kOther, "routing: transaction " + std::to_string(transaction_id) + " vanished"));
  codec::TransactionId tid;
  tid.initial_requester.symbol = std::string(t->get(0, 0));
  tid.group_qualifier = std::string(t->get(0, 1));
  tid.qualifier = std::string(t->get(0, 2));
  tid.sub_qualifier = std::string(t->get(0, 3));
  const std::string borrower(t->get(0, 4));
  const codec::ServiceDateTime now = codec::service_date_time_now();
  codec::ApduHeader header;
  header.transaction_id = tid;
  header.service_date_time = now;
  header.requester_id = symbol(borrower);
  const codec::SystemId hub = symbol(options_.hub_symbol);

  auto next = run(conn, "routing_next_attempt", kNextAttempt, {transaction_id});
  if (!next) return unexpected(next.error());
  RoutingStep step;
  if (next->rows() == 0) {
    // The rota is used up: the hub answers the borrower unfilled, as the responder it was
    // addressed to, and the request waits for an operator (`illctl attention`).
    header.responder_id = hub;
    auto answer = codec::build_unfilled_answer(header, kReasonUnfilledOther,
                                               "no library on the consortium's rota could supply this item");
    if (!answer) return unexpected(encode_error("the final ILL-Answer", answer.error().detail));
    auto v = run(conn, "routing_rota_used_up", kRotaUsedUp, {transaction_id, options_.hub_symbol});
    if (!v) return unexpected(v.error());
    const std::int64_t version = *v->get_int64(0, 0);
    auto w = write_out(conn, {transaction_id, version, borrower, *answer, 1, 1, "rota used up: final unfilled answer"}, now);
    if (!w) return unexpected(w.error());
    return step;
  }
  const std::string position(next->get(0, 0));
  step.asked = std::string(next->get(0, 1));

  auto original_row = run(conn, "routing_original_request", kOriginalRequest, {transaction_id});
  if (!original_row) return unexpected(original_row.error());
  if (original_row->rows() != 1)
    return unexpected(make_error(StoreError::Kind::kOther, "routing: the borrower's ILL-Request of transaction " +
                                                               std::to_string(transaction_id) + " is not recorded"));
  const std::vector<std::uint8_t> original_ber = original_row->get_bytea(0, 0);
  auto original = codec::decode(original_ber);
  if (!original) return unexpected(encode_error("the onward ILL-Request", original.error().detail));

  // The already-tried-list: what the borrower had tried, the hub, then every lender asked.
  codec::RequestRewrite rewrite;
  rewrite.service_date_time = now;
  rewrite.responder_id = symbol(step.asked);
  rewrite.already_tried = codec::read_envelope(*original).already_tried;
  rewrite.already_tried.push_back(hub);
  auto asked = run(conn, "routing_asked_before", kAskedBefore, {transaction_id});
  if (!asked) return unexpected(asked.error());
  for (int i = 0; i < asked->rows(); ++i) rewrite.already_tried.push_back(symbol(std::string(asked->get(i, 0))));
  auto onward = codec::build_rewritten_request(*original, rewrite);
  if (!onward) return unexpected(encode_error("the onward ILL-Request", onward.error().detail));
  header.responder_id = rewrite.responder_id;
  auto notice = codec::build_forward_notification(header, hub, "your request has been passed on to " + step.asked);
  if (!notice) return unexpected(encode_error("the Forward-Notification", notice.error().detail));

  const std::string deadline_ms = std::to_string(options_.answer_deadline.count());
  auto marked = run(conn, "routing_mark_asked", kMarkAsked, {transaction_id, position, deadline_ms});
  if (!marked) return unexpected(marked.error());
  auto v = run(conn, "routing_ask_lender", kAskLender, {transaction_id, step.asked});
  if (!v) return unexpected(v.error());
  const std::int64_t version = *v->get_int64(0, 0);
  auto w1 = write_out(conn, {transaction_id, version - 1, step.asked, *onward, 2, 3,
                             "routing: rota position " + position + ", forwarded by the hub"}, now);
  if (!w1) return unexpected(w1.error());
  auto w2 = write_out(conn, {transaction_id, version, borrower, *notice, 2, 3,
                             "routing: the borrower is told " + step.asked + " is asked now"}, now);
  if (!w2) return unexpected(w2.error());
  return step;
}

std::optional<std::string> Intermediary::moving_on(bool routed, protocol::State requester_now,
                                                   const codec::Envelope& apdu, hub::Decision& decision) const {
  const auto outcome = hub::moving_on_outcome(apdu);
  if (!routed || !outcome || decision.sender_role != protocol::Role::kResponder) return std::nullopt;
  // A borrower that has asked to cancel (or is otherwise past waiting) gets the answer itself:
  // asking the next lender would undo its Cancel.
  if (requester_now != protocol::State::kPending) return std::nullopt;
  // The answer is the hub's to act on: the borrower's side does not move, nobody is told yet.
  decision.next.view.requester = protocol::State::kPending;
  decision.postings.clear();
  return std::optional<std::string>(std::string(*outcome));
}

Result<RoutingStep, StoreError> Intermediary::move_on(PgConnection& conn, std::int64_t transaction_id,
                                                      std::int64_t outbox_id, const std::string& outcome,
                                                      const std::vector<codec::SystemId>& locations) const {
  auto withdrawn = run(conn, "routing_withdraw_relay", kWithdrawRelay, {outbox_id});
  if (!withdrawn) return unexpected(withdrawn.error());
  auto t = run(conn, "routing_load_transaction", kLoadTransaction, {transaction_id});
  if (!t) return unexpected(t.error());
  const std::string lender(t->get(0, 5));
  auto closed = run(conn, "routing_close_attempt", kCloseAttempt, {transaction_id, lender, outcome});
  if (!closed) return unexpected(closed.error());
  if (!locations.empty()) {
    auto added = add_locations(conn, transaction_id, lender, std::string(t->get(0, 4)), locations);
    if (!added) return unexpected(added.error());
  }
  auto step = advance(conn, transaction_id);
  if (step) step->left_outcome = outcome;
  return step;
}

Result<Ok, StoreError> Intermediary::add_locations(PgConnection& conn, std::int64_t transaction_id,
                                                   const std::string& lender, const std::string& borrower,
                                                   const std::vector<codec::SystemId>& locations) const {
  auto at = run(conn, "routing_position_of", kPositionOf, {transaction_id, lender});
  if (!at) return unexpected(at.error());
  if (at->rows() != 1 || at->is_null(0, 0)) return Ok{};  // not on the rota: nothing to add after
  const std::string position(at->get(0, 0));
  auto on_rota = run(conn, "routing_on_rota", kOnRota, {transaction_id});
  if (!on_rota) return unexpected(on_rota.error());
  std::vector<std::string> names;
  for (const codec::SystemId& id : locations) names.push_back(id.symbol);
  auto members = run(conn, "routing_members", kMembers, {to_array_literal(names)});
  if (!members) return unexpected(members.error());
  auto in = [](const PgResult& r, const std::string& s) {
    for (int i = 0; i < r.rows(); ++i)
      if (r.get(i, 0) == s) return true;
    return false;
  };
  std::vector<std::string> lenders, reasons, outcomes;
  for (const codec::SystemId& id : locations) {
    const std::string name = id.symbol.empty() ? (id.name.empty() ? "(no symbol)" : id.name) : id.symbol;
    std::string skip;
    if (id.symbol.empty()) skip = "no institution symbol, only a name";
    else if (id.symbol == borrower) skip = "the borrower itself";
    else if (id.symbol == options_.hub_symbol) skip = "the hub itself";
    else if (in(*on_rota, id.symbol) || std::find(lenders.begin(), lenders.end(), id.symbol) != lenders.end())
      skip = "already on the rota";
    else if (!in(*members, id.symbol)) skip = "not a registered, enabled member";
    const std::string reason = "named by " + lender + "'s locations-provided answer";
    lenders.push_back(name);
    reasons.push_back(skip.empty() ? reason : reason + "; skipped: " + skip);
    outcomes.push_back(skip.empty() ? "" : "skipped");
  }
  const std::string count = std::to_string(lenders.size());
  auto far = run(conn, "routing_make_room_far", kMakeRoomFar, {transaction_id, position});
  if (!far) return unexpected(far.error());
  auto back = run(conn, "routing_make_room_back", kMakeRoomBack, {transaction_id, count});
  if (!back) return unexpected(back.error());
  auto inserted = run(conn, "routing_insert_locations", kInsertLocations,
                      {transaction_id, position, to_array_literal(lenders), to_array_literal(reasons),
                       to_array_literal(outcomes)});
  if (!inserted) return unexpected(inserted.error());
  return Ok{};
}

Result<Ok, StoreError> Intermediary::note_answer(PgConnection& conn, std::int64_t transaction_id,
                                                 const std::string& lender, const std::string& outcome) const {
  auto r = run(conn, "routing_note_answer", kNoteAnswer, {transaction_id, lender, outcome});
  if (!r) return unexpected(r.error());
  return Ok{};
}

Result<DeadlineSweep, StoreError> Intermediary::sweep_deadlines(PgConnection& conn, int limit) const {
  DeadlineSweep out;
  std::vector<std::string>& woken = out.recipients;
  auto settled = run(conn, "routing_settle_answered", kSettleAnswered, {});
  if (!settled) return unexpected(settled.error());
  auto due = run(conn, "routing_due_deadlines", kDueDeadlines, {limit});
  if (!due) return unexpected(due.error());
  for (int i = 0; i < due->rows(); ++i) {
    const std::int64_t id = *due->get_int64(i, 0);
    const std::string lender(due->get(i, 1));
    auto closed = run(conn, "routing_close_attempt", kCloseAttempt, {id, lender, "no-answer"});
    if (!closed) return unexpected(closed.error());
    auto step = advance(conn, id);
    if (!step) return unexpected(step.error());
    if (!step->asked.empty()) woken.push_back(step->asked);
    auto borrower = run(conn, "routing_load_transaction", kLoadTransaction, {id});
    if (!borrower) return unexpected(borrower.error());
    woken.push_back(std::string(borrower->get(0, 4)));
  }
  out.moved = due->rows();
  return out;
}

}  // namespace illhub::store
