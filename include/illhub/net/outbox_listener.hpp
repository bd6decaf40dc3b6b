#pragma once
// OutboxListener: a dedicated libpq connection doing LISTEN illhub_outbox. TransactionStore::
// apply() sends NOTIFY with the recipient's symbol on every accepted APDU, on whichever node
// accepted it; this wakes delivery on every node, so the node holding the recipient's
// connection sends it. Everything runs on the io_context without blocking it: the connect and
// the LISTEN are libpq's non-blocking calls (open_listen_connection), and the socket is then
// watched with PQconsumeInput, which never blocks. When the connection drops it tries again a
// second after each failed attempt (an attempt gives up after 10 s), and asks for a sweep
// after reconnecting (NOTIFYs sent meanwhile are lost). A link that swallows packets delays
// NOTIFYs, never the node's other connections.
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
#include <chrono>
#include <functional>
#include <string>

#include "illhub/net/pg_socket_wait.hpp"

namespace illhub::net {

namespace asio = boost::asio;

class OutboxListener {
 public:
  OutboxListener(asio::any_io_executor executor, std::string conninfo, std::string node_id,
                 std::function<void(const std::string& recipient)> on_notify,
                 std::function<void()> on_reconnect, std::function<bool(int pid)> own_backend = {});

  /// How long one attempt to connect and LISTEN may take (as libpq's connect_timeout for the
  /// pool), and the pause after a failed attempt or a lost connection.
  static constexpr std::chrono::seconds kAttemptTimeout{10};
  static constexpr std::chrono::seconds kRetryPause{1};

  /// Listens until stop(). Never throws; never blocks the executor's thread.
  asio::awaitable<void> run();
  /// Ends run() at its next resumption, also in the middle of a connect: nothing waits for
  /// the database.
  void stop();

 private:
  asio::any_io_executor executor_;
  std::string conninfo_;
  std::string node_id_;
  std::function<void(const std::string&)> on_notify_;
  std::function<void()> on_reconnect_;
  std::function<bool(int)> own_backend_;
  asio::steady_timer retry_timer_;
  PgSocketWait waits_;  // every wait on the database socket; cancel() is how stop() reaches it
  bool stopping_ = false;
};

}  // namespace illhub::net
