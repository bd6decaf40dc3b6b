#include "illhub/routing/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "illhub/hub/money.hpp"

namespace illhub::routing {
namespace {

bool contains(const std::vector<int>& values, int v) { return std::find(values.begin(), values.end(), v) != values.end(); }

std::string names(const std::vector<int>& values, std::string_view (*name)(int)) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ", ") + std::string(name(v));
  return out;
}

/// Money as people write it: "4.50 EUR".
std::string money(std::int64_t units, const std::string& currency) {
  std::string text = hub::to_decimal_string(units);  // "4.5000"
  if (const auto dot = text.find('.'); dot != std::string::npos && text.size() > dot + 3) text.resize(dot + 3);
  return text + " " + currency;
}

/// Why the library may not be asked, or empty when it may.
std::string exclusion_reason(const RotaRequest& request, const CandidateFacts& c, const std::string& currency) {
  const LibraryPolicy& p = c.policy;
  if (p.symbol == request.borrower) return "is the borrower";
  if (std::find(request.already_tried.begin(), request.already_tried.end(), p.symbol) != request.already_tried.end())
    return "already asked for this request";
  if (!c.peer_enabled) return "peer disabled";
  if (!p.enabled) return "does not lend (policy: enabled = false)";
  if (request.item_type && !contains(p.item_types, *request.item_type))
    return "does not lend " + std::string(item_type_name(*request.item_type)) + " items (lends " +
           names(p.item_types, item_type_name) + ")";
  if (!request.service_types.empty() &&
      std::none_of(request.service_types.begin(), request.service_types.end(),
                   [&](int s) { return contains(p.services, s); }))
    return "offers " + names(p.services, service_name) + "; the borrower accepts " +
           names(request.service_types, service_name);
  if (p.charge > 0 && !request.borrower_accepts_charges)
    return "charges " + money(p.charge, currency) + "; the request accepts no charge";
  if (c.in_hand >= p.max_in_hand)
    return "has " + std::to_string(c.in_hand) + " requests in hand (its limit is " + std::to_string(p.max_in_hand) + ")";
  return {};
}

struct Placed {
  CandidateFacts facts;
  int tier = 0;            // 1 local, 2 regional, 3 national centre
  int distance = 0;        // within tier 2: 0 the borrower's own region, 1 another
  std::int64_t band = 0;
  double load = 0;
};

Placed place(CandidateFacts c, const LibraryPolicy& borrower, const ConsortiumRules& rules) {
  Placed p;
  const bool same_region = !borrower.region.empty() && c.policy.region == borrower.region;
  if (c.policy.role == Role::kNationalCentre) p.tier = 3;
  else if (c.policy.role == Role::kMember && same_region) p.tier = 1;
  else p.tier = 2;
  p.distance = same_region ? 0 : 1;
  p.load = load_of(c);
  p.band = static_cast<std::int64_t>(std::floor(p.load / rules.load_band));
  p.facts = std::move(c);
  return p;
}

std::string reason_for(const Placed& p, const LibraryPolicy& borrower, const ConsortiumRules& rules) {
  const LibraryPolicy& lib = p.facts.policy;
  std::string tier;
  if (p.tier == 1) tier = "tier 1 (local: region " + lib.region + ")";
  else if (p.tier == 3) tier = "tier 3 (national centre)";
  else if (lib.role == Role::kRegionalCentre)
    tier = "tier 2 (regional centre" + (lib.region.empty() ? std::string() : " of " + lib.region) +
           (p.distance == 0 ? ", the borrower's region)" : ")");
  else
    tier = "tier 2 (regional: " + (lib.region.empty() ? std::string("no region") : "region " + lib.region) +
           (borrower.region.empty() ? "" : ", borrower in " + borrower.region) + ")";
  char load[160];
  std::snprintf(load, sizeof load, "load %.2f (lent %lld + %lld in hand, borrowed %lld)", p.load,
                static_cast<long long>(p.facts.lent), static_cast<long long>(p.facts.in_hand),
                static_cast<long long>(p.facts.borrowed));
  return tier + "; holds " + p.facts.matched_by + "; " + load + "; charge " + money(lib.charge, rules.currency) +
         "; loan " + std::to_string(lib.loan_period_days) + " days";
}

}  // namespace

double load_of(const CandidateFacts& c) {
  return static_cast<double>(c.lent + c.in_hand + 1) / static_cast<double>(c.borrowed + 1);
}

RankedRota rank_candidates(const RotaRequest& request, const LendingPolicy& policy,
                           std::vector<CandidateFacts> candidates) {
  RankedRota out;
  out.rota.policy_version = policy.version;
  const LibraryPolicy borrower = policy.for_library(request.borrower);
  std::vector<Placed> placed;
  for (CandidateFacts& c : candidates) {
    std::string why = exclusion_reason(request, c, policy.rules.currency);
    if (!why.empty()) out.excluded.push_back({c.policy.symbol, std::move(why)});
    else placed.push_back(place(std::move(c), borrower, policy.rules));
  }
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return std::tie(a.tier, a.distance, a.band, a.facts.policy.charge, a.load, a.facts.in_hand, a.facts.policy.symbol) <
           std::tie(b.tier, b.distance, b.band, b.facts.policy.charge, b.load, b.facts.in_hand, b.facts.policy.symbol);
  });
  for (const Placed& p : placed) out.rota.lenders.push_back({p.facts.policy.symbol, reason_for(p, borrower, policy.rules)});
  std::sort(out.excluded.begin(), out.excluded.end(), [](const Exclusion& a, const Exclusion& b) { return a.lender < b.lender; });
  return out;
}

}  // namespace illhub::routing
