#include "illhub/routing/normalise.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

namespace illhub::routing {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// Drops a leading "ISBN"/"ISSN" label and its colon, as catalogues often print them.
std::string_view drop_label(std::string_view s, std::string_view label) {
  s = trim(s);
  if (s.size() >= label.size()) {
    bool same = true;
    for (std::size_t i = 0; i < label.size(); ++i)
      same = same && std::toupper(static_cast<unsigned char>(s[i])) == label[i];
    if (same) {
      s.remove_prefix(label.size());
      s = trim(s);
      if (!s.empty() && s.front() == ':') s = trim(s.substr(1));
    }
  }
  return s;
}

/// The identifier's own characters: digits and X from the start up to the first character
/// that cannot belong to it (a qualifier such as "(pbk.)"), hyphens and spaces dropped.
std::string leading_code(std::string_view s) {
  std::string code;
  for (char c : s) {
    if (is_digit(c) || c == 'X' || c == 'x') code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    else if (c == '-' || c == ' ') continue;
    else break;
  }
  return code;
}

int ean_check_digit(std::string_view twelve) {
  int sum = 0;
  for (std::size_t i = 0; i < 12; ++i) sum += (twelve[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return (10 - sum % 10) % 10;
}

/// The fold of one code point from U+00C0 to U+017F (generated from Unicode's decompositions;
/// letters without one, such as Æ, Ø, Ł, ß, by their usual transliteration).
constexpr std::array<const char*, 0x180 - 0xC0> kLatinFold = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/// Decodes one UTF-8 sequence at `s[i]`; advances i. Invalid bytes come back as U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const int extra = b0 < 0x80 ? 0 : (b0 >> 5) == 0x6 ? 1 : (b0 >> 4) == 0xE ? 2 : (b0 >> 3) == 0x1E ? 3 : -1;
  if (extra == 0) {
    ++i;
    return b0;
  }
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// Punctuation and spaces of the Latin-1 block and the General Punctuation block count as
/// separators, as ASCII punctuation does.
bool is_separator(char32_t cp) {
  if (cp < 0x80) return !std::isalnum(static_cast<int>(cp));
  if (cp >= 0xA0 && cp <= 0xBF) return true;
  if (cp >= 0x2000 && cp <= 0x206F) return true;
  return cp == 0xFFFD;
}

std::vector<std::string> words(const std::string& folded) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < folded.size()) {
    std::size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) out.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::string, std::string> normalise_isbn(std::string_view text) {
  const std::string code = leading_code(drop_label(text, "ISBN"));
  if (code.empty()) return unexpected(std::string("no ISBN digits in \"" + std::string(text) + "\""));
  if (code.size() == 10) {
    int sum = 0;
    for (std::size_t i = 0; i < 9; ++i) {
      if (!is_digit(code[i])) return unexpected("ISBN " + std::string(text) + ": X is allowed only as the check digit");
      sum += (code[i] - '0') * static_cast<int>(10 - i);
    }
    const int check = code[9] == 'X' ? 10 : code[9] - '0';
    if ((sum + check) % 11 != 0) return unexpected("ISBN " + std::string(text) + ": wrong check digit");
    std::string thirteen = "978" + code.substr(0, 9);
    thirteen.push_back(static_cast<char>('0' + ean_check_digit(thirteen)));
    return thirteen;
  }
  if (code.size() == 13) {
    for (char c : code)
      if (!is_digit(c)) return unexpected("ISBN " + std::string(text) + ": a 13-digit ISBN has digits only");
    if (code.compare(0, 3, "978") != 0 && code.compare(0, 3, "979") != 0)
      return unexpected("ISBN " + std::string(text) + ": a 13-digit ISBN starts with 978 or 979");
    if (ean_check_digit(code) != code[12] - '0')
      return unexpected("ISBN " + std::string(text) + ": wrong check digit");
    return code;
  }
  return unexpected("ISBN " + std::string(text) + ": has " + std::to_string(code.size()) +
                    " digits; an ISBN has 10 or 13");
}

Result<std::string, std::string> normalise_issn(std::string_view text) {
  const std::string code = leading_code(drop_label(text, "ISSN"));
  if (code.size() != 8) return unexpected("ISSN " + std::string(text) + ": an ISSN has 8 characters");
  int sum = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    if (!is_digit(code[i])) return unexpected("ISSN " + std::string(text) + ": X is allowed only as the check digit");
    sum += (code[i] - '0') * static_cast<int>(8 - i);
  }
  const int check = code[7] == 'X' ? 10 : code[7] - '0';
  if ((sum + check) % 11 != 0) return unexpected("ISSN " + std::string(text) + ": wrong check digit");
  return code;
}

Result<std::string, std::string> normalise_oclc(std::string_view text) {
  std::string_view s = trim(text);
  for (std::string_view prefix : {"(OCoLC)", "(ocolc)", "(OCOLC)"})
    if (s.substr(0, prefix.size()) == prefix) s = trim(s.substr(prefix.size()));
  for (std::string_view prefix : {"ocm", "ocn", "on"})
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      break;
    }
  if (s.empty()) return unexpected("OCLC number \"" + std::string(text) + "\" has no digits");
  for (char c : s)
    if (!is_digit(c)) return unexpected("OCLC number \"" + std::string(text) + "\": digits only after the prefix");
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return std::string(s);
}

std::string normalise_local(std::string_view text) { return std::string(trim(text)); }

std::string fold_text(std::string_view utf8) {
  std::string out;
  bool pending_space = false;
  auto put = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece);
  };
  std::size_t i = 0;
  while (i < utf8.size()) {
    const char32_t cp = next_code_point(utf8, i);
    if (cp >= 0x300 && cp <= 0x36F) continue;  // a combining mark: the letter before stays
    if (is_separator(cp)) {
      pending_space = true;
    } else if (cp < 0x80) {
      const char lower = static_cast<char>(std::tolower(static_cast<int>(cp)));
      put(std::string_view(&lower, 1));
    } else if (cp >= 0xC0 && cp < 0x180) {
      const std::string_view folded = kLatinFold[cp - 0xC0];
      if (folded == " ") pending_space = true;
      else put(folded);
    } else {
      std::string piece;
      append_utf8(piece, cp);
      put(piece);
    }
  }
  return out;
}

std::string title_key(std::string_view title) {
  // "L'Étranger": the elided article is glued to the word; fold_text turns the apostrophe
  // into a space, so "l" alone is an article here.
  static constexpr std::array<std::string_view, 20> kArticles = {
      "the", "a", "an", "le", "la", "les", "l", "un", "une", "der", "die", "das",
      "ein", "eine", "el", "los", "las", "il", "lo", "gli"};
  std::string folded = fold_text(title);
  const std::size_t space = folded.find(' ');
  if (space == std::string::npos) return folded;
  const std::string_view first(folded.data(), space);
  for (std::string_view article : kArticles)
    if (first == article) return folded.substr(space + 1);
  return folded;
}

std::string author_key(std::string_view author) {
  const std::size_t comma = author.find(',');
  std::vector<std::string> name_words;
  for (std::string& w : words(fold_text(comma == std::string_view::npos ? author : author.substr(0, comma)))) {
    bool digits_only = true;
    for (char c : w) digits_only = digits_only && is_digit(c);
    if (!digits_only) name_words.push_back(std::move(w));
  }
  // The last word of the name, or of what comes before the comma: "de la Mare, Walter" and
  // "Walter de la Mare" both give "mare".
  return name_words.empty() ? std::string() : name_words.back();
}

}  // namespace illhub::routing
