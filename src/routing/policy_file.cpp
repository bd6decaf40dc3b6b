// parse_policy: the lending-policy TOML file into a LendingPolicy, with a message naming the
// line and key of every problem. toml++ throws on a syntax error; that stays inside here.
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <utility>

#include "illhub/hub/money.hpp"
#include "illhub/routing/catalogue_target.hpp"
#include "illhub/routing/policy.hpp"

namespace illhub::routing {
namespace {

constexpr std::array<std::string_view, 3> kRoleNames = {"member", "regional-centre", "national-centre"};
constexpr std::array<std::string_view, 3> kItemTypeNames = {"monograph", "serial", "other"};
constexpr std::array<std::string_view, 5> kServiceNames = {"loan", "copy-non-returnable", "locations", "estimate",
                                                           "responder-specific"};

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "a list";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

class PolicyParser {
 public:
  explicit PolicyParser(std::string_view source) : source_(source) {}

  void parse(const toml::table& root, LendingPolicy& policy) {
    bool currency_seen = false;
    for (const auto& [key, node] : root) {
      const std::string name(key.str());
      const toml::table* table = node.as_table();
      if (name != "consortium" && name != "defaults" && name != "libraries") {
        error(node, name, "unknown section; the sections are [consortium], [defaults] and [libraries.\"SYMBOL\"]");
      } else if (table == nullptr) {
        error(node, name, "must be a section ([" + name + "]), not " + type_name(node));
      } else if (name == "consortium") {
        currency_seen = consortium(*table, policy.rules);
      } else if (name == "defaults") {
        library(*table, "defaults", policy.defaults, false);
      }
    }
    if (!currency_seen) errors_.push_back({0, source_ + ": consortium.currency: missing; every charge is in this currency (e.g. \"EUR\")"});
    // Libraries after the defaults, whatever the file order: each starts from the defaults.
    if (const toml::table* libraries = root["libraries"].as_table()) {
      for (const auto& [key, node] : *libraries) {
        const std::string symbol(key.str());
        const std::string path = "libraries.\"" + symbol + "\"";
        const toml::table* table = node.as_table();
        if (table == nullptr) {
          error(node, path, "must be a section ([" + path + "]) with the library's keys, not " + type_name(node));
          continue;
        }
        if (symbol.empty()) {
          error(node, path, "a library's symbol is empty");
          continue;
        }
        LibraryPolicy lib = policy.defaults;
        lib.symbol = symbol;
        library(*table, path, lib, true);
        policy.libraries.push_back(std::move(lib));
      }
      std::stable_sort(policy.libraries.begin(), policy.libraries.end(), [&](const auto& a, const auto& b) {
        return line_of(*libraries, a.symbol) < line_of(*libraries, b.symbol);
      });
    }
  }

  std::vector<std::string> errors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (auto& e : errors_) out.push_back(std::move(e.second));
    return out;
  }

 private:
  static std::uint32_t line_of(const toml::table& t, const std::string& key) {
    const toml::node* n = t.get(key);
    return n ? n->source().begin.line : 0;
  }

  void error(const toml::node& node, const std::string& key, const std::string& message) {
    const std::uint32_t line = node.source().begin.line;
    errors_.push_back({line, source_ + ":" + std::to_string(line) + ": " + key + ": " + message});
  }

  bool consortium(const toml::table& t, ConsortiumRules& rules) {
    bool currency_seen = false;
    for (const auto& [key, node] : t) {
      const std::string name(key.str());
      const std::string path = "consortium." + name;
      if (name == "name") {
        if (auto s = node.value<std::string>(); s && node.is_string()) rules.name = *s;
        else error(node, path, "expected a string, got " + type_name(node));
      } else if (name == "currency") {
        currency_seen = true;
        const auto s = node.value<std::string>();
        if (!node.is_string() || !s || s->size() != 3 ||
            !std::all_of(s->begin(), s->end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
          error(node, path, "expected an ISO 4217 code of three capital letters, such as \"EUR\"");
        else rules.currency = *s;
      } else if (name == "load_window_days") {
        positive(node, path, rules.load_window_days);
      } else if (name == "load_band") {
        const auto v = node.value<double>();
        if ((!node.is_floating_point() && !node.is_integer()) || !v || !(*v > 0) || !std::isfinite(*v))
          error(node, path, "expected a number greater than 0, such as 0.25");
        else rules.load_band = *v;
      } else {
        error(node, path, "unknown key; [consortium] has name, currency, load_window_days, load_band");
      }
    }
    return currency_seen;
  }

  void library(const toml::table& t, const std::string& at, LibraryPolicy& lib, bool is_library) {
    for (const auto& [key, node] : t) {
      const std::string name(key.str());
      const std::string path = at + "." + name;
      if (name == "region" && is_library) {
        if (node.is_string()) lib.region = *node.value<std::string>();
        else error(node, path, "expected a string, got " + type_name(node));
      } else if (name == "catalogue" && is_library) {
        if (!node.is_string()) {
          error(node, path, "expected a string, got " + type_name(node));
        } else if (auto target = parse_catalogue_target(*node.value<std::string>()); !target) {
          error(node, path, target.error());
        } else {
          lib.catalogue = *node.value<std::string>();
        }
      } else if (name == "role") {
        const auto s = node.value<std::string>();
        const auto role = node.is_string() && s ? role_from_name(*s) : std::nullopt;
        if (!role) error(node, path, "expected one of " + joined(kRoleNames));
        else lib.role = *role;
      } else if (name == "item_types") {
        names_list(node, path, kItemTypeNames, lib.item_types);
      } else if (name == "services") {
        names_list(node, path, kServiceNames, lib.services);
      } else if (name == "loan_period_days") {
        positive(node, path, lib.loan_period_days);
      } else if (name == "max_in_hand") {
        positive(node, path, lib.max_in_hand);
      } else if (name == "charge") {
        charge(node, path, lib.charge);
      } else if (name == "enabled") {
        if (node.is_boolean()) lib.enabled = *node.value<bool>();
        else error(node, path, "expected true or false, got " + type_name(node));
      } else {
        error(node, path,
              std::string("unknown key; ") + (is_library ? "a library's section has region, catalogue, " : "[defaults] has ") +
                  "role, item_types, services, loan_period_days, charge, max_in_hand, enabled");
      }
    }
  }

  void positive(const toml::node& node, const std::string& path, int& out) {
    const auto v = node.value<std::int64_t>();
    if (!node.is_integer() || !v || *v <= 0 || *v > 1'000'000)
      error(node, path, "expected a whole number from 1 to 1000000, got " +
                            (node.is_integer() ? std::to_string(*v) : type_name(node)));
    else out = static_cast<int>(*v);
  }

  void charge(const toml::node& node, const std::string& path, std::int64_t& out) {
    std::string text;
    if (node.is_string()) text = *node.value<std::string>();
    else if (node.is_integer()) text = std::to_string(*node.value<std::int64_t>());
    else {
      error(node, path, "expected an amount as a string such as \"4.50\" (not " + type_name(node) +
                            ": fractions of money are not floating point)");
      return;
    }
    auto units = hub::parse_decimal(text);
    if (!units) error(node, path, "expected an amount such as \"4.50\": " + units.error());
    else if (*units < 0) error(node, path, "a charge cannot be negative");
    else out = *units;
  }

  template <std::size_t N>
  void names_list(const toml::node& node, const std::string& path, const std::array<std::string_view, N>& names,
                  std::vector<int>& out) {
    const toml::array* list = node.as_array();
    if (list == nullptr) {
      error(node, path, "expected a list of names such as [\"" + std::string(names[0]) + "\"], got " + type_name(node));
      return;
    }
    std::vector<int> values;
    for (const toml::node& item : *list) {
      const auto s = item.value<std::string>();
      const auto found = item.is_string() && s ? std::find(names.begin(), names.end(), *s) : names.end();
      if (found == names.end()) {
        error(item, path, "unknown name " + (s ? "\"" + *s + "\"" : type_name(item)) + "; the names are " + joined(names));
        return;
      }
      const int value = static_cast<int>(found - names.begin()) + 1;
      if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
    }
    if (values.empty()) {
      error(node, path, "the list is empty; a library that lends nothing has enabled = false");
      return;
    }
    std::sort(values.begin(), values.end());
    out = std::move(values);
  }

  std::string source_;
  std::vector<std::pair<std::uint32_t, std::string>> errors_;
};

}  // namespace

LibraryPolicy LendingPolicy::for_library(std::string_view symbol) const {
  for (const LibraryPolicy& lib : libraries)
    if (lib.symbol == symbol) return lib;
  LibraryPolicy lib = defaults;
  lib.symbol = std::string(symbol);
  return lib;
}

Result<LendingPolicy, std::vector<std::string>> parse_policy(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return unexpected(std::vector<std::string>{std::string(source_name) + ":" + std::to_string(at.line) + ":" +
                                               std::to_string(at.column) + ": not valid TOML: " +
                                               std::string(e.description())});
  }
  LendingPolicy policy;
  PolicyParser parser(source_name);
  parser.parse(root, policy);
  std::vector<std::string> errors = parser.errors();
  if (!errors.empty()) return unexpected(std::move(errors));
  return policy;
}

std::string_view to_string(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::optional<Role> role_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  return std::nullopt;
}

std::string_view item_type_name(int item_type) {
  return item_type >= 1 && item_type <= 3 ? kItemTypeNames[static_cast<std::size_t>(item_type - 1)] : "?";
}

std::optional<int> item_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kItemTypeNames.size(); ++i)
    if (kItemTypeNames[i] == name) return static_cast<int>(i) + 1;
  return std::nullopt;
}

std::string_view service_name(int service) {
  return service >= 1 && service <= 5 ? kServiceNames[static_cast<std::size_t>(service - 1)] : "?";
}

std::optional<int> service_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kServiceNames.size(); ++i)
    if (kServiceNames[i] == name) return static_cast<int>(i) + 1;
  return std::nullopt;
}

}  // namespace illhub::routing
