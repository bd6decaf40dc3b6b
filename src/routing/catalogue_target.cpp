// Parsing of catalogue target strings; see catalogue_target.hpp for the syntax.
#include "illhub/routing/catalogue_target.hpp"

#include <charconv>

namespace illhub::routing {
namespace {

std::string bad(std::string_view spec, std::string_view why) {
  return "catalogue target \"" + std::string(spec) + "\": " + std::string(why);
}

// "HOST:PORT" -> host, port. Bracketed IPv6 literals are not supported (say so plainly).
Result<std::pair<std::string, std::uint16_t>, std::string> host_port(std::string_view spec,
                                                                     std::string_view hp,
                                                                     bool port_required) {
  if (hp.empty() || hp.front() == '[') return unexpected(bad(spec, "expected HOST:PORT (IPv6 literals are not supported)"));
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos) {
    if (port_required) return unexpected(bad(spec, "missing :PORT after the host"));
    return std::pair<std::string, std::uint16_t>{std::string(hp), 80};
  }
  std::string_view host = hp.substr(0, colon), port_text = hp.substr(colon + 1);
  if (host.empty()) return unexpected(bad(spec, "empty host"));
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return unexpected(bad(spec, "port must be a number from 1 to 65535"));
  }
  return std::pair<std::string, std::uint16_t>{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace

std::string CatalogueTarget::zoom_address() const {
  std::string address = host + ":" + std::to_string(port) + "/" + database;
  return protocol == CatalogueProtocol::kSru ? "http://" + address : address;
}

Result<CatalogueTarget, std::string> parse_catalogue_target(std::string_view spec) {
  constexpr std::string_view kZ3950 = "z3950:", kSru = "sru:http://";
  CatalogueTarget target;
  target.spec = std::string(spec);
  std::string_view rest;
  if (spec.starts_with(kZ3950)) {
    target.protocol = CatalogueProtocol::kZ3950;
    rest = spec.substr(kZ3950.size());
  } else if (spec.starts_with(kSru)) {
    target.protocol = CatalogueProtocol::kSru;
    rest = spec.substr(kSru.size());
  } else if (spec.starts_with("sru:https://")) {
    return unexpected(bad(spec, "https is not supported for SRU look-ups (plain http only)"));
  } else {
    return unexpected(bad(spec, "expected z3950:HOST:PORT/DATABASE or sru:http://HOST[:PORT]/PATH"));
  }
  for (char c : rest) {
    if (static_cast<unsigned char>(c) <= ' ') return unexpected(bad(spec, "spaces and control characters are not allowed"));
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    return unexpected(bad(spec, target.protocol == CatalogueProtocol::kZ3950
                                    ? "missing /DATABASE after the port"
                                    : "missing /PATH after the host"));
  }
  auto hp = host_port(spec, rest.substr(0, slash), target.protocol == CatalogueProtocol::kZ3950);
  if (!hp) return unexpected(hp.error());
  target.host = hp->first;
  target.port = hp->second;
  target.database = std::string(rest.substr(slash + 1));
  return target;
}

}  // namespace illhub::routing
