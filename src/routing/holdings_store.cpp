#include "illhub/routing/holdings_store.hpp"

#include <algorithm>
#include <set>

#include "illhub/routing/normalise.hpp"
#include "illhub/store/transaction.hpp"
#include "store/sql_array.hpp"

namespace illhub::routing {
namespace {

/// Records per INSERT: each batch is one statement with array parameters, not one round trip
/// per record.
constexpr std::size_t kBatch = 2000;

constexpr const char* kInsertBatch =
    "WITH input AS ("
    "  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])"
    "    AS t(symbol, title, author, title_key, author_key, pos)"
    "), written AS ("
    "  INSERT INTO holdings (symbol, title, author, title_key, author_key, source_file, source_position)"
    "  SELECT symbol, title, author, title_key, author_key, $7, pos FROM input"
    "  RETURNING id, source_position"
    ") "
    "INSERT INTO holding_identifiers (holding_id, kind, value) "
    "SELECT written.id, i.kind, i.value "
    "  FROM unnest($8::int[], $9::text[], $10::text[]) AS i(pos, kind, value) "
    "  JOIN written ON written.source_position = i.pos";

std::vector<std::string> one(std::string message) { return {std::move(message)}; }

}  // namespace

Result<ImportSummary, std::vector<std::string>> import_holdings(store::PgConnection& conn,
                                                                 const std::vector<HoldingRecord>& records,
                                                                 const std::string& source_file,
                                                                 const std::optional<std::string>& replace_for,
                                                                 const std::string& position_word) {
  std::set<std::string> symbols;
  for (const HoldingRecord& r : records) symbols.insert(r.symbol);
  std::vector<std::string> problems;
  if (replace_for) {
    for (const HoldingRecord& r : records)
      if (r.symbol != *replace_for)
        problems.push_back(position_word + " " + std::to_string(r.position) + ": held by " + r.symbol +
                           ", but --replace-for names " + *replace_for);
  }
  auto tx = store::Transaction::begin(conn);
  if (!tx) return unexpected(one(tx.error().describe()));
  // Which symbols are peers: one query for all of them.
  std::set<std::string> known;
  {
    std::vector<std::string> wanted(symbols.begin(), symbols.end());
    if (replace_for) wanted.push_back(*replace_for);
    const std::string list = store::to_array_literal(wanted);
    auto r = tx->exec("SELECT symbol FROM peers WHERE symbol = ANY($1::text[])", {list});
    if (!r) return unexpected(one(r.error().describe()));
    for (int row = 0; row < r->rows(); ++row) known.insert(std::string(r->get(row, 0)));
  }
  for (const HoldingRecord& r : records)
    if (!known.count(r.symbol))
      problems.push_back(position_word + " " + std::to_string(r.position) + ": " + r.symbol +
                         " is not a registered peer (illctl peer add)");
  if (replace_for && !known.count(*replace_for))
    problems.push_back("--replace-for " + *replace_for + ": not a registered peer");
  if (!problems.empty()) return unexpected(std::move(problems));

  ImportSummary summary;
  summary.libraries = static_cast<std::int64_t>(symbols.size());
  if (replace_for) {
    auto r = tx->exec("DELETE FROM holdings WHERE symbol = $1", {*replace_for});
    if (!r) return unexpected(one(r.error().describe()));
    summary.replaced = r->affected_rows();
  }
  for (std::size_t first = 0; first < records.size(); first += kBatch) {
    const std::size_t last = std::min(records.size(), first + kBatch);
    std::vector<std::string> sym, title, author, tkey, akey, pos, id_pos, id_kind, id_value;
    for (std::size_t i = first; i < last; ++i) {
      const HoldingRecord& r = records[i];
      sym.push_back(r.symbol);
      title.push_back(r.title);
      author.push_back(r.author);
      tkey.push_back(title_key(r.title));
      akey.push_back(author_key(r.author));
      pos.push_back(std::to_string(r.position));
      for (const Identifier& id : r.identifiers) {
        id_pos.push_back(std::to_string(r.position));
        id_kind.push_back(std::string(to_string(id.kind)));
        id_value.push_back(id.value);
      }
    }
    const std::string a1 = store::to_array_literal(sym), a2 = store::to_array_literal(title),
                      a3 = store::to_array_literal(author), a4 = store::to_array_literal(tkey),
                      a5 = store::to_array_literal(akey), a6 = store::to_array_literal(pos),
                      a8 = store::to_array_literal(id_pos), a9 = store::to_array_literal(id_kind),
                      a10 = store::to_array_literal(id_value);
    auto r = tx->exec(kInsertBatch, {a1, a2, a3, a4, a5, a6, source_file, a8, a9, a10});
    if (!r) return unexpected(one(r.error().describe()));
    summary.records += static_cast<std::int64_t>(last - first);
    summary.identifiers += r->affected_rows();
  }
  auto committed = tx->commit();
  if (!committed) return unexpected(one(committed.error().describe()));
  return summary;
}

}  // namespace illhub::routing
