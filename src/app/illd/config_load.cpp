// load_config: defaults, then the TOML file, the environment and the flags, then the checks
// that involve several keys.
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "illd/config.hpp"
#include "illd/config_keys.hpp"

extern char** environ;

namespace illhub::illd {

namespace {

/// Environment variables that predate the ILLHUB_<SECTION>_<KEY> scheme and stay accepted.
/// The scheme's own name wins when both are set (it is read after).
struct EnvAlias {
  std::string_view variable;
  std::string_view section, name;
};
constexpr EnvAlias kEnvAliases[] = {{"ILLHUB_DB", "database", "uri"}, {"ILLHUB_DATA_DIR", "database", "data_dir"}};

std::string all_sections() {
  std::string out;
  for (const auto s : config_sections()) out += (out.empty() ? "[" : ", [") + std::string(s) + "]";
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "a value";
  }
}

class Loader {
 public:
  explicit Loader(IlldConfig& config) : config_(config) {}

  void set(const ConfigKey& key, const RawValue& raw, const std::string& where, const std::string& origin) {
    if (auto problem = key.assign(config_, raw)) {
      fail(where + ": " + key.dotted() + ": " + *problem);
    } else {
      config_.origin[key.dotted()] = origin;
    }
  }
  void fail(std::string message) { errors_.messages.push_back(std::move(message)); }

  void file(const std::string& path);
  void environment(const std::vector<std::pair<std::string, std::string>>& variables);
  void flags(const std::vector<FlagSetting>& flags);
  void cross_checks();

  ConfigErrors& errors() { return errors_; }

 private:
  std::string origin_of(const std::string& key) const {
    const auto it = config_.origin.find(key);
    return it == config_.origin.end() ? "default" : it->second;
  }
  void check_readable(const std::string& key, const std::string& path);

  IlldConfig& config_;
  ConfigErrors errors_;
};

void Loader::file(const std::string& path) {
  {
    std::ifstream probe(path);
    if (!probe) {
      fail("cannot read the configuration file " + path + ": " + std::strerror(errno));
      return;
    }
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    fail(path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": not valid TOML: " +
         std::string(e.description()));
    return;
  }
  // toml++ keeps keys sorted by name; visit them in file order so that messages come out in
  // the order an operator reads the file.
  struct Entry {
    std::uint32_t line;
    std::string section;
    std::string name;  // empty: the section itself
    const toml::node* node;
  };
  std::vector<Entry> entries;
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    entries.push_back({section_node.source().begin.line, section, "", &section_node});
    if (const auto* table = section_node.as_table()) {
      for (const auto& [name_key, node] : *table) {
        entries.push_back({node.source().begin.line, section, std::string(name_key.str()), &node});
      }
    }
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.line < b.line; });
  const auto& sections = config_sections();
  for (const auto& entry : entries) {
    const std::string at = path + ":" + std::to_string(entry.line);
    const bool known_section = std::find(sections.begin(), sections.end(), entry.section) != sections.end();
    if (entry.name.empty()) {
      if (!entry.node->is_table()) {
        fail(at + ": '" + entry.section + "' is outside any section; keys belong in one of " + all_sections());
      } else if (!known_section) {
        fail(at + ": unknown section [" + entry.section + "]; the sections are " + all_sections());
      }
      continue;
    }
    if (!known_section) continue;  // reported once, for the section
    const ConfigKey* key = find_key(entry.section, entry.name);
    if (key == nullptr) {
      fail(at + ": unknown key '" + entry.name + "' in [" + entry.section + "]; the keys in [" + entry.section +
           "] are: " + keys_in_section(entry.section));
      continue;
    }
    const toml::node& node = *entry.node;
    RawValue raw;
    if (const auto* s = node.as_string()) raw.value = s->get();
    else if (const auto* i = node.as_integer()) raw.value = i->get();
    else if (const auto* d = node.as_floating_point()) raw.value = d->get();
    else if (const auto* b = node.as_boolean()) raw.value = b->get();
    else {
      fail(at + ": " + key->dotted() + ": expected a single value, got " + type_name(node));
      continue;
    }
    set(*key, raw, at, "file " + at);
  }
}

void Loader::environment(const std::vector<std::pair<std::string, std::string>>& variables) {
  // Aliases first, so that the ILLHUB_<SECTION>_<KEY> name, read after, wins.
  for (const auto& alias : kEnvAliases) {
    for (const auto& [name, value] : variables) {
      if (name == alias.variable) {
        set(*find_key(alias.section, alias.name), RawValue{value, true}, "environment " + name, "env " + name);
      }
    }
  }
  for (const auto& [name, value] : variables) {
    bool matched = false;
    for (const auto& key : config_keys()) {
      if (key.env_name() == name) {
        set(key, RawValue{value, true}, "environment " + name, "env " + name);
        matched = true;
      }
    }
    if (matched) continue;
    // ILLHUB_<SECTION>_<anything unknown>: a typo the operator wants to hear about. Other
    // ILLHUB_* names (ILLHUB_DB, ILLHUB_CONFIG, ...) are not configuration keys.
    for (const auto section : config_sections()) {
      std::string prefix = "ILLHUB_";
      for (const char c : section) prefix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      prefix += "_";
      if (name.rfind(prefix, 0) != 0) continue;
      std::string known;
      for (const auto& key : config_keys()) {
        if (key.section == section) known += (known.empty() ? "" : ", ") + key.env_name();
      }
      fail("environment " + name + ": unknown variable; the variables for [" + std::string(section) +
           "] are: " + known);
    }
  }
}

void Loader::flags(const std::vector<FlagSetting>& flags) {
  for (const auto& flag : flags) {
    const std::string where = "flag " + flag.flag + (flag.flag == "--set" ? " " + flag.key + "=" + flag.value : "");
    const auto dot = flag.key.find('.');
    const ConfigKey* key =
        dot == std::string::npos ? nullptr : find_key(flag.key.substr(0, dot), flag.key.substr(dot + 1));
    if (key == nullptr) {
      if (flag.key.empty()) {
        fail("flag " + flag.flag + " '" + flag.value + "': write " + flag.flag + " SECTION.KEY=VALUE");
      } else {
        const std::string section = dot == std::string::npos ? std::string() : flag.key.substr(0, dot);
        const auto keys = keys_in_section(section);
        fail(where + ": unknown key '" + flag.key + "'" +
             (keys.empty() ? "; the sections are " + all_sections() : "; the keys in [" + section + "] are: " + keys));
      }
      continue;
    }
    set(*key, RawValue{flag.value, true}, where, "flag " + flag.flag);
  }
}

void Loader::check_readable(const std::string& key, const std::string& path) {
  if (path.empty()) {
    fail(key + " (" + origin_of(key) + "): needed when tls.listen is set");
  } else if (::access(path.c_str(), R_OK) != 0) {
    fail(key + " = " + toml_quote(path) + " (" + origin_of(key) + "): cannot read it: " + std::strerror(errno));
  }
}

void Loader::cross_checks() {
  const auto& delivery = config_.server.delivery;
  if (delivery.backoff_initial > delivery.backoff_cap) {
    fail("delivery.backoff_initial (" + origin_of("delivery.backoff_initial") +
         ") is longer than delivery.backoff_cap (" + origin_of("delivery.backoff_cap") + ")");
  }
  if (!config_.tls.listen.empty()) {
    // Every TLS client must present a certificate signed by tls.client_ca: no CA, no clients.
    check_readable("tls.certificate", config_.tls.certificate);
    check_readable("tls.private_key", config_.tls.private_key);
    check_readable("tls.client_ca", config_.tls.client_ca);
  }
}

}  // namespace

std::string ConfigErrors::describe() const {
  std::string out;
  for (const auto& m : messages) out += m + "\n";
  return out;
}

Result<IlldConfig, ConfigErrors> load_config(const ConfigSources& sources) {
  IlldConfig config;
  Loader loader(config);
  if (!sources.file.empty()) loader.file(sources.file);
  loader.environment(sources.environment);
  loader.flags(sources.flags);
  if (loader.errors().messages.empty()) loader.cross_checks();
  if (!loader.errors().messages.empty()) return unexpected(std::move(loader.errors()));
  return config;
}

std::vector<std::pair<std::string, std::string>> illhub_environment() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind("ILLHUB_", 0) != 0) continue;
    std::string name = entry.substr(0, eq);
    if (name == "ILLHUB_CONFIG") continue;
    out.emplace_back(std::move(name), entry.substr(eq + 1));
  }
  return out;
}

}  // namespace illhub::illd
