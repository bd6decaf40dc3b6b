// What to ask a catalogue: normalised identifiers and title words, as PQF (Z39.50) and CQL (SRU).
#include "illhub/routing/holdings_query.hpp"

#include <cctype>

namespace illhub::routing {
namespace {

bool is_ascii_alnum(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x80 && std::isalnum(u) != 0;
}

// Digits with an optional final X (ISBN-10 and ISSN check digit), separators dropped.
std::string digits_and_x(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out += c;
    } else if (c == 'x' || c == 'X') {
      out += 'X';
    } else if (c == '-' || c == ' ') {
      continue;
    } else {
      return {};  // letters or punctuation: not an identifier we can search for
    }
  }
  auto x = out.find('X');
  if (x != std::string::npos && x + 1 != out.size()) return {};
  return out;
}

// Words of `text`: ASCII letters lower-cased, other ASCII to spaces, non-ASCII bytes kept
// (so UTF-8 titles survive without a Unicode library).
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || is_ascii_alnum(c)) {
      word += u < 0x80 ? static_cast<char>(std::tolower(u)) : c;
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// A quoted term for PQF or CQL: both take "..." with backslash escapes.
std::string quoted(std::string_view term) {
  std::string out = "\"";
  for (char c : term) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

HoldingsQuery holdings_query_from(const RotaRequest& request) {
  return {request.isbn, request.issn, request.title, request.author};
}

std::string isbn_search_term(std::string_view isbn) {
  std::string out = digits_and_x(isbn);
  if (out.size() == 13 && out.back() == 'X') return {};  // ISBN-13 check digits are 0-9
  return out.size() == 10 || out.size() == 13 ? out : std::string();
}

std::string issn_search_term(std::string_view issn) {
  std::string out = digits_and_x(issn);
  return out.size() == 8 ? out.substr(0, 4) + "-" + out.substr(4) : std::string();
}

std::string normalise_title(std::string_view title) {
  constexpr std::size_t kMaxWords = 8;
  title = title.substr(0, title.find_first_of(":/;="));
  auto list = words(title);
  if (list.size() > 1 && (list[0] == "the" || list[0] == "a" || list[0] == "an")) {
    list.erase(list.begin());
  }
  if (list.size() > kMaxWords) list.resize(kMaxWords);
  return join(list);
}

std::string normalise_author(std::string_view author) {
  auto comma = author.find(',');
  auto list = words(comma == std::string_view::npos ? author : author.substr(0, comma));
  if (list.empty()) return {};
  return comma == std::string_view::npos ? list.back() : join(list);
}

std::vector<CatalogueSearch> plan_searches(const HoldingsQuery& query, bool title_fallback) {
  std::vector<CatalogueSearch> searches;
  if (auto isbn = isbn_search_term(query.isbn); !isbn.empty()) {
    searches.push_back({"isbn", isbn, "@attr 1=7 " + quoted(isbn), "bath.isbn=" + quoted(isbn)});
  }
  if (auto issn = issn_search_term(query.issn); !issn.empty()) {
    searches.push_back({"issn", issn, "@attr 1=8 " + quoted(issn), "bath.issn=" + quoted(issn)});
  }
  if (!searches.empty() && !title_fallback) return searches;
  auto title = normalise_title(query.title);
  if (title.empty()) return searches;
  // Word-list structure (4=6) and CQL "all": every word must occur, in any order.
  std::string title_pqf = "@attr 1=4 @attr 4=6 " + quoted(title);
  std::string title_cql = "dc.title all " + quoted(title);
  auto author = normalise_author(query.author);
  if (author.empty()) {
    searches.push_back({"title/author", title, title_pqf, title_cql});
  } else {
    searches.push_back({"title/author", title + " / " + author,
                        "@and " + title_pqf + " @attr 1=1003 @attr 4=6 " + quoted(author),
                        title_cql + " and dc.creator all " + quoted(author)});
  }
  return searches;
}

}  // namespace illhub::routing
