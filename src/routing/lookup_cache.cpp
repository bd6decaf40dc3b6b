// LookupCache: an LRU list with an index, one mutex, TTL per kind of answer.
#include "illhub/routing/lookup_cache.hpp"

namespace illhub::routing {

LookupCache::LookupCache(Limits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}

std::string LookupCache::key(const CatalogueTarget& target, const HoldingsQuery& query,
                             const LookupOptions& options) {
  std::string key = target.spec;
  for (const auto& search : plan_searches(query, options.title_fallback)) {
    key += '\n' + search.matched_by + '=' + search.term;
  }
  return key;
}

std::optional<LookupOutcome> LookupCache::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  if (clock_() >= found->second->expires) {
    order_.erase(found->second);
    index_.erase(found);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, found->second);
  return found->second->outcome;
}

void LookupCache::put(const std::string& key, const LookupOutcome& outcome) {
  if (outcome.status == LookupStatus::kError || limits_.max_entries == 0) return;
  const auto ttl = outcome.status == LookupStatus::kFound ? limits_.found_ttl : limits_.not_found_ttl;
  std::lock_guard lock(mutex_);
  const auto expires = clock_() + ttl;
  if (auto found = index_.find(key); found != index_.end()) {
    found->second->outcome = outcome;
    found->second->expires = expires;
    order_.splice(order_.begin(), order_, found->second);
    return;
  }
  if (order_.size() >= limits_.max_entries) {
    index_.erase(order_.back().key);
    order_.pop_back();
  }
  order_.push_front({key, outcome, expires});
  index_.emplace(key, order_.begin());
}

std::size_t LookupCache::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace illhub::routing
