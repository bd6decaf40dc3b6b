#pragma once
// PostgreSQL array literals for parameters: a list of values travels as ONE parameter
// ('{"a","b"}'), never spliced into SQL. Every element is double-quoted with \ and " escaped,
// so commas, braces, quotes and backslashes inside values survive unchanged.

#include <string>
#include <vector>

namespace illhub::store {

inline std::string to_array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace illhub::store
