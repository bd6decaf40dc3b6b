#pragma once
// Delivery: sends outbox rows to their recipients, one pump per recipient at a time, in id
// order: on the recipient's own open connection to this node when there is one (any
// delivery_mode), else by dialling its endpoint when its delivery_mode is 'dial' (the dialled
// connection stays open for further rows until idle). A row is marked delivered only after its
// bytes were written; a failure counts an attempt and backs off (OutboxStore).
//
// Woken by: an APDU accepted on this node, NOTIFY illhub_outbox (OutboxListener), a peer
// connecting, and a periodic sweep for due rows.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
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
  /// Runs the periodic sweep until stop().
  asio::awaitable<void> sweeper();
  /// One sweep now (after the LISTEN connection came back: NOTIFYs may have been missed).
  void sweep_now();
  /// Stops the sweep and starts no new pumps; pumps in flight finish their current row.
  void stop();

 private:
  asio::awaitable<void> pump(std::string recipient);
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
  /// Recipients with a pump running; true: woken again while running (run another round).
  std::map<std::string, bool> running_;
  bool stopping_ = false;
};

}  // namespace illhub::net
