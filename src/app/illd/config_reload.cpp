// SIGHUP reloads: diff, apply what can change live, log the rest.
#include "illd/config_reload.hpp"

#include <spdlog/spdlog.h>

#include "illd/config_keys.hpp"

namespace illhub::illd {

std::vector<ConfigChange> config_changes(const IlldConfig& running, const IlldConfig& loaded) {
  std::vector<ConfigChange> out;
  for (const auto& key : config_keys()) {
    if (key.render(running) == key.render(loaded)) continue;
    out.push_back({key.dotted(), key.display(running), key.display(loaded), key.live});
  }
  return out;
}

void apply_live_keys(IlldConfig& running, const IlldConfig& loaded) {
  // The live keys of config_keys.cpp: log.level, all of [limits], and the [tls] files. A unit
  // test checks that every key marked live is copied here.
  running.log_level = loaded.log_level;
  running.server.limits = loaded.server.limits;
  running.tls.certificate = loaded.tls.certificate;
  running.tls.private_key = loaded.tls.private_key;
  running.tls.client_ca = loaded.tls.client_ca;
  for (const auto& key : config_keys()) {
    if (!key.live) continue;
    const auto name = key.dotted();
    if (const auto it = loaded.origin.find(name); it != loaded.origin.end()) running.origin[name] = it->second;
    else running.origin.erase(name);
  }
}

bool reload_config(const ConfigSources& sources, IlldConfig& running, const ReloadHooks& hooks) {
  auto loaded = load_config(sources);
  if (!loaded) {
    for (const auto& message : loaded.error().messages) spdlog::error("configuration: {}", message);
    spdlog::error("configuration reload failed; the running configuration stays as it was");
    return false;
  }
  const auto changes = config_changes(running, *loaded);
  const bool limits_changed = std::any_of(changes.begin(), changes.end(), [](const ConfigChange& c) {
    return c.key.rfind("limits.", 0) == 0;
  });
  apply_live_keys(running, *loaded);
  // The level first, so that a reload to "debug" already shows its own details.
  if (hooks.set_log_level) hooks.set_log_level(running.log_level);
  if (limits_changed && hooks.set_limits) hooks.set_limits(running.server.limits);
  // tls.listen needs a restart: the files are read again only if the running illd listens.
  if (!running.tls.listen.empty() && hooks.set_tls) {
    if (auto error = hooks.set_tls(running.tls))
      spdlog::error("configuration: TLS: {}; handshakes keep using the files read before", *error);
    else
      spdlog::info("configuration: TLS certificate, key and client CA read again from {}, {}, {}",
                   running.tls.certificate, running.tls.private_key, running.tls.client_ca);
  }
  spdlog::debug("configuration: compared {} keys", config_keys().size());
  std::size_t applied = 0, waiting = 0;
  for (const auto& change : changes) {
    if (change.live) {
      ++applied;
      spdlog::info("configuration: {} = {} (was {}){}", change.key, change.after, change.before,
                   change.key.rfind("limits.", 0) == 0 ? ": applies to connections opened from now on" : "");
    } else {
      ++waiting;
      spdlog::warn("configuration: {} = {} needs a restart; still using {}", change.key, change.after, change.before);
    }
  }
  spdlog::info("reloaded configuration from {}: {} change(s) applied, {} waiting for a restart",
               sources.file.empty() ? "environment and flags (no file)" : sources.file, applied, waiting);
  return true;
}

}  // namespace illhub::illd
