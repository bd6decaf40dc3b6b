// Command-line values of illctl replay. See replay_options.hpp.
#include "app/illctl/replay/replay_options.hpp"

#include <charconv>
#include <cmath>

namespace illhub::app::replay {

std::string Endpoint::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Endpoint, std::string> parse_endpoint(const std::string& text, bool allow_zero) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return unexpected("'" + text + "' is not HOST:PORT");
  Endpoint e;
  e.host = text.substr(0, colon);
  if (e.host.front() == '[') {
    if (e.host.size() < 3 || e.host.back() != ']') return unexpected("'" + text + "' is not HOST:PORT");
    e.host = e.host.substr(1, e.host.size() - 2);
  }
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port > 65535 || (port == 0 && !allow_zero))
    return unexpected("'" + text + "': the port must be a number from 1 to 65535");
  e.port = static_cast<std::uint16_t>(port);
  return e;
}

Result<std::pair<std::string, Endpoint>, std::string> parse_peer_endpoint(const std::string& text) {
  const auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return unexpected("--peer-endpoint '" + text + "' is not SYMBOL=HOST:PORT");
  auto e = parse_endpoint(text.substr(eq + 1));
  if (!e) return unexpected("--peer-endpoint " + e.error());
  return std::make_pair(text.substr(0, eq), *e);
}

Result<double, std::string> parse_speed(const std::string& text) {
  if (text == "fast") return 0.0;
  if (text == "original") return 1.0;
  double factor = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), factor);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(factor) || factor <= 0)
    return unexpected("--speed '" + text + "': fast, original, or a positive factor (2 = twice as fast)");
  return factor;
}

std::chrono::microseconds due_after(std::int64_t at_unix_us, std::int64_t first_unix_us, double speed) {
  if (speed <= 0 || at_unix_us <= first_unix_us) return std::chrono::microseconds(0);
  return std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(at_unix_us - first_unix_us) / speed));
}

Result<std::map<Endpoint, std::vector<std::size_t>>, std::string> dial_listeners(
    const Plan& plan, const std::map<std::string, Endpoint>& peer_endpoints) {
  std::map<Endpoint, std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < plan.connections.size(); ++i) {
    const ReplayConnection& c = plan.connections[i];
    if (!c.dialled) continue;
    if (auto given = peer_endpoints.find(c.peer); given != peer_endpoints.end()) {
      out[given->second].push_back(i);
      continue;
    }
    auto recorded = parse_endpoint(c.remote);
    if (!recorded)
      return unexpected(c.label() + ": the hub dialled " + recorded.error() + "; give --peer-endpoint " +
                        (c.peer.empty() ? "SYMBOL" : c.peer) + "=HOST:PORT");
    out[*recorded].push_back(i);
  }
  return out;
}

Result<std::string, std::string> source_address(const ReplayConnection& connection) {
  auto e = parse_endpoint(connection.remote, /*allow_zero=*/true);
  if (!e) return unexpected(connection.label() + ": recorded remote " + e.error());
  return e->host;
}

}  // namespace illhub::app::replay
