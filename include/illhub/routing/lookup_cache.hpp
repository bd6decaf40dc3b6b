#pragma once
// LookupCache: remembers catalogue answers so that a burst of requests for the same item asks
// each library's catalogue once. "Found" and "not found" are kept for their own TTLs (holdings
// change slowly; a miss is kept shorter, since a new acquisition should show up soon); errors
// are never kept, so the next request tries again. Least recently used entries go first when
// the cache is full. Thread-safe (one mutex; entries are small and operations O(1)).

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "illhub/routing/catalogue_lookup.hpp"

namespace illhub::routing {

class LookupCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  /// Injectable so tests move time without sleeping.
  using Clock = std::function<TimePoint()>;

  struct Limits {
    std::size_t max_entries = 10000;
    std::chrono::seconds found_ttl{6 * 3600};
    std::chrono::seconds not_found_ttl{30 * 60};
  };

  explicit LookupCache(Limits limits, Clock clock = [] { return std::chrono::steady_clock::now(); });

  /// The key of a look-up: the target as configured and the normalised searches it means, so
  /// "978-0-13-110362-7" and "9780131103627" share an entry.
  static std::string key(const CatalogueTarget& target, const HoldingsQuery& query,
                         const LookupOptions& options);

  /// The kept answer, unless absent or expired (an expired entry is dropped).
  std::optional<LookupOutcome> get(const std::string& key);
  /// Keeps a found or not-found outcome; ignores errors. Evicts the least recently used entry
  /// when full. max_entries 0 keeps nothing.
  void put(const std::string& key, const LookupOutcome& outcome);
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    LookupOutcome outcome;
    TimePoint expires;
  };
  using Order = std::list<Entry>;  // most recently used first

  Limits limits_;
  Clock clock_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string, Order::iterator> index_;
};

}  // namespace illhub::routing
