// ApplyBatcher: see apply_batcher.hpp.
#include "illhub/net/apply_batcher.hpp"

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <utility>
#include <vector>

namespace illhub::net {

namespace {

/// The waiting coroutine's completion handler, and its executor kept busy until it is called.
template <class Handler>
class PostToHome : public ApplyBatcher::Completion {
 public:
  explicit PostToHome(Handler handler)
      : handler_(std::move(handler)), home_(asio::make_work_guard(asio::get_associated_executor(handler_))) {}
  void complete(ApplyBatcher::Applied&& result) override {
    asio::post(home_.get_executor(), [handler = std::move(handler_), result = std::move(result)]() mutable {
      std::move(handler)(std::move(result));
    });
    home_.reset();
  }

 private:
  Handler handler_;
  asio::executor_work_guard<asio::associated_executor_t<Handler>> home_;
};

}  // namespace

ApplyBatcher::ApplyBatcher(asio::thread_pool& db_threads, store::TransactionStore& store, Metrics& metrics,
                           ApplyBatchOptions options)
    : db_threads_(db_threads), store_(store), metrics_(metrics), options_(options) {}

asio::awaitable<ApplyBatcher::Applied> ApplyBatcher::apply(std::shared_ptr<const codec::Apdu> apdu,
                                                           std::string sender) {
  // Not a coroutine itself (see run_blocking): it returns the awaitable async_initiate makes.
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Applied)>(
      [this](auto handler, std::shared_ptr<const codec::Apdu> the_apdu, std::string the_sender) {
        using Handler = decltype(handler);
        enqueue(Waiting{std::move(the_apdu), std::move(the_sender),
                        std::make_unique<PostToHome<Handler>>(std::move(handler))});
      },
      asio::use_awaitable, std::move(apdu), std::move(sender));
}

void ApplyBatcher::enqueue(Waiting waiting) {
  bool start_writer = false;
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(waiting));
    if (writers_running_ < std::max<std::size_t>(options_.writers, 1)) {
      ++writers_running_;
      start_writer = true;
    }
  }
  // Otherwise a running writer takes it with the next batch.
  if (start_writer) asio::post(db_threads_, [this] { write_batch(); });
}

void ApplyBatcher::write_batch() {
  std::vector<Waiting> batch;
  {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(std::max<std::size_t>(options_.max_batch, 1), waiting_.size());
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
  }
  if (!batch.empty()) {
    std::vector<store::BatchItem> items;
    items.reserve(batch.size());
    for (const Waiting& w : batch) items.push_back(store::BatchItem{w.apdu.get(), w.sender});

    const auto started = std::chrono::steady_clock::now();
    std::vector<Applied> results = store_.apply_batch(items);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.commit_batch_size.observe(static_cast<double>(batch.size()));
    for (std::size_t i = 0; i < batch.size(); ++i) {
      metrics_.commit_latency.observe(seconds);
      batch[i].done->complete(std::move(results[i]));
    }
  }
  // More waiting: the next batch goes to the back of the pool's queue, so deliveries and
  // other database calls posted meanwhile are not kept waiting behind a stream of batches.
  {
    std::lock_guard lock(mutex_);
    if (waiting_.empty()) {
      --writers_running_;
      return;
    }
  }
  asio::post(db_threads_, [this] { write_batch(); });
}

}  // namespace illhub::net
