#pragma once
// CSV as RFC 4180 says: fields separated by commas, records ended by CRLF, a field quoted
// when it holds a comma, a double quote, CR or LF, and a quote inside doubled.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace illhub::app {

/// One field, quoted when it must be.
std::string csv_field(std::string_view value);

/// One record (fields joined by commas, CRLF at the end) written to `out`.
void write_csv_record(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace illhub::app
