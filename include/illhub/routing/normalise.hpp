#pragma once
// Normalised forms of the identifiers and names the rota planner matches holdings by. Pure
// functions: the same normalisation runs on imported holdings and on each request, so two
// spellings of one identifier or title meet on the same key.

#include <string>
#include <string_view>

#include "illhub/util/result.hpp"

namespace illhub::routing {

/// An ISBN as its 13 digits (ISBN-10 converted: "978" + nine digits + a new check digit).
/// Accepts hyphens, spaces, a lower-case x and trailing qualifiers ("0-306-40615-2 (pbk.)").
/// Errors (in words): wrong length, a non-digit, a wrong check digit, a 13-digit number not
/// starting 978 or 979.
Result<std::string, std::string> normalise_isbn(std::string_view text);

/// An ISSN as eight characters, the last a digit or X ("0317-8471" -> "03178471").
/// Errors: wrong length, a non-digit, a wrong check digit.
Result<std::string, std::string> normalise_issn(std::string_view text);

/// An OCLC number as its digits without leading zeros ("(OCoLC)ocm00012345" -> "12345").
/// Errors: no digits, or other characters after the prefix.
Result<std::string, std::string> normalise_oclc(std::string_view text);

/// A local system number: trimmed; empty when only spaces. Local numbers are compared as given.
std::string normalise_local(std::string_view text);

/// Text folded for comparison: lower case, Latin letters without their diacritics (é -> e,
/// ß -> ss, Æ -> ae; precomposed U+00C0..U+017F, combining marks U+0300..U+036F dropped),
/// every run of punctuation and spaces one space, trimmed. Letters of other scripts stay.
std::string fold_text(std::string_view utf8);

/// The title key: fold_text, then one leading article dropped ("The", "A", "An", "Le", "La",
/// "Les", "L'", "Der", "Die", "Das", "El", ...), so "The Stranger" and "stranger" meet.
std::string title_key(std::string_view title);

/// The author key: the surname's last word, folded. "Camus, Albert, 1913-1960" and "Albert
/// Camus" both give "camus" (the last word before a comma, else the last word); dates are
/// ignored. A surname with particles keys on its last word ("de la Mare" -> "mare").
std::string author_key(std::string_view author);

}  // namespace illhub::routing
