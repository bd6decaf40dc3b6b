// The planner's database side, kept thin: find the holders, read their numbers and the policy,
// hand everything to rank_candidates().
#include "illhub/routing/planner.hpp"

#include <cctype>
#include <future>
#include <map>
#include <utility>

#include "illhub/routing/catalogue_service.hpp"
#include "illhub/routing/holdings_query.hpp"
#include "illhub/routing/normalise.hpp"
#include "illhub/routing/policy_store.hpp"
#include "store/sql_array.hpp"

namespace illhub::routing {
namespace {

/// ISO 10161 Current-State values (protocol/state.hpp) as the load counts read them:
/// supplied = SHIPPED and every state after it that follows a shipment; in hand = the
/// request reached the lender (or is about to) and it has neither supplied nor refused.
constexpr const char* kSuppliedStates = "8,9,10,11,12,13,14,15,16,17";
constexpr const char* kInHandStates = "0,2,3,5,6";

struct RequestIds {
  std::vector<std::string> kinds, values;
};

RequestIds normalised_ids(const RotaRequest& request) {
  RequestIds ids;
  auto add = [&](const char* kind, const Result<std::string, std::string>& v) {
    // An identifier the request got wrong matches nothing; the title may still match.
    if (v) {
      ids.kinds.push_back(kind);
      ids.values.push_back(*v);
    }
  };
  if (!request.isbn.empty()) add("isbn", normalise_isbn(request.isbn));
  if (!request.issn.empty()) add("issn", normalise_issn(request.issn));
  if (!request.oclc.empty()) add("oclc", normalise_oclc(request.oclc));
  if (!normalise_local(request.local_id).empty()) add("local", normalise_local(request.local_id));
  return ids;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// symbol -> how it matched.
Result<std::map<std::string, std::string>, store::StoreError> find_holders(store::PgConnection& conn,
                                                                           const RotaRequest& request) {
  std::map<std::string, std::string> holders;
  const RequestIds ids = normalised_ids(request);
  if (!ids.kinds.empty()) {
    const std::string kinds = store::to_array_literal(ids.kinds), values = store::to_array_literal(ids.values);
    auto r = conn.exec(
        "SELECT DISTINCT h.symbol, i.kind, i.value FROM holding_identifiers i JOIN holdings h ON h.id = i.holding_id "
        "WHERE (i.kind, i.value) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
        {kinds, values});
    if (!r) return unexpected(r.error());
    // Name the strongest identifier that matched: ISBN, then ISSN, OCLC number, local number.
    std::map<std::string, int> strength;
    for (int row = 0; row < r->rows(); ++row) {
      const std::string symbol(r->get(row, 0)), kind(r->get(row, 1));
      const int rank = kind == "isbn" ? 0 : kind == "issn" ? 1 : kind == "oclc" ? 2 : 3;
      if (auto it = strength.find(symbol); it == strength.end() || rank < it->second) {
        strength[symbol] = rank;
        holders[symbol] = upper(kind) + " " + std::string(r->get(row, 2));
      }
    }
    if (!holders.empty()) return holders;
  }
  const std::string tkey = title_key(request.title), akey = author_key(request.author);
  if (tkey.empty()) return holders;
  auto r = conn.exec("SELECT DISTINCT symbol FROM holdings WHERE title_key = $1 AND ($2 = '' OR author_key = $2)",
                     {tkey, akey});
  if (!r) return unexpected(r.error());
  const std::string how = akey.empty() ? "title \"" + tkey + "\"" : "title \"" + tkey + "\" and author \"" + akey + "\"";
  for (int row = 0; row < r->rows(); ++row) holders[std::string(r->get(row, 0))] = how;
  return holders;
}

/// Adds to `holders` the libraries whose own catalogue holds the item: those the policy gives a
/// catalogue target, not yet matched by imported holdings, not the borrower. All are asked at
/// once; each answer is bounded by the service's timeout (or comes from its cache).
void ask_catalogues(CatalogueService& live, const LendingPolicy& policy, const RotaRequest& request,
                    std::map<std::string, std::string>& holders) {
  const HoldingsQuery query = holdings_query_from(request);
  std::vector<std::pair<const LibraryPolicy*, std::future<LookupOutcome>>> asked;
  for (const LibraryPolicy& lib : policy.libraries) {
    if (lib.catalogue.empty() || !lib.enabled || lib.symbol == request.borrower || holders.count(lib.symbol)) continue;
    auto target = parse_catalogue_target(lib.catalogue);
    if (!target) continue;  // refused when the policy was checked and loaded
    asked.emplace_back(&lib, live.lookup(*target, query));
  }
  for (auto& [lib, answer] : asked) {
    const LookupOutcome outcome = answer.get();
    if (outcome.found()) holders[lib->symbol] = "in its catalogue " + lib->catalogue + " (" + outcome.reason + ")";
  }
}

}  // namespace

Result<RankedRota, store::StoreError> explain_rota(store::PgConnection& conn, const RotaRequest& request,
                                                   CatalogueService* live) {
  auto loaded = load_current_policy(conn);
  if (!loaded) return unexpected(loaded.error());
  const LendingPolicy policy = loaded->value_or(LendingPolicy{});
  auto holders = find_holders(conn, request);
  if (!holders) return unexpected(holders.error());
  if (live) ask_catalogues(*live, policy, request, *holders);
  std::vector<CandidateFacts> candidates;
  if (!holders->empty()) {
    std::vector<std::string> symbols;
    for (const auto& [symbol, how] : *holders) symbols.push_back(symbol);
    const std::string list = store::to_array_literal(symbols);
    auto r = conn.exec(
        std::string("SELECT p.symbol, p.enabled, "
                    "(SELECT count(*) FROM transactions t WHERE t.responder_symbol = p.symbol "
                    "   AND t.created_at > now() - make_interval(days => $2::integer) AND t.responder_state IN (") +
            kSuppliedStates +
            ")), "
            "(SELECT count(*) FROM transactions t WHERE t.requester_symbol = p.symbol "
            "   AND t.created_at > now() - make_interval(days => $2::integer)), "
            "(SELECT count(*) FROM transactions t WHERE t.responder_symbol = p.symbol AND t.responder_state IN (" +
            kInHandStates + ")) "
            "FROM peers p WHERE p.symbol = ANY($1::text[]) ORDER BY p.symbol",
        {list, policy.rules.load_window_days});
    if (!r) return unexpected(r.error());
    for (int row = 0; row < r->rows(); ++row) {
      CandidateFacts c;
      const std::string symbol(r->get(row, 0));
      c.policy = policy.for_library(symbol);
      c.matched_by = (*holders)[symbol];
      c.peer_enabled = r->get(row, 1) == "t";
      c.lent = r->get_int64(row, 2).value_or(0);
      c.borrowed = r->get_int64(row, 3).value_or(0);
      c.in_hand = r->get_int64(row, 4).value_or(0);
      candidates.push_back(std::move(c));
    }
  }
  return rank_candidates(request, policy, std::move(candidates));
}

Result<Rota, store::StoreError> plan_rota(store::PgConnection& conn, const RotaRequest& request,
                                          CatalogueService* live) {
  auto explained = explain_rota(conn, request, live);
  if (!explained) return unexpected(explained.error());
  return std::move(explained->rota);
}

}  // namespace illhub::routing
