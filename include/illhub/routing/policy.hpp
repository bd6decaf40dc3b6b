#pragma once
// The consortium's lending policy: one reviewed TOML file (docs/ROUTING-PLANNER.md,
// docs/lending-policy.example.toml) with the consortium's rules, the defaults every library
// gets, and a section per library that lends differently or sits in a region. Parsing is
// pure; policy_store.hpp keeps versions of it in the database.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::routing {

/// A library's place in the three tiers: members lend within their region first; regional
/// centres and other regions come next; the national centre is asked last.
enum class Role { kMember, kRegionalCentre, kNationalCentre };

/// One library's lending policy, the defaults already applied.
struct LibraryPolicy {
  std::string symbol;              // empty in the defaults
  std::string region;              // empty: in no region (never anybody's tier 1)
  std::string catalogue;           // live catalogue target (catalogue_target.hpp); empty: none
  Role role = Role::kMember;
  std::vector<int> item_types{1, 2, 3};  // ISO 10161 Item-Type: 1 monograph, 2 serial, 3 other
  std::vector<int> services{1, 2};       // ILL-Service-Type: 1 loan, 2 copy-non-returnable, ...
  int loan_period_days = 28;
  std::int64_t charge = 0;         // ten-thousandths of the consortium's currency per request
  int max_in_hand = 50;            // no new request while this many are in hand
  bool enabled = true;             // false: never asked to lend
};

/// The consortium-wide rules.
struct ConsortiumRules {
  std::string name;
  std::string currency = "EUR";    // every charge is in this currency (ISO 4217)
  int load_window_days = 365;      // lend and borrow counts look back this far
  double load_band = 0.25;         // loads closer than this are equal, so the cheaper goes first
};

struct LendingPolicy {
  std::int64_t version = 0;        // the database version it was loaded as; 0 before loading
  ConsortiumRules rules;
  LibraryPolicy defaults;
  std::vector<LibraryPolicy> libraries;  // in file order

  /// The library's own section, or the defaults under its symbol.
  LibraryPolicy for_library(std::string_view symbol) const;
};

/// Parses and checks a policy file. `source_name` prefixes every message
/// ("policy.toml:12: libraries.\"IRL:DUB\".charge: ..."). Errors: every problem found, in
/// file order: not TOML, unknown sections or keys, wrong types, unknown item types or
/// services, amounts that are not decimals, counts that are not positive, no currency.
Result<LendingPolicy, std::vector<std::string>> parse_policy(std::string_view text,
                                                           std::string_view source_name);

std::string_view to_string(Role role);        // "member", "regional-centre", "national-centre"
std::optional<Role> role_from_name(std::string_view name);
std::string_view item_type_name(int item_type);  // "monograph", "serial", "other", "?"
std::optional<int> item_type_from_name(std::string_view name);
std::string_view service_name(int service);      // "loan", "copy-non-returnable", ...
std::optional<int> service_from_name(std::string_view name);

}  // namespace illhub::routing
