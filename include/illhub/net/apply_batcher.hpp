#pragma once
// ApplyBatcher: group commit for illd's sessions (docs/NET.md, "Group commit"). A session
// hands over its APDU and waits. At most `writers` database threads at a time take the APDUs
// waiting (up to `max_batch` each time) and apply them with one COMMIT
// (store::TransactionStore::apply_batch). Nothing waits for a batch to fill: under light load
// a batch is the one APDU there is, applied at once; under load the APDUs that arrive while
// every writer is busy share the next COMMIT, which spreads the database's cost of a commit.
// Each session still hears of its APDU only after the COMMIT that holds it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "illhub/codec/apdu.hpp"
#include "illhub/net/metrics.hpp"
#include "illhub/net/options.hpp"
#include "illhub/store/transaction_store.hpp"

namespace illhub::net {

namespace asio = boost::asio;

class ApplyBatcher {
 public:
  using Applied = Result<store::ApplyResult, store::StoreError>;
  /// Hands a result back to one waiting session, on its own executor.
  class Completion {
   public:
    virtual ~Completion() = default;
    virtual void complete(Applied&& result) = 0;
  };

  /// `db_threads`, `store` and `metrics` must outlive the batcher; every apply() must have
  /// completed before it is destroyed (join `db_threads` first).
  ApplyBatcher(asio::thread_pool& db_threads, store::TransactionStore& store, Metrics& metrics,
               ApplyBatchOptions options);
  ApplyBatcher(const ApplyBatcher&) = delete;
  ApplyBatcher& operator=(const ApplyBatcher&) = delete;

  /// Applies `apdu` from a connection speaking for `sender`; the result comes back on the
  /// caller's executor once the batch it was in has committed (or failed). Like run_blocking,
  /// the apply runs to its end even if the caller is cancelled.
  asio::awaitable<Applied> apply(std::shared_ptr<const codec::Apdu> apdu, std::string sender);

 private:
  struct Waiting {
    std::shared_ptr<const codec::Apdu> apdu;
    std::string sender;
    std::unique_ptr<Completion> done;
  };

  void enqueue(Waiting waiting);
  /// One batch, on a database thread; then the writer goes on (posted again) while APDUs wait.
  void write_batch();

  asio::thread_pool& db_threads_;
  store::TransactionStore& store_;
  Metrics& metrics_;
  const ApplyBatchOptions options_;
  std::mutex mutex_;
  std::deque<Waiting> waiting_;
  std::size_t writers_running_ = 0;
};

}  // namespace illhub::net
