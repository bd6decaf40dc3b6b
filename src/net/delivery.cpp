// Delivery: outbox rows to their recipients. See include/illhub/net/delivery.hpp.
#include "illhub/net/delivery.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/blocking.hpp"

namespace illhub::net {

Delivery::Delivery(asio::any_io_executor executor, asio::thread_pool& db_threads, OutboxStore& outbox,
                   PeerDirectory& peers, SessionRegistry& sessions, Metrics& metrics, DeliveryOptions options,
                   Dialler dial)
    : executor_(std::move(executor)),
      db_threads_(db_threads),
      outbox_(outbox),
      peers_(peers),
      sessions_(sessions),
      metrics_(metrics),
      options_(options),
      dial_(std::move(dial)),
      sweep_timer_(executor_),
      marks_(executor_, db_threads_, outbox_, options_.mark_retry) {}

void Delivery::wake(const std::string& recipient) {
  if (stopping_ || recipient.empty()) return;
  auto it = running_.find(recipient);
  if (it != running_.end()) {
    it->second.woken = true;  // the running pump takes another round
    return;
  }
  running_[recipient].woken = true;
  asio::co_spawn(executor_, pump(recipient), asio::detached);
}

void Delivery::hand(const std::string& recipient, OutboxRow row) {
  if (stopping_ || recipient.empty()) return;
  const bool start = !running_.contains(recipient);
  running_[recipient].handed.push_back(Handed{std::move(row), std::chrono::steady_clock::now()});
  if (start) asio::co_spawn(executor_, pump(recipient), asio::detached);
}

void Delivery::stop() {
  stopping_ = true;
  sweep_timer_.cancel();
  marks_.stop();
}

void Delivery::sweep_now() {
  if (!stopping_) asio::co_spawn(executor_, sweep_once(), asio::detached);
}

asio::awaitable<void> Delivery::sweeper() {
  while (!stopping_) {
    co_await sweep_once();
    sweep_timer_.expires_after(options_.sweep_interval);
    co_await sweep_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Delivery::sweep_once() {
  OutboxStore& outbox = outbox_;
  auto due_call = [&outbox] { return outbox.due_recipients(); };
  auto due = co_await run_blocking(db_threads_, due_call);
  if (!due) {
    spdlog::warn("delivery: cannot look for due outbox rows: {}", due.error().describe());
    co_return;
  }
  for (const auto& r : *due) {
    // A 'connection' peer connected to another node is that node's to serve.
    if (r.dial || sessions_.find(r.symbol)) wake(r.symbol);
  }
}

asio::awaitable<void> Delivery::pump(std::string recipient) {
  PeerDirectory& peers = peers_;
  OutboxStore& outbox = outbox_;
  for (;;) {
    if (stopping_) break;
    // Handed rows first. The write statement birthed each only when its transaction had no
    // other pending row for this recipient, and a born-claimed row (leased) holds back every
    // later row in the claims below until it is marked: a handed row overtakes no older row
    // of its transaction, and no later one overtakes it.
    if (!running_[recipient].handed.empty()) {
      if (!co_await send_handed(recipient)) break;
      continue;
    }
    if (!running_[recipient].woken) break;
    running_[recipient].woken = false;
    // Route: the recipient's own connection to this node, else dial it if it wants that.
    std::shared_ptr<Session> session = sessions_.find(recipient);
    std::string endpoint;
    if (!session) {
      auto peer_call = [&peers, recipient] { return peers.find(recipient); };
      auto peer = co_await run_blocking(db_threads_, peer_call);
      if (!peer) {
        spdlog::warn("delivery to {}: cannot read its peer entry: {}", recipient, peer.error().describe());
        break;
      }
      if (!*peer || !(*peer)->enabled || !(*peer)->dial || (*peer)->endpoint.empty()) break;  // wait for it to connect
      endpoint = (*peer)->endpoint;
    }
    auto claimed_call = [&outbox, recipient] { return outbox.claim(recipient); };
    auto claimed = co_await run_blocking(db_threads_, claimed_call);
    if (!claimed) {
      spdlog::warn("delivery to {}: cannot claim outbox rows: {}", recipient, claimed.error().describe());
      break;
    }
    std::vector<OutboxRow> rows = std::move(*claimed);
    const auto claimed_at = std::chrono::steady_clock::now();
    if (rows.empty()) {
      // A row handed while this claim ran may be what held the claim back (a born-claimed row
      // is leased): claim again once it is marked. Otherwise the pump ends unless woken.
      if (!running_[recipient].handed.empty()) running_[recipient].woken = true;
      continue;
    }
    std::string error;
    if (!session || session->closed()) {
      if (endpoint.empty()) {
        error = "connection closed";
      } else {
        session = co_await dial_(recipient, endpoint, error);
      }
    }
    if (!co_await send_rows(recipient, session, rows, error, claimed_at)) break;  // the sweep retries
    // A short batch took everything that was due; a row accepted since then woke this pump
    // (woken is set by wake: on this node directly, from other nodes by NOTIFY), so look
    // again only then. A full batch may have left rows behind: claim again (rows accepted
    // while these were being sent need no new wake).
    if (static_cast<int>(rows.size()) >= options_.batch) running_[recipient].woken = true;
  }
  // Handed rows not sent (the pump stopped on a failure or for stop()): give them back, due
  // at once, so the sweep or another node delivers them instead of waiting out the lease.
  for (int round = 0; round < 16; ++round) {
    std::deque<Handed> left = std::move(running_[recipient].handed);
    running_[recipient].handed.clear();
    if (left.empty()) break;
    std::vector<std::int64_t> ids;
    for (const Handed& h : left) ids.push_back(h.row.id);
    co_await release(std::move(ids));
  }
  running_.erase(recipient);
}

asio::awaitable<bool> Delivery::send_handed(const std::string& recipient) {
  std::deque<Handed> handed = std::move(running_[recipient].handed);
  running_[recipient].handed.clear();
  const auto now = std::chrono::steady_clock::now();
  std::vector<OutboxRow> rows;
  for (Handed& h : handed) {
    // Accepted (COMMIT) → handed is a moment; handed → taken up here counts as the wait.
    h.row.age_at_claim_seconds = std::chrono::duration<double>(now - h.at).count();
    rows.push_back(std::move(h.row));
  }
  std::shared_ptr<Session> session = sessions_.find(recipient);
  if (!session) {
    // Its connection closed after the apply asked: the rows go back, due, without an attempt
    // counted, to the claim path (which dials a 'dial' peer or waits for it to connect).
    std::vector<std::int64_t> ids;
    for (const OutboxRow& row : rows) ids.push_back(row.id);
    co_await release(std::move(ids));
    running_[recipient].woken = true;
    co_return true;
  }
  co_return co_await send_rows(recipient, std::move(session), rows, std::string(), now);
}

asio::awaitable<bool> Delivery::send_rows(const std::string& recipient, std::shared_ptr<Session> session,
                                          const std::vector<OutboxRow>& rows, std::string error,
                                          std::chrono::steady_clock::time_point obtained_at) {
  OutboxStore& outbox = outbox_;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const OutboxRow& row = rows[i];
    if (session && error.empty()) {
      const auto ec = co_await session->deliver(row.apdu);
      if (!ec) {
        // Acceptance → claim on the database's clock, claim → written on ours.
        const std::chrono::duration<double> since_claim = std::chrono::steady_clock::now() - obtained_at;
        metrics_.delivery_latency.observe(row.age_at_claim_seconds + since_claim.count());
        metrics_.deliveries.inc({std::string(to_string(DeliveryResult::kDelivered))});
        const bool marked = co_await marks_.mark(row.id);
        if (marked) {
          spdlog::info("delivery: outbox {} ({} bytes) delivered to {} on connection {}", row.id,
                       row.apdu.size(), recipient, session->describe());
        } else {
          // Sent but not marked: the lease runs out and it is sent again (at-least-once;
          // the recipient sees the same APDU, recognisable by its service date-time).
          spdlog::error("delivery: outbox {} delivered to {} but could not be marked for {} ms", row.id,
                        recipient, options_.mark_retry.count());
        }
        continue;
      }
      error = ec.message();
    }
    // This row failed; count it. The rest go back untouched (they stay behind it in order).
    auto failed_call = [&outbox, row, error] { return outbox.mark_failed(row, error); };
    auto failed = co_await run_blocking(db_threads_, failed_call);
    const bool gave_up = failed && *failed;
    metrics_.deliveries.inc({std::string(to_string(gave_up ? DeliveryResult::kFailed : DeliveryResult::kRetry))});
    if (!failed) {
      spdlog::error("delivery: cannot record failed attempt for outbox {}: {}", row.id, failed.error().describe());
    } else if (*failed) {
      spdlog::error("delivery: outbox {} to {} failed for good after {} attempts: {}", row.id, recipient,
                    row.attempts + 1, error);
    } else {
      spdlog::warn("delivery: outbox {} to {} failed (attempt {}): {}; retry in {} ms", row.id, recipient,
                   row.attempts + 1, error, outbox_.backoff(row.attempts + 1).count());
    }
    std::vector<std::int64_t> rest;
    for (std::size_t j = i + 1; j < rows.size(); ++j) rest.push_back(rows[j].id);
    co_await release(std::move(rest));
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Delivery::release(std::vector<std::int64_t> ids) {
  if (ids.empty()) co_return;
  OutboxStore& outbox = outbox_;
  auto released_call = [&outbox, ids] { return outbox.release(ids); };
  auto released = co_await run_blocking(db_threads_, released_call);
  if (!released) spdlog::warn("delivery: cannot release outbox rows: {}", released.error().describe());
}

}  // namespace illhub::net
