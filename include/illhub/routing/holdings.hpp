#pragma once
// Holdings files: which member library holds which item. Two formats, both read completely
// before anything is stored, so that every bad row is reported together (by line or record
// number) and a file with any bad row imports nothing:
//   - CSV with a header (docs/ROUTING-PLANNER.md): symbol, isbn, issn, oclc, local_id, title, author;
//   - MARC 21 in ISO 2709 (UTF-8): 020 $a ISBN, 022 $a ISSN, 035 $a (OCoLC) number, 001 local
//     number, 245 $a $b title, 100/110 $a author, 852 $a or 049 $a the holding library.
// Parsing is pure; holdings_store.hpp writes the records.

#include <string>
#include <string_view>
#include <vector>

namespace illhub::routing {

enum class IdKind { kIsbn, kIssn, kOclc, kLocal };

/// "isbn", "issn", "oclc", "local": the values of holding_identifiers.kind.
std::string_view to_string(IdKind kind);

struct Identifier {
  IdKind kind = IdKind::kIsbn;
  std::string value;  // normalised (normalise.hpp)
  friend bool operator==(const Identifier&, const Identifier&) = default;
};

struct HoldingRecord {
  std::string symbol;                   // the holding library
  std::vector<Identifier> identifiers;  // normalised, without repeats
  std::string title, author;            // as given
  int position = 0;                     // CSV line (of the row's start) or MARC record number
};

struct ParsedHoldings {
  std::vector<HoldingRecord> records;
  std::vector<std::string> errors;      // "line 4: isbn: ISBN 123: ...", "record 2 (byte 812): ..."
};

/// Reads a CSV holdings file (RFC 4180 quoting; '#' lines and blank lines skipped; several
/// identifiers of one kind in one cell separated by '|'). `default_symbol` is the library
/// of rows without a symbol (and of files without that column); empty: none.
ParsedHoldings parse_holdings_csv(std::string_view text, const std::string& default_symbol);

/// Reads ISO 2709 MARC records (UTF-8, leader/09 'a'; MARC-8 only when all ASCII).
/// `default_symbol` is the library of records without 852 $a or 049 $a.
ParsedHoldings parse_holdings_marc(std::string_view bytes, const std::string& default_symbol);

}  // namespace illhub::routing
