// Parsing and formatting of durations, sizes, listen addresses; hiding passwords.
#include "illd/config_values.hpp"

#include <boost/asio/ip/address.hpp>

#include <array>
#include <charconv>
#include <limits>

namespace illhub::illd {

namespace {

using std::chrono::milliseconds;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// Splits "<digits><rest>"; false when there are no digits or the number overflows.
bool leading_number(std::string_view text, std::uint64_t& number, std::string_view& rest) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return false;
  rest = trim(text.substr(static_cast<std::size_t>(end - text.data())));
  return true;
}

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

// Largest first: format_* picks the first that divides exactly.
constexpr std::array<Unit, 4> kDurationUnits{{{"h", 3'600'000}, {"min", 60'000}, {"s", 1000}, {"ms", 1}}};
constexpr std::array<Unit, 4> kSizeUnits{{{"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"B", 1}}};

constexpr std::uint64_t kMaxDurationMs = 365ull * 24 * 3'600'000;  // a year: beyond it, a typo
constexpr std::uint64_t kMaxSize = 1ull << 40;

}  // namespace

Result<milliseconds, std::string> parse_duration(std::string_view text) {
  text = trim(text);
  const std::string quoted = "\"" + std::string(text) + "\"";
  constexpr std::string_view kForms = "write a whole number and a unit (ms, s, min, h), e.g. \"250ms\", \"30s\", \"5min\"";
  if (!text.empty() && text.front() == '-') return unexpected(quoted + " is negative; " + std::string(kForms));
  std::uint64_t number = 0;
  std::string_view unit;
  if (!leading_number(text, number, unit)) return unexpected(quoted + " is not a duration; " + std::string(kForms));
  if (unit.empty()) return unexpected(quoted + " has no unit; " + std::string(kForms));
  if (unit == "m") return unexpected(quoted + ": 'm' is ambiguous; write \"min\" for minutes or \"ms\" for milliseconds");
  for (const auto& u : kDurationUnits) {
    if (unit != u.name) continue;
    if (number > kMaxDurationMs / u.factor) return unexpected(quoted + " is longer than a year");
    return milliseconds(static_cast<milliseconds::rep>(number * u.factor));
  }
  if (unit.front() == '.') return unexpected(quoted + ": fractions are not accepted; use a smaller unit (\"1500ms\", not \"1.5s\")");
  return unexpected(quoted + ": unknown unit '" + std::string(unit) + "'; " + std::string(kForms));
}

std::string format_duration(milliseconds value) {
  const auto ms = static_cast<std::uint64_t>(value.count() < 0 ? 0 : value.count());
  for (const auto& u : kDurationUnits) {
    if (ms != 0 && ms % u.factor == 0) return std::to_string(ms / u.factor) + std::string(u.name);
  }
  return "0ms";
}

Result<std::size_t, std::string> parse_size(std::string_view text) {
  text = trim(text);
  const std::string quoted = "\"" + std::string(text) + "\"";
  constexpr std::string_view kForms = "write bytes or a whole number with B, KiB, MiB or GiB, e.g. \"256KiB\"";
  if (!text.empty() && text.front() == '-') return unexpected(quoted + " is negative; " + std::string(kForms));
  std::uint64_t number = 0;
  std::string_view unit;
  if (!leading_number(text, number, unit)) return unexpected(quoted + " is not a size; " + std::string(kForms));
  if (unit.empty()) unit = "B";
  for (const auto& u : kSizeUnits) {
    if (unit != u.name) continue;
    if (number > kMaxSize / u.factor) return unexpected(quoted + " is larger than 1TiB");
    return static_cast<std::size_t>(number * u.factor);
  }
  if (unit == "KB" || unit == "kB" || unit == "MB" || unit == "GB" || unit == "K" || unit == "k" || unit == "M" ||
      unit == "G") {
    return unexpected(quoted + ": '" + std::string(unit) + "' is ambiguous; use KiB, MiB or GiB (powers of 1024)");
  }
  return unexpected(quoted + ": unknown unit '" + std::string(unit) + "'; " + std::string(kForms));
}

std::string format_size(std::size_t bytes) {
  for (const auto& u : kSizeUnits) {
    if (bytes != 0 && bytes % u.factor == 0) return std::to_string(bytes / u.factor) + std::string(u.name);
  }
  return "0B";
}

Result<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return unexpected(quoted + " is not HOST:PORT (e.g. \"127.0.0.1:4990\", \"0.0.0.0:499\", \"[::]:4990\")");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return unexpected(quoted + ": write an IPv6 address in brackets, e.g. \"[::1]:4990\"");
  }
  std::uint64_t port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && end == port_text.data() + port_text.size() && port > 65535)) {
    return unexpected(quoted + ": port " + std::string(port_text) + " is out of range (0-65535)");
  }
  if (ec != std::errc() || end != port_text.data() + port_text.size()) {
    return unexpected(quoted + ": port '" + std::string(port_text) + "' is not a number");
  }
  boost::system::error_code bad;
  boost::asio::ip::make_address(std::string(host), bad);
  if (bad) {
    return unexpected(quoted + ": '" + std::string(host) +
                      "' is not an IP address (illd binds an address, e.g. 127.0.0.1, 0.0.0.0 or [::]; "
                      "it does not resolve names)");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string format_listen_address(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

namespace {

std::string redact_uri(std::string_view uri) {
  std::string out;
  const auto scheme_end = uri.find("://") + 3;
  out.append(uri.substr(0, scheme_end));
  std::string_view rest = uri.substr(scheme_end);
  const auto authority_end = std::min(rest.find('/'), rest.find('?'));
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon)).append(":***");
    } else {
      out.append(userinfo);
    }
    out.append(authority.substr(at));
  } else {
    out.append(authority);
  }
  // Query parameters: "password=..." up to the next '&'.
  const auto query = rest.find('?');
  out.append(rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  std::string_view params = rest.substr(query + 1);
  out.push_back('?');
  bool first = true;
  while (true) {
    const auto amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    if (param.rfind("password=", 0) == 0) out.append("password=***");
    else out.append(param);
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// "key = value key='quoted \' value'": copied as is, except password values.
std::string redact_keyword_value(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) out.push_back(text[i++]);
    const std::size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !is_space(text[i])) ++i;
    const std::string_view key = text.substr(key_start, i - key_start);
    out.append(key);
    while (i < text.size() && is_space(text[i])) out.push_back(text[i++]);
    if (i >= text.size() || text[i] != '=') continue;  // malformed: libpq will say so; copy on
    out.push_back(text[i++]);
    while (i < text.size() && is_space(text[i])) out.push_back(text[i++]);
    const std::size_t value_start = i;
    if (i < text.size() && text[i] == '\'') {
      ++i;
      while (i < text.size() && text[i] != '\'') i += (text[i] == '\\' && i + 1 < text.size()) ? 2 : 1;
      if (i < text.size()) ++i;  // the closing quote
    } else {
      while (i < text.size() && !is_space(text[i])) i += (text[i] == '\\' && i + 1 < text.size()) ? 2 : 1;
    }
    if (key == "password") out.append("***");
    else out.append(text.substr(value_start, i - value_start));
  }
  return out;
}

}  // namespace

std::string redact_conninfo(std::string_view conninfo) {
  if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) return redact_uri(conninfo);
  return redact_keyword_value(conninfo);
}

}  // namespace illhub::illd
