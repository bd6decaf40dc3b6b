#pragma once
// The table of illd's configuration keys: for each, its section and name, what kind of value it
// takes, whether SIGHUP can apply it to a running illd, and how to check, store and print it.
// The file, the environment, the flags, --check-config and reloads all go through this table,
// so a key added here is at once settable everywhere and listed in every error message.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "illd/config.hpp"

namespace illhub::illd {

/// A value as a source gave it: TOML's typed value, or (`text`) the text of an environment
/// variable or a flag, which may stand for a number.
struct RawValue {
  std::variant<std::string, std::int64_t, double, bool> value;
  bool text = false;
};

struct ConfigKey {
  std::string_view section;
  std::string_view name;
  /// SIGHUP applies a changed value; any other key changes only with a restart.
  bool live = false;
  /// Printed with passwords hidden (database.uri).
  bool secret = false;
  /// The current value as a TOML literal: "\"30s\"", "32", "2.0".
  std::function<std::string(const IlldConfig&)> render;
  /// Checks and stores a value; else says what is wrong with it (the caller adds the key and
  /// where the value came from).
  std::function<std::optional<std::string>(IlldConfig&, const RawValue&)> assign;

  /// For secret keys: render() with passwords replaced by ***.
  std::function<std::string(const IlldConfig&)> render_redacted = {};

  /// What output and logs show: render_redacted() for secret keys, else render().
  std::string display(const IlldConfig& config) const;

  /// "limits.idle_timeout"
  std::string dotted() const;
  /// "ILLHUB_LIMITS_IDLE_TIMEOUT"
  std::string env_name() const;
};

/// Every key, grouped by section, sections in config_sections() order.
const std::vector<ConfigKey>& config_keys();
/// "listen", "database", "limits", "delivery", "timers", "log", "metrics", "tls".
const std::vector<std::string_view>& config_sections();
/// The key, or null.
const ConfigKey* find_key(std::string_view section, std::string_view name);
/// "max_connections, idle_timeout, ..." for messages.
std::string keys_in_section(std::string_view section);
/// A TOML basic string literal: quotes, backslashes and control characters escaped.
std::string toml_quote(std::string_view text);

}  // namespace illhub::illd
