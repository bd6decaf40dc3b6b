// The configuration key table and the checks for each kind of value.
#include "illd/config_keys.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "illd/config_values.hpp"

namespace illhub::illd {

namespace {

using std::chrono::milliseconds;
using Problem = std::optional<std::string>;

/// For messages: `30 (an integer)`, `"abc"`.
std::string show(const RawValue& raw) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) return toml_quote(v);
        else if constexpr (std::is_same_v<V, bool>) return std::string(v ? "true" : "false") + " (a boolean)";
        else if constexpr (std::is_same_v<V, double>) return std::to_string(v) + " (a float)";
        else return std::to_string(v) + " (an integer)";
      },
      raw.value);
}

const std::string* as_string(const RawValue& raw) { return std::get_if<std::string>(&raw.value); }

/// A whole number from TOML, or from text when the value came from the environment or a flag.
std::optional<std::int64_t> as_integer(const RawValue& raw) {
  if (const auto* i = std::get_if<std::int64_t>(&raw.value)) return *i;
  const auto* s = as_string(raw);
  if (!raw.text || s == nullptr || s->empty()) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
  if (ec != std::errc() || end != s->data() + s->size()) return std::nullopt;
  return n;
}

std::optional<double> as_number(const RawValue& raw) {
  if (const auto* d = std::get_if<double>(&raw.value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&raw.value)) return static_cast<double>(*i);
  const auto* s = as_string(raw);
  if (!raw.text || s == nullptr || s->empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(s->c_str(), &end);
  if (end != s->c_str() + s->size()) return std::nullopt;
  return d;
}

// One constructor per kind of value. `ref` is a generic lambda giving the field of a (const or
// not) IlldConfig, so one lambda serves both render and assign.

template <class Ref>
ConfigKey duration_key(std::string_view section, std::string_view name, bool live, Ref ref,
                       bool zero_is_off = false) {
  return {section, name, live, false,
          [ref](const IlldConfig& c) { return toml_quote(format_duration(ref(c))); },
          [ref, zero_is_off](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto* s = as_string(raw);
            if (s == nullptr) return "expected a duration in quotes such as \"30s\", got " + show(raw);
            auto d = parse_duration(*s);
            if (!d) return d.error();
            if (d->count() == 0 && !zero_is_off) return toml_quote(*s) + " is zero; it must be longer than that";
            ref(c) = *d;
            return std::nullopt;
          }};
}

template <class Ref>
ConfigKey size_key(std::string_view section, std::string_view name, bool live, std::size_t min, std::size_t max,
                   Ref ref) {
  return {section, name, live, false, [ref](const IlldConfig& c) { return toml_quote(format_size(ref(c))); },
          [=](IlldConfig& c, const RawValue& raw) -> Problem {
            std::size_t bytes = 0;
            if (const auto* i = std::get_if<std::int64_t>(&raw.value)) {
              if (*i < 0) return show(raw) + " is negative";
              bytes = static_cast<std::size_t>(*i);
            } else if (const auto* s = as_string(raw)) {
              auto parsed = parse_size(*s);
              if (!parsed) return parsed.error();
              bytes = *parsed;
            } else {
              return "expected a size such as \"256KiB\" or a byte count, got " + show(raw);
            }
            if (bytes < min || bytes > max) {
              return format_size(bytes) + " is out of range (" + format_size(min) + " to " + format_size(max) + ")";
            }
            ref(c) = bytes;
            return std::nullopt;
          }};
}

template <class Ref>
ConfigKey count_key(std::string_view section, std::string_view name, bool live, std::int64_t min, std::int64_t max,
                    Ref ref) {
  return {section, name, live, false, [ref](const IlldConfig& c) { return std::to_string(ref(c)); },
          [=](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto n = as_integer(raw);
            if (!n) return "expected a whole number, got " + show(raw);
            if (*n < min || *n > max) {
              return std::to_string(*n) + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")";
            }
            ref(c) = static_cast<std::remove_reference_t<decltype(ref(c))>>(*n);
            return std::nullopt;
          }};
}

std::string format_number(double d) {
  std::ostringstream out;
  out.precision(15);
  out << d;
  std::string s = out.str();
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

template <class Ref>
ConfigKey factor_key(std::string_view section, std::string_view name, bool live, double min, double max, Ref ref) {
  return {section, name, live, false, [ref](const IlldConfig& c) { return format_number(ref(c)); },
          [=](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto d = as_number(raw);
            if (!d) return "expected a number, got " + show(raw);
            if (!std::isfinite(*d) || *d < min || *d > max) {
              return format_number(*d) + " is out of range (" + format_number(min) + " to " + format_number(max) + ")";
            }
            ref(c) = *d;
            return std::nullopt;
          }};
}

template <class Ref>
ConfigKey choice_key(std::string_view section, std::string_view name, bool live, std::vector<std::string> choices,
                     Ref ref) {
  return {section, name, live, false, [ref](const IlldConfig& c) { return toml_quote(ref(c)); },
          [=](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto* s = as_string(raw);
            std::string list;
            for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + toml_quote(choice);
            if (s == nullptr || std::find(choices.begin(), choices.end(), *s) == choices.end()) {
              return "expected one of " + list + ", got " + show(raw);
            }
            ref(c) = *s;
            return std::nullopt;
          }};
}

/// A string kept as given (paths, the database URI). `secret`: printed redacted.
template <class Ref>
ConfigKey string_key(std::string_view section, std::string_view name, bool secret, Ref ref, bool live = false) {
  return {section, name, live, secret, [ref](const IlldConfig& c) { return toml_quote(ref(c)); },
          [ref](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto* s = as_string(raw);
            if (s == nullptr) return "expected a string, got " + show(raw);
            ref(c) = *s;
            return std::nullopt;
          },
          [ref](const IlldConfig& c) { return toml_quote(redact_conninfo(ref(c))); }};
}

/// HOST:PORT kept as text; "" (off) allowed.
template <class Ref>
ConfigKey optional_address_key(std::string_view section, std::string_view name, Ref ref) {
  return {section, name, false, false, [ref](const IlldConfig& c) { return toml_quote(ref(c)); },
          [ref](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto* s = as_string(raw);
            if (s == nullptr) return "expected \"HOST:PORT\" or \"\" (off), got " + show(raw);
            if (!s->empty()) {
              auto parsed = parse_listen_address(*s);
              if (!parsed) return parsed.error();
            }
            ref(c) = *s;
            return std::nullopt;
          }};
}

ConfigKey listen_address_key() {
  return {"listen", "address", false, false,
          [](const IlldConfig& c) {
            return toml_quote(format_listen_address({c.server.listen_host, c.server.listen_port}));
          },
          [](IlldConfig& c, const RawValue& raw) -> Problem {
            const auto* s = as_string(raw);
            if (s == nullptr) return "expected \"HOST:PORT\", got " + show(raw);
            auto parsed = parse_listen_address(*s);
            if (!parsed) return parsed.error();
            c.server.listen_host = parsed->host;
            c.server.listen_port = parsed->port;
            return std::nullopt;
          }};
}

std::vector<ConfigKey> make_keys() {
  constexpr bool kLive = true, kRestart = false;
  constexpr std::size_t KiB = 1024, MiB = 1024 * 1024;
  std::vector<ConfigKey> k;
  k.push_back(listen_address_key());
  k.push_back(duration_key("listen", "shutdown_grace", kRestart, [](auto& c) -> auto& { return c.server.shutdown_grace; }));

  k.push_back(string_key("database", "uri", true, [](auto& c) -> auto& { return c.database_uri; }));
  k.push_back(string_key("database", "data_dir", false, [](auto& c) -> auto& { return c.data_dir; }));
  k.push_back(count_key("database", "threads", kRestart, 1, 64, [](auto& c) -> auto& { return c.database_threads; }));
  k.push_back(count_key("database", "group_commit", kRestart, 1, 1024,
                        [](auto& c) -> auto& { return c.server.group_commit.max_batch; }));
  k.push_back(count_key("database", "writers", kRestart, 1, 64,
                        [](auto& c) -> auto& { return c.server.group_commit.writers; }));

  k.push_back(count_key("limits", "max_connections", kLive, 1, 1'000'000,
                        [](auto& c) -> auto& { return c.server.limits.max_connections; }));
  k.push_back(count_key("limits", "max_connections_per_peer", kLive, 1, 1'000'000,
                        [](auto& c) -> auto& { return c.server.limits.max_connections_per_peer; }));
  k.push_back(duration_key("limits", "idle_timeout", kLive, [](auto& c) -> auto& { return c.server.limits.idle_timeout; }));
  k.push_back(duration_key("limits", "apdu_timeout", kLive, [](auto& c) -> auto& { return c.server.limits.apdu_timeout; }));
  k.push_back(duration_key("limits", "write_timeout", kLive, [](auto& c) -> auto& { return c.server.limits.write_timeout; }));
  k.push_back(count_key("limits", "max_queued_frames", kLive, 1, 100'000,
                        [](auto& c) -> auto& { return c.server.limits.max_queued_frames; }));
  k.push_back(size_key("limits", "max_apdu_bytes", kLive, 1 * KiB, 64 * MiB,
                       [](auto& c) -> auto& { return c.server.limits.codec.max_apdu_bytes; }));
  k.push_back(count_key("limits", "max_depth", kLive, 4, 1000, [](auto& c) -> auto& { return c.server.limits.codec.max_depth; }));
  k.push_back(size_key("limits", "max_decoder_stack", kLive, 16 * KiB, 64 * MiB,
                       [](auto& c) -> auto& { return c.server.limits.codec.max_decoder_stack; }));

  k.push_back(duration_key("delivery", "backoff_initial", kRestart, [](auto& c) -> auto& { return c.server.delivery.backoff_initial; }));
  k.push_back(factor_key("delivery", "backoff_factor", kRestart, 1.0, 100.0, [](auto& c) -> auto& { return c.server.delivery.backoff_factor; }));
  k.push_back(duration_key("delivery", "backoff_cap", kRestart, [](auto& c) -> auto& { return c.server.delivery.backoff_cap; }));
  k.push_back(count_key("delivery", "max_attempts", kRestart, 1, 1'000'000, [](auto& c) -> auto& { return c.server.delivery.max_attempts; }));
  k.push_back(duration_key("delivery", "lease", kRestart, [](auto& c) -> auto& { return c.server.delivery.lease; }));
  k.push_back(count_key("delivery", "batch", kRestart, 1, 10'000, [](auto& c) -> auto& { return c.server.delivery.batch; }));
  k.push_back(duration_key("delivery", "sweep_interval", kRestart, [](auto& c) -> auto& { return c.server.delivery.sweep_interval; }));
  k.push_back(duration_key("delivery", "connect_timeout", kRestart, [](auto& c) -> auto& { return c.server.delivery.connect_timeout; }));
  k.push_back(duration_key("delivery", "dial_idle_timeout", kRestart, [](auto& c) -> auto& { return c.server.delivery.dial_idle_timeout; }));
  k.push_back(duration_key("delivery", "dead_node_grace", kRestart, [](auto& c) -> auto& { return c.server.delivery.dead_node_grace; }));
  k.push_back(duration_key("delivery", "mark_retry", kRestart, [](auto& c) -> auto& { return c.server.delivery.mark_retry; }));

  k.push_back(duration_key("timers", "interval", kRestart, [](auto& c) -> auto& { return c.server.timers.interval; },
                           /*zero_is_off=*/true));
  k.push_back(count_key("timers", "batch", kRestart, 1, 100'000, [](auto& c) -> auto& { return c.server.timers.batch; }));

  k.push_back(choice_key("log", "format", kRestart, {"text", "json"}, [](auto& c) -> auto& { return c.log_format; }));
  k.push_back(choice_key("log", "level", kLive, {"trace", "debug", "info", "warn", "error", "critical", "off"},
                         [](auto& c) -> auto& { return c.log_level; }));

  k.push_back(optional_address_key("metrics", "listen", [](auto& c) -> auto& { return c.server.metrics_listen; }));

  k.push_back(optional_address_key("tls", "listen", [](auto& c) -> auto& { return c.tls.listen; }));
  // Live: a reload reads the files again (renewed certificates), for handshakes from then on.
  k.push_back(string_key("tls", "certificate", false, [](auto& c) -> auto& { return c.tls.certificate; }, kLive));
  k.push_back(string_key("tls", "private_key", false, [](auto& c) -> auto& { return c.tls.private_key; }, kLive));
  k.push_back(string_key("tls", "client_ca", false, [](auto& c) -> auto& { return c.tls.client_ca; }, kLive));

  // The hub as intermediary (docs/ROUTING.md): requests addressed to hub.symbol are routed.
  k.push_back(string_key("hub", "symbol", false, [](auto& c) -> auto& { return c.hub_symbol; }));
  k.push_back(duration_key("routing", "answer_deadline", kRestart, [](auto& c) -> auto& { return c.answer_deadline; }));

  // Wire recordings (docs/RECORDING.md): a directory, "" = off.
  k.push_back(string_key("record", "dir", false, [](auto& c) -> auto& { return c.record_dir; }));
  return k;
}

}  // namespace

std::string ConfigKey::display(const IlldConfig& config) const {
  return secret && render_redacted ? render_redacted(config) : render(config);
}

std::string ConfigKey::dotted() const { return std::string(section) + "." + std::string(name); }

std::string ConfigKey::env_name() const {
  std::string out = "ILLHUB_";
  for (const char c : section) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  out.push_back('_');
  for (const char c : name) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = make_keys();
  return keys;
}

const std::vector<std::string_view>& config_sections() {
  static const std::vector<std::string_view> sections{"listen", "database", "limits", "delivery",
                                                      "timers", "log",    "metrics",  "tls",
                                                      "hub",    "routing", "record"};
  return sections;
}

const ConfigKey* find_key(std::string_view section, std::string_view name) {
  for (const auto& key : config_keys()) {
    if (key.section == section && key.name == name) return &key;
  }
  return nullptr;
}

std::string keys_in_section(std::string_view section) {
  std::string out;
  for (const auto& key : config_keys()) {
    if (key.section == section) out += (out.empty() ? "" : ", ") + std::string(key.name);
  }
  return out;
}

std::string toml_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace illhub::illd
