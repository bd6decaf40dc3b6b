#pragma once
// Money as the ledgers keep it: an exact count of ten-thousandths of a currency unit (the
// database's numeric(18,4)), never a float.

#include <cstdint>
#include <string>
#include <string_view>

#include "illhub/codec/envelope.hpp"
#include "illhub/util/result.hpp"

namespace illhub::hub {

/// Ten-thousandths per currency unit.
inline constexpr std::int64_t kMoneyScale = 10000;

struct Money {
  std::int64_t units = 0;  // ten-thousandths
  std::string currency;    // ISO 4217, e.g. "EUR"
  friend bool operator==(const Money&, const Money&) = default;
};

/// Reads an ISO 10161 Amount: monetary-value is an AmountString of digits, spaces, '.' and ','
/// ("25.00", "1 250,50", "1.250,50"). The last '.' or ',' followed only by digits is the
/// decimal mark (so "1,250" is 1.25, not 1250); other separators and spaces group thousands. An absent currency-code takes `default_currency`.
/// Errors: empty, more than four decimals, too large, or a currency that is not three
/// capital letters.
Result<Money, std::string> parse_amount(const codec::Amount& amount,
                                        std::string_view default_currency);

/// "25.0000" style, as PostgreSQL's numeric(18,4) reads it.
std::string to_decimal_string(std::int64_t units);

/// Parses to_decimal_string's output (and PostgreSQL's numeric text) back.
Result<std::int64_t, std::string> parse_decimal(std::string_view text);

}  // namespace illhub::hub
