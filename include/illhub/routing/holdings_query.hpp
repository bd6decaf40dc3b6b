#pragma once
// HoldingsQuery: what a catalogue is asked about one requested item, and the searches that
// asking means. Identifiers are searched first (ISBN, then ISSN); only when none of them gives
// a hit, or there is none, the normalised title (with the author's surname when known).

#include <string>
#include <string_view>
#include <vector>

#include "illhub/routing/rota.hpp"

namespace illhub::routing {

struct HoldingsQuery {
  // As the request gave them: identifiers may carry hyphens and spaces, title and author are
  // normalised before searching. Initialised so that designated initializers may leave any out.
  std::string isbn = {};
  std::string issn = {};
  std::string title = {};
  std::string author = {};
};

/// The identifying fields of a request the planner already holds.
HoldingsQuery holdings_query_from(const RotaRequest& request);

/// One search sent to a catalogue. `pqf` is for Z39.50 (Bib-1 use attributes: 7 ISBN, 8 ISSN,
/// 4 title, 1003 author), `cql` for SRU (bath.isbn, bath.issn, dc.title, dc.creator).
struct CatalogueSearch {
  std::string matched_by;  // "isbn", "issn" or "title/author": what a hit was found by
  std::string term;        // the normalised value(s), for messages
  std::string pqf;
  std::string cql;
};

/// The searches for a query, in the order they are tried. Empty when nothing is searchable
/// (no well-formed identifier and no title). `title_fallback` false leaves out the title search
/// when there is an identifier (an identifier miss then means "not found").
std::vector<CatalogueSearch> plan_searches(const HoldingsQuery& query, bool title_fallback = true);

/// "978-0-13-110362-7" -> "9780131103627"; "0-13-110362-x" -> "013110362X". Empty unless 10 or
/// 13 characters remain (digits, with X only last). The check digit is not verified: a catalogue
/// that does not hold a wrong number simply answers "not found".
std::string isbn_search_term(std::string_view isbn);
/// "0028 0836" or "00280836" -> "0028-0836". Empty unless 8 characters (X only last).
std::string issn_search_term(std::string_view issn);
/// The main title for searching: cut at the first ':', '/', ';' or '=' (subtitle, statement of
/// responsibility), ASCII letters lower-cased, ASCII punctuation to spaces, spaces collapsed, a
/// leading "the", "a" or "an" dropped, at most 8 words. Non-ASCII bytes pass unchanged.
std::string normalise_title(std::string_view title);
/// The author's surname for searching: the part before the first comma ("Kernighan, Brian W."),
/// else the last word ("Brian W. Kernighan"), normalised like a title word.
std::string normalise_author(std::string_view author);

}  // namespace illhub::routing
