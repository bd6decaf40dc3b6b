// render_config: the effective configuration as TOML with each value's origin.
#include "illd/config.hpp"
#include "illd/config_keys.hpp"

namespace illhub::illd {

std::string render_config(const IlldConfig& config, const std::string& file) {
  std::string out;
  out += "# illd's effective configuration: built-in defaults, then ";
  out += file.empty() ? "no configuration file" : "the file " + file;
  out += ", then ILLHUB_* environment variables, then flags.\n";
  out += "# After each value: where it came from. Passwords are shown as ***.\n";
  std::string_view section;
  for (const auto& key : config_keys()) {
    if (key.section != section) {
      section = key.section;
      out += "\n[" + std::string(section) + "]\n";
    }
    const std::string value = key.display(config);
    const auto it = config.origin.find(key.dotted());
    out += std::string(key.name) + " = " + value + "  # " + (it == config.origin.end() ? "default" : it->second) + "\n";
  }
  return out;
}

}  // namespace illhub::illd
