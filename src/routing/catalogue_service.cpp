// CatalogueService: cache first, then a bounded pool of blocking look-ups.
#include "illhub/routing/catalogue_service.hpp"

namespace illhub::routing {

CatalogueService::CatalogueService(Options options, LookupFn lookup, LookupCache::Clock clock)
    : options_(options),
      lookup_(std::move(lookup)),
      cache_(options.cache, std::move(clock)),
      pool_(std::max<std::size_t>(1, options.threads)) {}

CatalogueService::~CatalogueService() { pool_.join(); }

void CatalogueService::submit(const CatalogueTarget& target, const HoldingsQuery& query, Done done) {
  std::string key = LookupCache::key(target, query, options_.lookup);
  if (auto cached = cache_.get(key)) {
    ++cache_hits_;
    cached->from_cache = true;
    done(std::move(*cached));
    return;
  }
  // Claim a slot; give it back if that went over the bound.
  if (pending_.fetch_add(1) >= options_.max_pending) {
    pending_.fetch_sub(1);
    ++overloaded_;
    LookupOutcome outcome;
    outcome.error = LookupError::kOverloaded;
    outcome.reason = "catalogue look-ups overloaded: " + std::to_string(options_.max_pending) +
                     " already in progress";
    done(std::move(outcome));
    return;
  }
  boost::asio::post(pool_, [this, target, query, key = std::move(key), done = std::move(done)] {
    ++lookups_;
    LookupOutcome outcome = lookup_(target, query, options_.lookup);
    cache_.put(key, outcome);
    pending_.fetch_sub(1);
    done(std::move(outcome));
  });
}

std::future<LookupOutcome> CatalogueService::lookup(const CatalogueTarget& target,
                                                    const HoldingsQuery& query) {
  auto promise = std::make_shared<std::promise<LookupOutcome>>();
  auto future = promise->get_future();
  submit(target, query, [promise](LookupOutcome outcome) { promise->set_value(std::move(outcome)); });
  return future;
}

CatalogueService::Stats CatalogueService::stats() const {
  return {lookups_.load(), cache_hits_.load(), overloaded_.load()};
}

}  // namespace illhub::routing
