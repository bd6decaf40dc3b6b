#include "illhub/hub/money.hpp"

#include <cctype>
#include <limits>

namespace illhub::hub {
namespace {

bool is_currency_code(std::string_view c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (ch < 'A' || ch > 'Z') return false;
  return true;
}

}  // namespace

Result<Money, std::string> parse_amount(const codec::Amount& amount,
                                        std::string_view default_currency) {
  const std::string currency = amount.currency.empty() ? std::string(default_currency) : amount.currency;
  if (!is_currency_code(currency))
    return unexpected("currency \"" + currency + "\" is not an ISO 4217 code");
  const std::string& v = amount.value;
  // The decimal mark is the last '.' or ',' with 1..4 digits (and nothing else) after it.
  std::size_t mark = std::string::npos;
  const std::size_t last = v.find_last_of(".,");
  if (last != std::string::npos) {
    const std::size_t decimals = v.size() - last - 1;
    bool digits_only = decimals >= 1;
    for (std::size_t i = last + 1; i < v.size(); ++i) digits_only = digits_only && std::isdigit(static_cast<unsigned char>(v[i]));
    if (digits_only && decimals > 4) return unexpected("amount \"" + v + "\" has more than 4 decimals");
    if (digits_only) mark = last;
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 100;
  std::int64_t whole = 0;
  bool any_digit = false;
  const std::size_t whole_end = mark == std::string::npos ? v.size() : mark;
  for (std::size_t i = 0; i < whole_end; ++i) {
    const char c = v[i];
    if (c == ' ' || c == '.' || c == ',') continue;  // grouping
    if (!std::isdigit(static_cast<unsigned char>(c))) return unexpected("amount \"" + v + "\" is not a number");
    whole = whole * 10 + (c - '0');
    any_digit = true;
    if (whole > kMax / kMoneyScale) return unexpected("amount \"" + v + "\" is too large");
  }
  std::int64_t fraction = 0;
  if (mark != std::string::npos) {
    std::int64_t scale = kMoneyScale;
    for (std::size_t i = mark + 1; i < v.size(); ++i) {
      scale /= 10;
      fraction += (v[i] - '0') * scale;
      any_digit = true;
    }
  }
  if (!any_digit) return unexpected("amount \"" + v + "\" has no digits");
  return Money{whole * kMoneyScale + fraction, currency};
}

std::string to_decimal_string(std::int64_t units) {
  const bool negative = units < 0;
  // Work in unsigned so the most negative value does not overflow on negation.
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  std::string fraction = std::to_string(magnitude % kMoneyScale);
  fraction.insert(0, 4 - fraction.size(), '0');
  return (negative ? "-" : "") + std::to_string(magnitude / kMoneyScale) + "." + fraction;
}

Result<std::int64_t, std::string> parse_decimal(std::string_view text) {
  bool negative = false;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::int64_t whole = 0, fraction = 0, scale = kMoneyScale;
  bool in_fraction = false, any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return unexpected("not a decimal: " + std::string(text));
    any = true;
    if (in_fraction) {
      scale /= 10;
      if (scale == 0) {
        if (c != '0') return unexpected("more than 4 decimals: " + std::string(text));
        scale = 1;  // keep reading trailing zeros
        continue;
      }
      fraction += (c - '0') * scale;
    } else {
      if (whole > std::numeric_limits<std::int64_t>::max() / kMoneyScale / 10)
        return unexpected("too large: " + std::string(text));
      whole = whole * 10 + (c - '0');
    }
  }
  if (!any) return unexpected("not a decimal: " + std::string(text));
  const std::int64_t value = whole * kMoneyScale + fraction;
  return negative ? -value : value;
}

}  // namespace illhub::hub
