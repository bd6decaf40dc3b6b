#pragma once
// The parts of `illctl replay`'s command line that need checking (pure): HOST:PORT endpoints,
// --peer-endpoint SYMBOL=HOST:PORT, --speed, and where replay listens for the hub's dials.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/illctl/replay/replay_plan.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app::replay {

struct Endpoint {
  std::string host;  // an IPv4 or IPv6 address, without brackets
  std::uint16_t port = 0;
  std::string text() const;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

/// "127.0.0.1:4999", "[::1]:4999". Port 1..65535 (0 is allowed only with `allow_zero`).
Result<Endpoint, std::string> parse_endpoint(const std::string& text, bool allow_zero = false);

/// "IRL:LEN=127.0.0.1:5001" (the symbol may itself contain ':'; the last '=' splits).
Result<std::pair<std::string, Endpoint>, std::string> parse_peer_endpoint(const std::string& text);

/// --speed: "fast" (0: no waiting beyond causality), "original" (1), or a positive factor
/// ("2" plays twice as fast as recorded, "0.5" half as fast). Returns the factor.
Result<double, std::string> parse_speed(const std::string& text);

/// --speed applied: how long after the replay's start a step recorded at `at_unix_us` is
/// due, the first step being recorded at `first_unix_us`. Zero for speed 0 (fast).
std::chrono::microseconds due_after(std::int64_t at_unix_us, std::int64_t first_unix_us, double speed);

/// Where replay listens for the hub's dials: for each endpoint, the plan's dialled
/// connections the hub will make there, in recorded order. A peer's endpoint is its
/// --peer-endpoint if given, else the recorded remote address. Error: a dialled connection
/// whose recorded remote is not HOST:PORT and that has no --peer-endpoint.
Result<std::map<Endpoint, std::vector<std::size_t>>, std::string> dial_listeners(
    const Plan& plan, const std::map<std::string, Endpoint>& peer_endpoints);

/// The address an accepted connection is opened from: the host of its recorded remote (the
/// hub knows peers by their address), or nothing when it does not parse.
Result<std::string, std::string> source_address(const ReplayConnection& connection);

}  // namespace illhub::app::replay
