#include "app/illctl/transaction_lookup.hpp"

#include <algorithm>

#include "app/illctl/database.hpp"
#include "app/illctl/event_row.hpp"

namespace illhub::app {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

Result<std::vector<TransactionMatch>, std::string> find_transactions(store::PgConnection& conn,
                                                                    const std::string& spec) {
  constexpr const char* kColumns =
      "SELECT id, initial_requester, group_qualifier, qualifier, sub_qualifier FROM transactions ";
  const std::vector<std::string> parts = split(spec, '/');
  Result<store::PgResult, store::StoreError> r = store::PgResult();
  if (parts.size() == 1) {
    r = conn.exec(std::string(kColumns) + "WHERE qualifier = $1 ORDER BY id", {spec});
  } else if (parts.size() == 3 || parts.size() == 4) {
    const std::string sub = parts.size() == 4 ? parts[3] : "";
    r = conn.exec(std::string(kColumns) +
                      "WHERE initial_requester = $1 AND group_qualifier = $2 AND qualifier = $3 "
                      "AND sub_qualifier = $4",
                  {parts[0], parts[1], parts[2], sub});
  } else {
    return unexpected("\"" + spec + "\" is neither a transaction qualifier nor "
                      "INITIAL-REQUESTER/GROUP/QUALIFIER[/SUB]");
  }
  if (!r) return unexpected(r.error().describe());
  std::vector<TransactionMatch> out;
  for (int i = 0; i < r->rows(); ++i)
    out.push_back({r->get_int64(i, 0).value_or(0),
                   transaction_label(std::string(r->get(i, 1)), std::string(r->get(i, 2)),
                                     std::string(r->get(i, 3)), std::string(r->get(i, 4)))});
  return out;
}

TransactionMatch find_one_transaction(store::PgConnection& conn, const std::string& spec,
                                      const std::string& command) {
  auto found = find_transactions(conn, spec);
  if (!found) fail(command, found.error());
  if (found->empty()) fail(command, "no transaction " + spec);
  if (found->size() > 1) {
    std::string list;
    for (const auto& m : *found) list += "\n  " + m.label;
    fail(command, "qualifier " + spec + " names " + std::to_string(found->size()) +
                      " transactions; give the whole id, one of:" + list);
  }
  return found->front();
}

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("/:._-+=@,").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace illhub::app
