#pragma once
// The value forms illd's configuration accepts, parsed and written back: durations ("250ms",
// "30s", "5min", "2h"), sizes ("256KiB", "1MiB", "4096"), listen addresses ("HOST:PORT",
// "[::1]:4990"), and libpq connection strings with their password hidden. No I/O; each parser
// returns the value or a message saying what was wrong and what is accepted.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "illhub/util/result.hpp"

namespace illhub::illd {

/// "<integer><unit>", unit one of ms, s, min, h; e.g. "250ms", "30s", "5min". Negative values,
/// missing or unknown units and values over a year are errors.
Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);
/// The largest unit that divides the value exactly: 300000 ms → "5min", 1500 ms → "1500ms".
std::string format_duration(std::chrono::milliseconds value);

/// "<integer>" (bytes) or "<integer><unit>", unit one of B, KiB, MiB, GiB (powers of 1024).
/// Decimal units (KB, MB) are refused rather than guessed at.
Result<std::size_t, std::string> parse_size(std::string_view text);
/// The largest binary unit that divides the value exactly: 262144 → "256KiB", 1000 → "1000B".
std::string format_size(std::size_t bytes);

struct ListenAddress {
  std::string host;  // an IP address, without brackets
  std::uint16_t port = 0;
};
/// "A.B.C.D:PORT" or "[IPv6]:PORT", PORT 0–65535 (0: any free port). The host must be an IP
/// address: illd binds it, it does not resolve names.
Result<ListenAddress, std::string> parse_listen_address(std::string_view text);
/// Back to text, IPv6 in brackets.
std::string format_listen_address(const ListenAddress& address);

/// A libpq URI ("postgresql://user:secret@host/db?password=x") or conninfo
/// ("host=h password='x y'") with every password replaced by "***"; other text unchanged.
std::string redact_conninfo(std::string_view conninfo);

}  // namespace illhub::illd
