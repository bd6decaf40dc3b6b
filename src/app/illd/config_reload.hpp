#pragma once
// SIGHUP: what changed between the running configuration and a freshly loaded one, which of the
// changes a running illd can take (log level; limits, for connections opened from then on; the
// TLS certificate files, read again for handshakes from then on), and
// the reload itself, which logs every change and what waits for a restart.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "illd/config.hpp"

namespace illhub::illd {

struct ConfigChange {
  std::string key;     // "limits.idle_timeout"
  std::string before;  // TOML literals, passwords hidden
  std::string after;
  bool live = false;   // applied by a reload; else needs a restart
};

/// Keys whose values differ, in the key table's order.
std::vector<ConfigChange> config_changes(const IlldConfig& running, const IlldConfig& loaded);

/// Copies every live key (and its origin) from `loaded` into `running`; restart-only keys keep
/// their running values, so a later reload still reports them.
void apply_live_keys(IlldConfig& running, const IlldConfig& loaded);

/// What a reload does to the running process. Called on the io thread.
struct ReloadHooks {
  std::function<void(const std::string& level)> set_log_level;
  std::function<void(const net::SessionLimits&)> set_limits;
  /// Called on every successful reload while TLS is on (the files may have changed under the
  /// same names); returns an error to log, or nothing.
  std::function<std::optional<std::string>(const net::TlsOptions&)> set_tls;
};

/// Loads `sources` again. When that fails, logs the errors and keeps `running` as it is.
/// Otherwise applies the live changes through `hooks`, logs each change (applied, or needs a
/// restart) and then "reloaded configuration ...". Returns whether the load succeeded.
bool reload_config(const ConfigSources& sources, IlldConfig& running, const ReloadHooks& hooks);

}  // namespace illhub::illd
