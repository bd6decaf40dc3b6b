#pragma once
// CatalogueService: live catalogue look-ups without blocking illd's Asio threads. holds() runs
// on a small pool of its own (at most `threads` look-ups at once); at most `max_pending`
// look-ups wait or run, beyond that a look-up is answered kOverloaded at once; the cache is
// consulted first and filled with every found / not-found answer.
//
// From a coroutine on illd's io_context:
//   LookupOutcome o = co_await service.async_holds(target, query, boost::asio::use_awaitable);
// The completion runs on the awaiting coroutine's executor, never on the pool.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "illhub/routing/catalogue_lookup.hpp"
#include "illhub/routing/lookup_cache.hpp"

namespace illhub::routing {

class CatalogueService {
 public:
  struct Options {
    std::size_t threads = 2;       // look-ups running at once (each holds one connection)
    std::size_t max_pending = 64;  // running + queued; beyond it: kOverloaded
    LookupOptions lookup = {};
    LookupCache::Limits cache = {};
  };
  /// The look-up itself; holds() in production, a counting stand-in in unit tests.
  using LookupFn =
      std::function<LookupOutcome(const CatalogueTarget&, const HoldingsQuery&, const LookupOptions&)>;
  using Done = std::function<void(LookupOutcome)>;

  explicit CatalogueService(Options options, LookupFn lookup = holds,
                            LookupCache::Clock clock = [] { return std::chrono::steady_clock::now(); });
  CatalogueService(const CatalogueService&) = delete;
  CatalogueService& operator=(const CatalogueService&) = delete;
  /// Waits for running and queued look-ups (each bounded by the timeout): every `done` runs.
  ~CatalogueService();

  /// Starts a look-up. `done` runs exactly once: on the calling thread, before submit returns,
  /// when the cache answers or the queue is full; otherwise on a pool thread.
  void submit(const CatalogueTarget& target, const HoldingsQuery& query, Done done);

  /// The same, for threads that may block (illctl, tests).
  std::future<LookupOutcome> lookup(const CatalogueTarget& target, const HoldingsQuery& query);

  /// Asio form: completes with void(LookupOutcome) on the token's associated executor (the
  /// coroutine's with use_awaitable), so no caller code runs on the pool.
  /// Target and query are copied: a deferred initiation (use_awaitable) outlives the caller's
  /// temporaries. GCC 12 also mishandles braced temporaries inside a co_await expression
  /// (destroys them twice): name the query in a variable before co_await.
  template <class CompletionToken>
  auto async_holds(CatalogueTarget target, HoldingsQuery query, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(LookupOutcome)>(
        [this](auto handler, const CatalogueTarget& t, const HoldingsQuery& q) {
          auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
          // Done must be copyable; Asio handlers are move-only: share them.
          auto state = std::make_shared<std::pair<decltype(handler), decltype(work)>>(
              std::move(handler), std::move(work));
          submit(t, q, [state](LookupOutcome outcome) {
            auto executor = state->second.get_executor();
            boost::asio::post(executor, [state, outcome = std::move(outcome)]() mutable {
              std::move(state->first)(std::move(outcome));
              state->second.reset();
            });
          });
        },
        token, std::move(target), std::move(query));
  }

  struct Stats {
    std::uint64_t lookups = 0;     // look-ups run against a catalogue
    std::uint64_t cache_hits = 0;  // answered from the cache
    std::uint64_t overloaded = 0;  // refused because max_pending were in progress
  };
  Stats stats() const;

 private:
  Options options_;
  LookupFn lookup_;
  LookupCache cache_;
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::uint64_t> lookups_{0}, cache_hits_{0}, overloaded_{0};
  boost::asio::thread_pool pool_;  // joined in the destructor, while the members above live
};

}  // namespace illhub::routing
