#pragma once
// OutboxListener: a dedicated libpq connection doing LISTEN illhub_outbox. TransactionStore::
// apply() sends NOTIFY with the recipient's symbol on every accepted APDU, on whichever node
// accepted it; this wakes delivery on every node, so the node holding the recipient's
// connection sends it. The socket is watched on the io_context (posix::stream_descriptor over
// PQsocket; PQconsumeInput never blocks). When the connection drops it reconnects every
// second, and asks for a sweep after reconnecting (NOTIFYs sent meanwhile are lost).
//
// NOTIFYs sent by this node's own commits (`own_backend(pid)` true for the sending backend's
// PID) are skipped: whatever committed them woke delivery directly already (an accepted APDU,
// the timers), and a second wake made the recipient's pump claim again and find nothing.
//
// The connection is also the node's sign of life: its application_name is
// 'illd-node-<node id>', which OutboxStore looks for in pg_stat_activity before taking over
// rows this node claimed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

namespace illhub::net {

namespace asio = boost::asio;

class OutboxListener {
 public:
  OutboxListener(asio::any_io_executor executor, std::string conninfo, std::string node_id,
                 std::function<void(const std::string& recipient)> on_notify,
                 std::function<void()> on_reconnect, std::function<bool(int pid)> own_backend = {});

  /// Listens until stop(). Never throws.
  asio::awaitable<void> run();
  void stop();

 private:
  asio::any_io_executor executor_;
  std::string conninfo_;
  std::string node_id_;
  std::function<void(const std::string&)> on_notify_;
  std::function<void()> on_reconnect_;
  std::function<bool(int)> own_backend_;
  asio::steady_timer retry_timer_;
  std::function<void()> cancel_wait_;  // cancels the socket wait in progress, if any
  bool stopping_ = false;
};

}  // namespace illhub::net
