// TransactionStore::apply_batch: group commit. Several APDUs from different connections are
// decided and written in one database transaction, so they share one COMMIT (and PostgreSQL
// sends their identical notifications once). See transaction_store.hpp.
#include <algorithm>
#include <numeric>
#include <tuple>

#include "illhub/store/transaction.hpp"
#include "illhub/store/transaction_store.hpp"

namespace illhub::store {
namespace {

constexpr int kMaxAttemptsInBatch = 8;

bool key_less(const TransactionKey& a, const TransactionKey& b) {
  return std::tie(a.initial_requester, a.group_qualifier, a.qualifier, a.sub_qualifier) <
         std::tie(b.initial_requester, b.group_qualifier, b.qualifier, b.sub_qualifier);
}

}  // namespace

std::vector<Result<ApplyResult, StoreError>> TransactionStore::apply_batch(std::span<const BatchItem> items) {
  std::vector<Result<ApplyResult, StoreError>> results(
      items.size(), Result<ApplyResult, StoreError>(unexpected(make_error(StoreError::Kind::kOther, "not applied"))));
  if (items.size() == 1) {
    results[0] = apply(*items[0].apdu, items[0].sender_symbol);
    return results;
  }

  std::vector<codec::Envelope> envelopes;
  std::vector<TransactionKey> keys;
  envelopes.reserve(items.size());
  keys.reserve(items.size());
  for (const BatchItem& item : items) {
    envelopes.push_back(codec::read_envelope(*item.apdu));
    keys.push_back(key_of(envelopes.back()));
  }
  // Rows are locked in key order, the same in every batch, so two batches never wait for
  // each other in a circle (a deadlock costs PostgreSQL's deadlock_timeout, a second).
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key_less(keys[a], keys[b]); });

  std::vector<std::size_t> solo;    // left to apply() after the batch (the intermediary's)
  bool batch_failed = false;
  bool maybe_committed = false;     // the COMMIT's answer was lost
  {
    auto lease = pool_.acquire();
    std::optional<Transaction> tx;
    if (lease) {
      auto begun = Transaction::begin(**lease);
      if (begun) tx.emplace(std::move(*begun));
    }
    batch_failed = !tx;
    // The intermediary's steps need a transaction of their own: with it, one APDU at a time.
    std::vector<std::optional<ApplyResult>> decided(items.size());
    if (!batch_failed && !intermediary_ && pipelined_)
      batch_failed = !pipelined_pass(**lease, items, envelopes, keys, order, decided);
    for (std::size_t i : order) {
      if (batch_failed) break;
      if (decided[i]) {
        results[i] = std::move(*decided[i]);
        continue;
      }
      ApplyResult out;
      StoreError error;
      Step step = Step::kRerun;
      for (out.attempts = 1; out.attempts <= kMaxAttemptsInBatch && step == Step::kRerun; ++out.attempts)
        step = attempt(**lease, *items[i].apdu, envelopes[i], keys[i], items[i].sender_symbol, false, true, out, error);
      if (step == Step::kDone) {
        --out.attempts;  // the loop counted one past the last try
        results[i] = std::move(out);
      } else if (step == Step::kSolo) {
        solo.push_back(i);
      } else {
        batch_failed = true;  // kFailed, or still conflicting after every rerun
      }
    }
    if (!batch_failed) {
      auto committed = tx->commit();
      if (!committed) {
        batch_failed = true;
        maybe_committed = committed.error().kind == StoreError::Kind::kCommitOutcomeUnknown;
      }
    }
  }  // a failed batch is rolled back here, and its connection given back

  if (batch_failed) {
    // One at a time: whatever failed the batch now fails (or is retried) alone.
    for (std::size_t i = 0; i < items.size(); ++i)
      results[i] = apply(*items[i].apdu, items[i].sender_symbol, maybe_committed);
    return results;
  }
  for (std::size_t i : solo) results[i] = apply(*items[i].apdu, items[i].sender_symbol);
  return results;
}

}  // namespace illhub::store
