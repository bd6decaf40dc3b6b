// parse_holdings_csv: RFC 4180 fields (quotes, doubled quotes, line breaks inside quotes),
// one header naming the columns, every row checked and its identifiers normalised.
#include <algorithm>
#include <array>
#include <optional>

#include "illhub/routing/holdings.hpp"
#include "illhub/routing/normalise.hpp"
#include "illhub/util/result.hpp"

namespace illhub::routing {
namespace {

constexpr std::array<std::string_view, 7> kColumns = {"symbol", "isbn", "issn", "oclc", "local_id", "title", "author"};

struct CsvRow {
  int line = 0;  // where the row starts
  std::vector<std::string> cells;
};

/// Splits `text` into rows. An unterminated quote is an error at the line it opened.
Result<std::vector<CsvRow>, std::string> split_rows(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte-order mark
  std::vector<CsvRow> rows;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    // Comment lines and blank lines carry no row.
    if (text[i] == '#' || text[i] == '\n' || (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      while (i < text.size() && text[i] != '\n') ++i;
      ++i;
      ++line;
      continue;
    }
    std::string cell;
    bool quoted = false, end_of_row = false;
    int quote_line = 0;
    while (i < text.size() && !end_of_row) {
      const char c = text[i++];
      if (quoted) {
        if (c == '"' && i < text.size() && text[i] == '"') {
          cell.push_back('"');
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          cell.push_back(c);
        }
      } else if (c == '"') {
        quoted = true;
        quote_line = line;
      } else if (c == ',') {
        row.cells.push_back(std::move(cell));
        cell.clear();
      } else if (c == '\n') {
        ++line;
        end_of_row = true;
      } else if (c != '\r') {
        cell.push_back(c);
      }
    }
    if (quoted) return unexpected("line " + std::to_string(quote_line) + ": a quote opened here is never closed");
    row.cells.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

/// The '|'-separated values of one cell, trimmed, empty ones dropped.
std::vector<std::string> values_in(const std::string& cell) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= cell.size()) {
    std::size_t end = cell.find('|', start);
    if (end == std::string::npos) end = cell.size();
    std::string v = trimmed(std::string_view(cell).substr(start, end - start));
    if (!v.empty()) out.push_back(std::move(v));
    start = end + 1;
  }
  return out;
}

}  // namespace

ParsedHoldings parse_holdings_csv(std::string_view text, const std::string& default_symbol) {
  ParsedHoldings out;
  auto rows = split_rows(text);
  if (!rows) {
    out.errors.push_back(rows.error());
    return out;
  }
  if (rows->empty()) {
    out.errors.push_back("the file has no header line (" + std::string("symbol,isbn,issn,oclc,local_id,title,author") + ")");
    return out;
  }
  // The header: which column is which.
  const CsvRow& header = rows->front();
  std::array<std::optional<std::size_t>, kColumns.size()> where;
  for (std::size_t c = 0; c < header.cells.size(); ++c) {
    std::string name = trimmed(header.cells[c]);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const auto known = std::find(kColumns.begin(), kColumns.end(), name);
    if (known == kColumns.end()) {
      out.errors.push_back("line " + std::to_string(header.line) + ": unknown column \"" + name +
                           "\"; the columns are symbol, isbn, issn, oclc, local_id, title, author");
      continue;
    }
    auto& slot = where[static_cast<std::size_t>(known - kColumns.begin())];
    if (slot) out.errors.push_back("line " + std::to_string(header.line) + ": column \"" + name + "\" twice");
    slot = c;
  }
  if (!where[0] && default_symbol.empty())
    out.errors.push_back("line " + std::to_string(header.line) +
                         ": no symbol column; add one or name the library with --symbol");
  if (!out.errors.empty()) return out;

  for (std::size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    const std::string at = "line " + std::to_string(row.line) + ": ";
    if (row.cells.size() != header.cells.size()) {
      out.errors.push_back(at + std::to_string(row.cells.size()) + " fields, the header has " +
                           std::to_string(header.cells.size()));
      continue;
    }
    auto cell = [&](std::size_t column) { return where[column] ? row.cells[*where[column]] : std::string(); };
    HoldingRecord rec;
    rec.position = row.line;
    rec.symbol = trimmed(cell(0));
    if (rec.symbol.empty()) rec.symbol = default_symbol;
    rec.title = trimmed(cell(5));
    rec.author = trimmed(cell(6));
    bool bad = false;
    auto add = [&](IdKind kind, const std::string& value) {
      const Identifier id{kind, value};
      if (std::find(rec.identifiers.begin(), rec.identifiers.end(), id) == rec.identifiers.end())
        rec.identifiers.push_back(id);
    };
    const std::array<std::pair<std::size_t, IdKind>, 4> id_columns = {
        {{1, IdKind::kIsbn}, {2, IdKind::kIssn}, {3, IdKind::kOclc}, {4, IdKind::kLocal}}};
    for (const auto& [column, kind] : id_columns) {
      for (const std::string& v : values_in(cell(column))) {
        Result<std::string, std::string> norm = kind == IdKind::kIsbn   ? normalise_isbn(v)
                                                : kind == IdKind::kIssn ? normalise_issn(v)
                                                : kind == IdKind::kOclc ? normalise_oclc(v)
                                                                        : Result<std::string, std::string>(normalise_local(v));
        if (!norm) {
          out.errors.push_back(at + std::string(kColumns[column]) + ": " + norm.error());
          bad = true;
        } else {
          add(kind, *norm);
        }
      }
    }
    if (rec.symbol.empty()) {
      out.errors.push_back(at + "no symbol (the holding library); fill it in or use --symbol");
      bad = true;
    }
    if (rec.identifiers.empty() && title_key(rec.title).empty()) {
      out.errors.push_back(at + "no identifier and no title: nothing to match a request by");
      bad = true;
    }
    if (!bad) out.records.push_back(std::move(rec));
  }
  return out;
}

std::string_view to_string(IdKind kind) {
  switch (kind) {
    case IdKind::kIsbn: return "isbn";
    case IdKind::kIssn: return "issn";
    case IdKind::kOclc: return "oclc";
    case IdKind::kLocal: return "local";
  }
  return "?";
}

}  // namespace illhub::routing
