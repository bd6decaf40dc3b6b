#pragma once
// Delivery: sends outbox rows to their recipients, one pump per recipient at a time, in id
// order: on the recipient's own open connection to this node when there is one (any
// delivery_mode), else by dialling its endpoint when its delivery_mode is 'dial' (the dialled
// connection stays open for further rows until idle). A row is marked delivered only after its
// bytes were written; a failure counts an attempt and backs off (OutboxStore).
//
// Woken by: an APDU accepted on this node, NOTIFY illhub_outbox (OutboxListener), a peer
// connecting, and a periodic sweep for due rows. Rows born claimed by this node (an APDU
// accepted here for a recipient connected here, store::BirthClaims) are handed to the pump
// directly, with no claim statement.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "illhub/net/delivered_marks.hpp"
#include "illhub/net/metrics.hpp"
#include "illhub/net/options.hpp"
#include "illhub/net/outbox_store.hpp"
#include "illhub/net/peer_directory.hpp"
#include "illhub/net/session_registry.hpp"

namespace illhub::net {

class Delivery {
 public:
  /// Opens a connection to a peer's endpoint ("host:port") and returns the session speaking
  /// for it, or null with `error` set. Supplied by the server (it owns session creation).
  using Dialler = std::function<asio::awaitable<std::shared_ptr<Session>>(
      const std::string& symbol, const std::string& endpoint, std::string& error)>;

  Delivery(asio::any_io_executor executor, asio::thread_pool& db_threads, OutboxStore& outbox,
           PeerDirectory& peers, SessionRegistry& sessions, Metrics& metrics, DeliveryOptions options,
           Dialler dial);

  /// Makes sure `recipient`'s due rows get sent soon. Cheap; call from the io thread.
  void wake(const std::string& recipient);
  /// Sends `row`, born claimed by this node after COMMIT (store::ApplyResult::born_claimed),
  /// on `recipient`'s own connection to this node, after the rows its pump is sending now,
  /// and marks it delivered like a claimed row. A failed write takes the failure path of a
  /// claimed row (attempt counted, backoff, claim given up); a recipient no longer connected
  /// gets the row back as due (no attempt counted) for the claim path (dial, or its next
  /// connection). Cheap; call from the io thread. After stop() the row is left claimed: this
  /// node's lease (or, once the node is gone, the dead-node grace) decides when it goes.
  void hand(const std::string& recipient, OutboxRow row);
  /// Runs the periodic sweep until stop().
  asio::awaitable<void> sweeper();
  /// One sweep now (after the LISTEN connection came back: NOTIFYs may have been missed).
  void sweep_now();
  /// Stops the sweep and starts no new pumps; pumps in flight finish their current row.
  void stop();

 private:
  /// A born-claimed row waiting in its recipient's pump, and when it was handed over.
  struct Handed {
    OutboxRow row;
    std::chrono::steady_clock::time_point at;
  };
  /// A recipient's running pump.
  struct Pump {
    bool woken = false;          // claim (again): started by wake(), or woken while running
    std::deque<Handed> handed;   // born-claimed rows not yet taken up, in the order handed
  };

  asio::awaitable<void> pump(std::string recipient);
  /// Sends the rows handed so far. False: a write failed (the pump stops; the sweep retries).
  asio::awaitable<bool> send_handed(const std::string& recipient);
  /// Writes `rows` (claimed by this node, id order) in turn on `session`, marking each
  /// delivered; `error` non-empty: there is no usable connection. On the first failure counts
  /// an attempt for that row, gives the rest back and returns false.
  asio::awaitable<bool> send_rows(const std::string& recipient, std::shared_ptr<Session> session,
                                  const std::vector<OutboxRow>& rows, std::string error,
                                  std::chrono::steady_clock::time_point obtained_at);
  /// Gives claimed rows back, due at once, without counting an attempt.
  asio::awaitable<void> release(std::vector<std::int64_t> ids);
  asio::awaitable<void> sweep_once();

  asio::any_io_executor executor_;
  asio::thread_pool& db_threads_;
  OutboxStore& outbox_;
  PeerDirectory& peers_;
  SessionRegistry& sessions_;
  Metrics& metrics_;
  DeliveryOptions options_;
  Dialler dial_;
  asio::steady_timer sweep_timer_;
  DeliveredMarks marks_;  // rows sent, marked delivered in shared statements
  /// Recipients with a pump running.
  std::map<std::string, Pump> running_;
  bool stopping_ = false;
};

}  // namespace illhub::net
