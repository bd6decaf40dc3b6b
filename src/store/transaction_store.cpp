#include "illhub/store/transaction_store.hpp"

#include <array>
#include <memory>
#include <charconv>
#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "illhub/codec/envelope.hpp"
#include "illhub/hub/intermediary.hpp"
#include "illhub/hub/money.hpp"
#include "illhub/protocol/lenient_profile.hpp"
#include "illhub/store/storable_text.hpp"
#include "illhub/store/transaction.hpp"
#include "illhub/store/transaction_key.hpp"
#include "store/snapshot_row.hpp"
#include "store/sql_array.hpp"

namespace illhub::store {
namespace {

using protocol::Role;
using protocol::State;

constexpr int kMaxAttempts = 8;
// Reruns after a lost connection start only this long after the apply began. A server that
// refuses connections fails each attempt at once, so the reruns ride out a restart; one that
// stops answering costs a whole answer timeout (or connect timeout) per attempt, and eight of
// those would keep the peer waiting a minute for its temporary error.
constexpr std::chrono::milliseconds kLostConnectionRerunWindow{3'000};

const std::string kLoadTransaction =
    "SELECT t.id, t.version, t.routed_by_hub, " + std::string(kSnapshotColumns) +
    " FROM transactions t"
    " JOIN peers rp ON rp.symbol = t.requester_symbol"
    " JOIN peers sp ON sp.symbol = t.responder_symbol"
    " WHERE t.initial_requester = $1 AND t.group_qualifier = $2 AND t.qualifier = $3"
    " AND t.sub_qualifier = $4";

constexpr std::string_view kFindApplied = R"sql(
SELECT 1 FROM events WHERE transaction_id = $1 AND dedup_key = $2 AND accepted)sql";

// After a rerun that found its APDU committed (the connection was lost during COMMIT): that
// COMMIT's outbox row, if it was born claimed by this node ($3). Nothing else would deliver it
// while this node lives. Born claimed: claimed in the row's own transaction (claimed_at, like
// created_at, is that transaction's now()); a row claimed later by a pump differs.
constexpr std::string_view kFindBornClaimed = R"sql(
SELECT o.id FROM events e JOIN outbox o ON o.event_id = e.id
WHERE e.transaction_id = $1 AND e.dedup_key = $2 AND e.accepted AND o.status = 'pending'
  AND o.claimed_by = $3 AND o.claimed_at = o.created_at)sql";

// The two libraries a new transaction names: their profiles, and whether they are members.
constexpr std::string_view kLoadPeers = R"sql(
SELECT symbol, profile FROM peers WHERE symbol IN ($1, $2) AND enabled)sql";

/// The columns the state tables remember, written by both statements below in this order.
constexpr std::string_view kMemoryColumns =
    "requester_state, responder_state, requester_before_cancel, responder_before_cancel, "
    "is_loan, requester_can_send_received, requester_can_send_returned, "
    "responder_can_send_shipped, responder_can_send_checked_in, shipped, last_apdu_kind, "
    "last_apdu_sender, last_service_date, last_service_time, insured_amount, insured_currency, "
    "replacement_charged, date_due";
constexpr int kMemoryCount = 18;

std::string params_from(int first, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? ", $" : "$") + std::to_string(first + i);
  return out;
}

/// The rest of one accepted APDU after the transaction row `t`: its event, ledger postings
/// and outbox row, each reading the row written, so when the row was not written (another
/// writer changed it first) nothing is written at all. `m` is the parameter number of the
/// first memory column, `r` of the sender (then kind, old states, BER, dedup key, the five
/// posting arrays, the recipient, the node that may birth-claim the row or NULL, the lease in
/// seconds).
///
/// The outbox row is born claimed (BirthClaims; `b` holds the node then) only when the
/// transaction has no other pending row for the same recipient: a pending row is one not yet
/// delivered, whether waiting, in backoff, claimed by some node or sent but not yet marked, and
/// the new row must not overtake it. Every writer of a transaction's outbox rows (this
/// statement, the intermediary's, the timers') moves its version, so a row committed after this
/// statement's snapshot makes the version check fail and the apply rerun: the check cannot miss
/// one. A born-claimed row sends no NOTIFY. The last column says which it was.
std::string write_rest(int m, int r) {
  auto p = [](int n) { return "$" + std::to_string(n); };
  return ",\ne AS (INSERT INTO events (transaction_id, seq, direction, peer_symbol, apdu_kind, "
         "accepted, old_requester_state, old_responder_state, new_requester_state, "
         "new_responder_state, service_date, service_time, raw_ber, dedup_key) "
         "SELECT t.id, t.version, 'in', " + p(r) + ", " + p(r + 1) + ", true, " + p(r + 2) + ", " +
         p(r + 3) + ", " + p(m) + ", " + p(m + 1) + ", " + p(m + 12) + ", " + p(m + 13) + ", " +
         p(r + 4) + ", " + p(r + 5) + " FROM t RETURNING id, transaction_id),\n"
         "p AS (INSERT INTO ledger_postings (event_id, account, counter_account, amount, currency, "
         "kind) SELECT e.id, x.account, x.counter_account, x.amount, x.currency, x.kind FROM e, "
         "unnest(" + p(r + 6) + "::text[], " + p(r + 7) + "::text[], " + p(r + 8) + "::numeric[], " +
         p(r + 9) + "::text[], " + p(r + 10) + "::text[]) AS x(account, counter_account, amount, "
         "currency, kind)),\n"
         "b AS (SELECT " + p(r + 12) + "::text AS node FROM t WHERE " + p(r + 12) + "::text IS NOT NULL "
         "AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.transaction_id = t.id AND x.recipient_symbol = " +
         p(r + 11) + " AND x.status = 'pending') "
         "AND EXISTS (SELECT 1 FROM peers rp WHERE rp.symbol = " + p(r + 11) + " AND rp.enabled)),\n"
         "o AS (INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu, claimed_by, claimed_at, "
         "next_attempt_at) SELECT e.id, e.transaction_id, " + p(r + 11) + ", " + p(r + 4) + ", b.node, "
         "CASE WHEN b.node IS NOT NULL THEN now() END, "
         "CASE WHEN b.node IS NOT NULL THEN now() + make_interval(secs => " + p(r + 13) + "::float8) "
         "ELSE now() END FROM e LEFT JOIN b ON true RETURNING id, claimed_by IS NOT NULL AS born)\n"
         "SELECT e.transaction_id, e.id, o.id, CASE WHEN o.born THEN NULL ELSE pg_notify('illhub_outbox', " +
         p(r + 11) + ")::text END, o.born FROM e, o";
}

// Existing transaction: $1 id, $2 version it was loaded at, $3.. memory, then the rest.
const std::string kUpdateAccepted =
    "WITH t AS (UPDATE transactions SET (" + std::string(kMemoryColumns) + ", version) = (" +
    params_from(3, kMemoryCount) + ", version + 1) WHERE id = $1 AND version = $2 "
    "RETURNING id, version)" + write_rest(3, 3 + kMemoryCount);

// New transaction: $1..$4 the key, $5 requester, $6 responder, $7 service type, $8..$11 item,
// $12 need-before, $13 expiry, then the memory and the rest. A concurrent insert of the same
// key wins; this one then writes nothing and reruns against the row that won.
constexpr int kInsertFixed = 13;
const std::string kInsertAccepted =
    "WITH t AS (INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
    "sub_qualifier, requester_symbol, responder_symbol, service_type, item_title, item_author, "
    "item_isbn, item_issn, need_before, expiry_date, version, " + std::string(kMemoryColumns) +
    ") VALUES (" + params_from(1, kInsertFixed) + ", 1, " + params_from(kInsertFixed + 1, kMemoryCount) +
    ") ON CONFLICT ON CONSTRAINT transactions_transaction_id_key DO NOTHING RETURNING id, version)" +
    write_rest(kInsertFixed + 1, kInsertFixed + 1 + kMemoryCount);

constexpr std::string_view kWriteRefusal = R"sql(
INSERT INTO events (transaction_id, direction, peer_symbol, apdu_kind, accepted,
                    old_requester_state, old_responder_state, service_date, service_time,
                    raw_ber, reason)
VALUES ($1, 'in', $2, $3, false, $4, $5, $6, $7, $8, $9) RETURNING id)sql";


/// A YYYYMMDD date that PostgreSQL will accept, or nothing: peers send free text here, and a
/// bad date must not fail the apply.
std::optional<std::string> valid_date(const std::string& d) {
  if (d.size() != 8) return std::nullopt;
  int y = 0, m = 0, day = 0;
  if (std::from_chars(d.data(), d.data() + 4, y).ec != std::errc() ||
      std::from_chars(d.data() + 4, d.data() + 6, m).ec != std::errc() ||
      std::from_chars(d.data() + 6, d.data() + 8, day).ec != std::errc())
    return std::nullopt;
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1000 || m < 1 || m > 12 || day < 1 || day > kDays[static_cast<std::size_t>(m - 1)]) return std::nullopt;
  if (m == 2 && day == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return std::nullopt;
  return d;
}

/// The date an ILL-Request expires, which drives the expiry timer: its need-before-date when
/// expiry-flag is need-Before-Date (1), its expiry-date when other-Date (2), none for
/// no-Expiry (3, the ASN.1 default: an expiry-date sent without the flag does not count).
std::optional<std::string> request_expiry(const codec::Envelope& e) {
  if (!e.expiry_flag) return std::nullopt;
  if (*e.expiry_flag == 1) return valid_date(e.need_before_date);
  if (*e.expiry_flag == 2) return valid_date(e.expiry_date);
  return std::nullopt;
}

struct Loaded {
  hub::TransactionSnapshot snapshot;
  std::int64_t id = 0;
  std::int64_t version = 0;
  bool responder_is_member = true;
  /// The hub is the transaction's intermediary (docs/ROUTING.md): several lenders may have
  /// been its responder, one after another.
  bool routed = false;
};

/// The transaction as load_transaction's result `t` found it; when it found none, the two
/// libraries' profiles and membership from load_peers' result `peers`.
Loaded loaded_from(const PgResult& t, const PgResult* peers, const codec::Envelope& e) {
  Loaded out;
  hub::TransactionSnapshot& s = out.snapshot;
  if (t.rows() == 0) {
    // A new transaction takes the profiles of the two libraries it names.
    out.responder_is_member = false;
    for (int row = 0; peers && row < peers->rows(); ++row) {
      const std::string_view symbol = peers->get(row, 0);
      const protocol::LenientProfile* profile = protocol::find_lenient_profile(peers->get(row, 1));
      if (symbol == e.requester_id.symbol) s.view.requester_profile = profile;
      if (symbol == e.responder_id.symbol) {
        s.view.responder_profile = profile;
        out.responder_is_member = true;
      }
    }
    return out;
  }
  out.id = *t.get_int64(0, 0);
  out.version = *t.get_int64(0, 1);
  out.routed = t.get(0, 2) == "t";
  out.snapshot = snapshot_from_row(t, 0, 3);
  return out;
}

Result<Loaded, StoreError> load(PgConnection& conn, const TransactionKey& key, const codec::Envelope& e) {
  auto r = conn.exec_prepared("load_transaction", {key.initial_requester, key.group_qualifier,
                                                    key.qualifier, key.sub_qualifier});
  if (!r) return unexpected(r.error());
  if (r->rows() > 0) return loaded_from(*r, nullptr, e);
  auto peers = conn.exec_prepared("load_peers", {e.requester_id.symbol, e.responder_id.symbol});
  if (!peers) return unexpected(peers.error());
  return loaded_from(*r, &*peers, e);
}

/// "kind|role|date|time": the APDU's identity within its transaction (see ApduIdentity). On a
/// transaction the hub routes, the responder may be one of several lenders in turn, so a
/// responder's key also names the lender ("|symbol"): two lenders' answers sent in the same
/// second are two APDUs, not one.
std::string dedup_key(const codec::Envelope& e, Role role, const Loaded& loaded, std::string_view sender) {
  std::string key = std::to_string(static_cast<int>(e.kind)) + "|" + std::string(protocol::to_string(role)) + "|" +
                    e.service_date_time.date + "|" + e.service_date_time.time;
  if (loaded.routed && role == Role::kResponder) key += "|" + std::string(sender);
  return key;
}

std::string state_text(State s) { return std::to_string(static_cast<int>(s)); }

/// The memory columns' values for the transaction after the APDU, in kMemoryColumns order.
std::vector<std::optional<std::string>> memory_values(const hub::Decision& d, const codec::Envelope& e) {
  const hub::TransactionSnapshot& n = d.next;
  const protocol::Conditions& c = n.view.conditions;
  auto b = [](bool v) { return std::optional<std::string>(v ? "true" : "false"); };
  std::optional<std::string> is_loan;
  if (c.return_variable != protocol::Return::kUnknown)
    is_loan = c.return_variable == protocol::Return::kLoan ? "true" : "false";
  std::optional<std::string> insured_amount, insured_currency;
  if (n.insured_value) {
    insured_amount = hub::to_decimal_string(n.insured_value->units);
    insured_currency = n.insured_value->currency;
  }
  return {state_text(n.view.requester),
          state_text(n.view.responder),
          state_text(n.view.requester_before_cancel),
          state_text(n.view.responder_before_cancel),
          is_loan,
          b(c.optional_messages.requester_can_send_received),
          b(c.optional_messages.requester_can_send_returned),
          b(c.optional_messages.responder_can_send_shipped),
          b(c.optional_messages.responder_can_send_checked_in),
          b(c.shipped),
          std::to_string(static_cast<int>(e.kind)),
          std::string(protocol::to_string(d.sender_role)),
          e.service_date_time.date,
          e.service_date_time.time,
          insured_amount,
          insured_currency,
          b(n.replacement_charged),
          valid_date(n.date_due)};
}

/// The five posting arrays: accounts, counter-accounts, amounts, currencies, kinds.
std::array<std::string, 5> posting_arrays(const std::vector<hub::Posting>& postings) {
  std::vector<std::string> account, counter, amount, currency, kind;
  for (const hub::Posting& p : postings) {
    account.push_back(p.account);
    counter.push_back(p.counter_account);
    amount.push_back(hub::to_decimal_string(p.amount));
    currency.push_back(p.currency);
    kind.push_back(std::string(hub::to_string(p.kind)));
  }
  return {to_array_literal(account), to_array_literal(counter), to_array_literal(amount),
          to_array_literal(currency), to_array_literal(kind)};
}

enum class Written { kDone, kConflict };

/// An accepted APDU's write statement (kInsertAccepted or kUpdateAccepted, which commits alone
/// outside a transaction) and the values its parameters point into: built in place, never
/// copied or moved, kept until the statement has run.
struct AcceptedWrite {
  AcceptedWrite(const Loaded& loaded, const TransactionKey& key_of_write, const codec::Envelope& e,
                std::span<const std::uint8_t> ber, std::string_view sender, const hub::Decision& d,
                const BirthClaims* birth)
      : name(loaded.snapshot.exists ? "update_accepted" : "insert_accepted"),
        sql(loaded.snapshot.exists ? &kUpdateAccepted : &kInsertAccepted),
        memory(memory_values(d, e)),
        need_before(valid_date(e.need_before_date)),
        expiry(request_expiry(e)),
        lease_seconds(std::to_string(birth ? static_cast<double>(birth->lease.count()) / 1000.0 : 0.0)),
        dedup(dedup_key(e, d.sender_role, loaded, sender)),
        kind(std::to_string(static_cast<int>(e.kind))),
        old_r(state_text(loaded.snapshot.view.requester)),
        old_s(state_text(loaded.snapshot.view.responder)),
        id(std::to_string(loaded.id)),
        version(std::to_string(loaded.version)),
        // The item summary is for listings; the request stays verbatim in raw_ber (storable_text.hpp).
        title(summary_text(e.item.title)),
        author(summary_text(e.item.author)),
        isbn(summary_text(e.item.isbn)),
        issn(summary_text(e.item.issn)),
        sender_symbol(sender),
        recipient(d.recipient_symbol),
        requester(d.next.requester_symbol),
        responder(d.next.responder_symbol),
        arrays(posting_arrays(d.postings)),
        key(key_of_write) {
    // Ask the statement to birth-claim the row only when the recipient is connected here.
    if (birth && birth->connected_here && birth->connected_here(d.recipient_symbol)) birth_node = birth->node_id;
    if (!e.ill_service_types.empty()) service_type = std::to_string(static_cast<int>(e.ill_service_types.front()));
    if (!loaded.snapshot.exists) {
      params = {key.initial_requester, key.group_qualifier, key.qualifier, key.sub_qualifier,
                requester, responder,
                service_type.empty() ? PgParam(std::nullopt) : PgParam(service_type),
                title, author, isbn, issn,
                PgParam(need_before), PgParam(expiry)};
    } else {
      params = {id, version};
    }
    for (const auto& v : memory) params.emplace_back(v);
    params.insert(params.end(), {PgParam(sender_symbol), PgParam(kind), PgParam(old_r), PgParam(old_s),
                                 PgParam(Bytea{ber}),
                                 PgParam(Bytea{std::span(reinterpret_cast<const std::uint8_t*>(dedup.data()), dedup.size())}),
                                 PgParam(arrays[0]), PgParam(arrays[1]), PgParam(arrays[2]),
                                 PgParam(arrays[3]), PgParam(arrays[4]), PgParam(recipient),
                                 PgParam(birth_node), PgParam(lease_seconds)});
  }
  AcceptedWrite(const AcceptedWrite&) = delete;
  AcceptedWrite& operator=(const AcceptedWrite&) = delete;

  std::string name;
  const std::string* sql;
  std::vector<std::optional<std::string>> memory;
  std::optional<std::string> need_before, expiry, birth_node;
  std::string lease_seconds, dedup, kind, old_r, old_s, id, version, title, author, isbn, issn, service_type;
  std::string sender_symbol, recipient, requester, responder;
  std::array<std::string, 5> arrays;
  TransactionKey key;
  std::vector<PgParam> params;  // point into the members above
};

/// What the write statement returned: kConflict when it wrote nothing (another writer changed
/// or created the transaction first), else the ids it wrote into `out`.
Written read_written(const PgResult& r, ApplyResult& out) {
  if (r.rows() == 0) return Written::kConflict;
  out.transaction_id = *r.get_int64(0, 0);
  out.event_id = *r.get_int64(0, 1);
  out.outbox_id = *r.get_int64(0, 2);
  out.born_claimed = r.get(0, 4) == "t";
  return Written::kDone;
}

/// Writes an accepted APDU in one statement (it commits alone). kConflict: another writer
/// changed or created the transaction first; nothing was written.
Result<Written, StoreError> write_accepted(PgConnection& conn, const Loaded& loaded,
                                           const TransactionKey& key, const codec::Envelope& e,
                                           std::span<const std::uint8_t> ber,
                                           std::string_view sender, const hub::Decision& d,
                                           const BirthClaims* birth, ApplyResult& out) {
  const AcceptedWrite write(loaded, key, e, ber, sender, d, birth);
  conn.prepare(write.name, *write.sql);
  auto r = conn.exec_prepared_params(write.name, write.params);
  if (!r) return unexpected(r.error());
  return read_written(*r, out);
}

/// An APDU the hub acts on as intermediary (docs/ROUTING.md): a new routed request, or a
/// lender's answer that moves the request on. The APDU's own write (as write_accepted) and the
/// intermediary's steps commit together, so the borrower and the next lender hear of it only
/// after COMMIT, and a rerun finds either all of it or nothing.
Result<Written, StoreError> write_routed(PgConnection& conn, const Intermediary& intermediary, const Loaded& loaded,
                                         const TransactionKey& key, const codec::Envelope& e, const codec::Apdu& apdu,
                                         std::string_view sender, const std::optional<std::string>& moving_on,
                                         ApplyResult& out) {
  auto tx = Transaction::begin(conn);
  if (!tx) return unexpected(tx.error());
  const bool is_new = !loaded.snapshot.exists;
  if (is_new) {
    auto prepared = intermediary.prepare_request(conn, out.decision);
    if (!prepared) return unexpected(prepared.error());
  }
  // The APDU's own row is withdrawn below: never born claimed.
  auto written = write_accepted(conn, loaded, key, e, apdu.bytes(), sender, out.decision, nullptr, out);
  if (!written) return unexpected(written.error());
  if (*written == Written::kConflict) return Written::kConflict;  // rolled back by ~Transaction
  // write_accepted made a relay of the APDU (and its NOTIFY); the intermediary withdraws the
  // row. The NOTIFY goes to the borrower, to whom the intermediary always writes in this
  // transaction too (a Forward-Notification or the final answer), and PostgreSQL delivers
  // identical notifications of one transaction once: nobody is woken for nothing.
  auto step = is_new ? intermediary.start(conn, out.transaction_id, out.outbox_id, apdu)
                     : intermediary.move_on(conn, out.transaction_id, out.outbox_id, *moving_on, e.locations);
  if (!step) return unexpected(step.error());
  auto committed = tx->commit();
  if (!committed) return unexpected(committed.error());
  out.outbox_id = 0;  // the APDU itself is not relayed; the intermediary's APDUs are
  out.decision.recipient_symbol = step->asked.empty() ? out.decision.next.requester_symbol : step->asked;
  out.routing = std::move(*step);
  return Written::kDone;
}

Result<std::int64_t, StoreError> write_refusal(PgConnection& conn, const Loaded& loaded,
                                               const codec::Envelope& e,
                                               std::span<const std::uint8_t> ber,
                                               std::string_view sender, const hub::Decision& d) {
  const std::string id = std::to_string(loaded.id);
  const std::string kind = std::to_string(static_cast<int>(e.kind));
  std::optional<std::string> old_r, old_s;
  if (loaded.snapshot.exists) {
    old_r = state_text(loaded.snapshot.view.requester);
    old_s = state_text(loaded.snapshot.view.responder);
  }
  conn.prepare("write_refusal", std::string(kWriteRefusal));
  auto r = conn.exec_prepared("write_refusal",
                              {loaded.snapshot.exists ? PgParam(id) : PgParam(std::nullopt), sender, kind,
                               old_r, old_s, e.service_date_time.date, e.service_date_time.time,
                               Bytea{ber}, d.reason});
  if (!r) return unexpected(r.error());
  return *r->get_int64(0, 0);
}

/// Whether this very APDU (same kind, sender and service date-time) was accepted on the
/// transaction before. On a routed transaction that includes a lender asked earlier resending
/// its answer: it is told "recorded before", not that it is no party.
Result<bool, StoreError> applied_before(PgConnection& conn, const Loaded& loaded,
                                        const codec::Envelope& e, std::string_view sender) {
  const hub::TransactionSnapshot& s = loaded.snapshot;
  if (!s.exists) return false;
  if (sender != s.requester_symbol && sender != s.responder_symbol && !loaded.routed) return false;
  const Role role = sender == s.requester_symbol ? Role::kRequester : Role::kResponder;
  const std::string key = dedup_key(e, role, loaded, sender);
  const std::string id = std::to_string(loaded.id);
  conn.prepare("find_applied", std::string(kFindApplied));
  auto r = conn.exec_prepared("find_applied",
                              {id, Bytea{std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size())}});
  if (!r) return unexpected(r.error());
  return r->rows() > 0;
}

/// The born-claimed outbox row of this very APDU, when a COMMIT whose connection was lost
/// had birthed it for `node` (kFindBornClaimed); 0 when there is none.
Result<std::int64_t, StoreError> born_claimed_row(PgConnection& conn, const Loaded& loaded,
                                                  const codec::Envelope& e, std::string_view sender,
                                                  const std::string& node) {
  const hub::TransactionSnapshot& s = loaded.snapshot;
  if (!s.exists) return 0;
  const Role role = sender == s.requester_symbol ? Role::kRequester : Role::kResponder;
  const std::string key = dedup_key(e, role, loaded, sender);
  const std::string id = std::to_string(loaded.id);
  conn.prepare("find_born_claimed", std::string(kFindBornClaimed));
  auto r = conn.exec_prepared(
      "find_born_claimed",
      {id, Bytea{std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size())}, node});
  if (!r) return unexpected(r.error());
  if (r->rows() == 0) return 0;
  return r->get_int64(0, 0).value_or(0);
}

bool worth_rerunning(const StoreError& error) {
  switch (action_for(error.kind)) {
    case ErrorAction::kRetryTransaction:
    case ErrorAction::kReconnectAndRetry:
    case ErrorAction::kRerunIdempotently:
      return true;
    default:
      return false;
  }
}

}  // namespace

TransactionStore::TransactionStore(ConnectionPool& pool, hub::LedgerPolicy policy)
    : pool_(pool), policy_(std::move(policy)) {}

TransactionStore::Step TransactionStore::attempt(PgConnection& conn, const codec::Apdu& apdu,
                                                 const codec::Envelope& e, const TransactionKey& key,
                                                 std::string_view sender_symbol, bool lost_connection,
                                                 bool in_batch, ApplyResult& out, StoreError& error) {
  // A duplicate found after a lost connection may be this apply's own COMMIT; if that COMMIT
  // birthed a claimed outbox row, nothing but the caller's hand-off will deliver it (no NOTIFY
  // was sent, and this node's claim keeps others off). If the look-up fails, the row is
  // delivered when its lease ends.
  auto duplicate = [&](const Loaded& loaded) {
    if (!lost_connection || !birth_claims_) return Step::kDone;
    auto row = born_claimed_row(conn, loaded, e, sender_symbol, birth_claims_->node_id);
    if (row && *row != 0) {
      out.outbox_id = *row;
      out.born_claimed = true;
    }
    return Step::kDone;
  };
  auto failed = [&](StoreError cause) {
    error = std::move(cause);
    return Step::kFailed;
  };
  conn.prepare("load_transaction", kLoadTransaction);
  conn.prepare("load_peers", std::string(kLoadPeers));
  auto loaded = load(conn, key, e);
  if (!loaded) return failed(loaded.error());
  // A request addressed to the hub (or carrying a send-to-list) names no member as responder.
  const bool route_new = intermediary_ && !loaded->snapshot.exists && intermediary_->routes(e);
  hub::Incoming incoming{e, std::string(sender_symbol), route_new || loaded->responder_is_member};
  out.decision = hub::decide(incoming, loaded->snapshot, policy_);
  out.outcome = out.decision.outcome;
  out.transaction_id = loaded->id;
  out.event_id = out.outbox_id = 0;
  out.born_claimed = false;

  if (out.outcome == hub::Outcome::kDuplicate) return duplicate(*loaded);  // nothing new to record
  if (out.outcome == hub::Outcome::kRefused) {
    // An older APDU sent again meets a state that has moved on, so the tables refuse it;
    // if it was applied before, it is a duplicate, not a new mistake.
    auto applied = applied_before(conn, *loaded, e, sender_symbol);
    if (!applied) return failed(applied.error());
    if (*applied) {
      out.outcome = hub::Outcome::kDuplicate;
      out.decision.outcome = hub::Outcome::kDuplicate;
      out.decision.refusal.reset();
      return duplicate(*loaded);
    }
    auto id = write_refusal(conn, *loaded, e, apdu.bytes(), sender_symbol, out.decision);
    if (!id) return failed(id.error());
    out.event_id = *id;
    return Step::kDone;
  }
  std::optional<std::string> moving_on;
  if (intermediary_ && !route_new)
    moving_on = intermediary_->moving_on(loaded->routed, loaded->snapshot.view.requester, e, out.decision);
  if ((route_new || moving_on) && in_batch) return Step::kSolo;
  auto written = route_new || moving_on
                     ? write_routed(conn, *intermediary_, *loaded, key, e, apdu, sender_symbol, moving_on, out)
                     : write_accepted(conn, *loaded, key, e, apdu.bytes(), sender_symbol, out.decision,
                                      birth_claims_ ? &*birth_claims_ : nullptr, out);
  if (!written) return failed(written.error());
  if (*written == Written::kConflict) return Step::kRerun;
  if (intermediary_ && !route_new && !moving_on && out.decision.sender_role == Role::kResponder &&
      (e.kind == codec::ApduKind::kIllAnswer || e.kind == codec::ApduKind::kShipped)) {
    // Only for `illctl show`: the timer sweep settles an attempt left open if this fails.
    // An answer that did not move on (the borrower had cancelled) keeps its own name.
    const std::string outcome(hub::moving_on_outcome(e).value_or("supplying"));
    (void)intermediary_->note_answer(conn, out.transaction_id, std::string(sender_symbol), outcome);
  }
  return Step::kDone;
}

Result<ApplyResult, StoreError> TransactionStore::apply(const codec::Apdu& apdu, std::string_view sender_symbol,
                                                        bool maybe_committed) {
  const codec::Envelope e = codec::read_envelope(apdu);
  const TransactionKey key = key_of(e);
  ApplyResult out;
  StoreError last_error = make_error(StoreError::Kind::kOther, "not attempted");
  const auto started = std::chrono::steady_clock::now();
  // An earlier attempt (or the batch this APDU was in) lost its connection, perhaps during COMMIT.
  bool lost_connection = maybe_committed;
  for (out.attempts = 1; out.attempts <= kMaxAttempts; ++out.attempts) {
    if (out.attempts > 1 && last_error.kind == StoreError::Kind::kConnectionLost) lost_connection = true;
    if (out.attempts > 1 && last_error.kind == StoreError::Kind::kConnectionLost &&
        std::chrono::steady_clock::now() - started >= kLostConnectionRerunWindow) {
      break;
    }
    auto lease = pool_.acquire();
    if (!lease) {
      last_error = lease.error();
      if (!worth_rerunning(last_error)) break;
      continue;
    }
    const Step step = attempt(**lease, apdu, e, key, sender_symbol, lost_connection, false, out, last_error);
    if (step == Step::kDone) return out;
    if (step == Step::kRerun) continue;
    // The same APDU already recorded (an older copy than the last one applied, or a
    // concurrent copy that committed first): already applied, nothing more to do.
    if (last_error.kind == StoreError::Kind::kUniqueViolation) {
      out.outcome = hub::Outcome::kDuplicate;
      out.event_id = out.outbox_id = 0;
      out.born_claimed = false;
      return out;
    }
    if (!worth_rerunning(last_error)) break;
  }
  return unexpected(last_error);
}

Result<Ok, StoreError> TransactionStore::pipelined_pass(PgConnection& conn, std::span<const BatchItem> items,
                                                        const std::vector<codec::Envelope>& envelopes,
                                                        const std::vector<TransactionKey>& keys,
                                                        const std::vector<std::size_t>& order,
                                                        std::vector<std::optional<ApplyResult>>& decided) {
  auto same = [](const TransactionKey& a, const TransactionKey& b) {
    return a.initial_requester == b.initial_requester && a.group_qualifier == b.group_qualifier &&
           a.qualifier == b.qualifier && a.sub_qualifier == b.sub_qualifier;
  };
  // The reads: each transaction once (a later APDU of it must see the earlier one's write), and
  // for a request the two libraries it names, in case the transaction is new.
  conn.prepare("load_transaction", kLoadTransaction);
  conn.prepare("load_peers", std::string(kLoadPeers));
  std::vector<std::size_t> firsts;
  std::vector<PgConnection::Piped> reads;
  std::vector<int> read_of(items.size(), -1), peers_of(items.size(), -1);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    if (k > 0 && same(keys[i], keys[order[k - 1]])) continue;
    firsts.push_back(i);
    read_of[i] = static_cast<int>(reads.size());
    reads.push_back({"load_transaction", true,
                     {keys[i].initial_requester, keys[i].group_qualifier, keys[i].qualifier, keys[i].sub_qualifier}});
    if (envelopes[i].kind == codec::ApduKind::kIllRequest) {
      peers_of[i] = static_cast<int>(reads.size());
      reads.push_back({"load_peers", true, {envelopes[i].requester_id.symbol, envelopes[i].responder_id.symbol}});
    }
  }
  auto read = conn.exec_pipeline(reads);

  struct Pending {
    std::size_t item;
    ApplyResult out;
    std::unique_ptr<AcceptedWrite> write;
  };
  std::vector<Pending> pending;
  for (std::size_t i : firsts) {
    auto& t = read[static_cast<std::size_t>(read_of[i])];
    if (!t) return unexpected(t.error());
    const PgResult* peers = nullptr;
    if (peers_of[i] >= 0) {
      auto& p = read[static_cast<std::size_t>(peers_of[i])];
      if (!p) return unexpected(p.error());
      peers = &*p;
    }
    if (t->rows() == 0 && peers == nullptr) continue;  // no such transaction: attempt() refuses it
    const Loaded loaded = loaded_from(*t, peers, envelopes[i]);
    ApplyResult out;
    out.attempts = 1;
    hub::Incoming incoming{envelopes[i], items[i].sender_symbol, loaded.responder_is_member};
    out.decision = hub::decide(incoming, loaded.snapshot, policy_);
    out.outcome = out.decision.outcome;
    out.transaction_id = loaded.id;
    if (out.outcome == hub::Outcome::kDuplicate) {
      decided[i] = std::move(out);
      continue;
    }
    if (out.outcome != hub::Outcome::kAccepted) continue;  // attempt() first looks for an earlier copy
    auto write = std::make_unique<AcceptedWrite>(loaded, keys[i], envelopes[i], items[i].apdu->bytes(),
                                                 items[i].sender_symbol, out.decision,
                                                 birth_claims_ ? &*birth_claims_ : nullptr);
    pending.push_back(Pending{i, std::move(out), std::move(write)});
  }

  std::vector<PgConnection::Piped> writes;
  for (const Pending& p : pending) {
    conn.prepare(p.write->name, *p.write->sql);
    writes.push_back({p.write->name, true, p.write->params});
  }
  auto written = conn.exec_pipeline(writes);
  for (std::size_t k = 0; k < pending.size(); ++k) {
    if (!written[k]) return unexpected(written[k].error());
    // Another writer first: attempt() decides again on what it wrote.
    if (read_written(*written[k], pending[k].out) == Written::kDone) decided[pending[k].item] = std::move(pending[k].out);
  }
  return Ok{};
}

}  // namespace illhub::store
