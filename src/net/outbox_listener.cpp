// OutboxListener: LISTEN illhub_outbox on a dedicated connection, opened and watched on the
// io_context with libpq's non-blocking calls.
#include "illhub/net/outbox_listener.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/net/listen_connection.hpp"

namespace illhub::net {

OutboxListener::OutboxListener(asio::any_io_executor executor, std::string conninfo, std::string node_id,
                               std::function<void(const std::string&)> on_notify,
                               std::function<void()> on_reconnect, std::function<bool(int)> own_backend)
    : executor_(std::move(executor)),
      conninfo_(std::move(conninfo)),
      node_id_(std::move(node_id)),
      on_notify_(std::move(on_notify)),
      on_reconnect_(std::move(on_reconnect)),
      own_backend_(std::move(own_backend)),
      retry_timer_(executor_),
      waits_(executor_) {}

void OutboxListener::stop() {
  stopping_ = true;
  retry_timer_.cancel();
  waits_.cancel();  // a connect, a LISTEN or the wait for NOTIFYs in progress ends now
}

asio::awaitable<void> OutboxListener::run() {
  constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
  bool first = true;
  while (!stopping_) {
    auto opened = co_await open_listen_connection(waits_, conninfo_, "illd-node-" + node_id_,
                                                  kAttemptTimeout);
    if (stopping_) break;
    if (!opened) {
      spdlog::warn("outbox listener: cannot LISTEN: {}; retrying in {} s", opened.error(), kRetryPause.count());
      retry_timer_.expires_after(kRetryPause);
      co_await retry_timer_.async_wait(kUse);
      continue;
    }
    if (!first) spdlog::info("outbox listener: listening again");
    if (!first && on_reconnect_) on_reconnect_();  // NOTIFYs sent while we were away are lost
    first = false;
    pg_conn* pg = opened->get();
    while (!stopping_) {
      const auto ready = co_await waits_.wait(pg, PgSocketWait::For::kRead);
      if (stopping_) break;
      if (ready != PgSocketWait::Outcome::kReady) {
        // libpq closed its socket: it read the end of the connection already.
        spdlog::warn("outbox listener: connection lost: {}; reconnecting", PQerrorMessage(pg));
        break;
      }
      if (PQconsumeInput(pg) == 0) {
        spdlog::warn("outbox listener: connection lost: {}; reconnecting", PQerrorMessage(pg));
        break;
      }
      while (PGnotify* n = PQnotifies(pg)) {
        const std::string recipient = n->extra ? n->extra : "";
        const bool own = own_backend_ && own_backend_(n->be_pid);
        PQfreemem(n);
        if (on_notify_ && !own) on_notify_(recipient);
      }
    }
    opened->reset();  // closed before the pause: the server sees this node's LISTEN end now
    if (!stopping_) {
      retry_timer_.expires_after(kRetryPause);
      co_await retry_timer_.async_wait(kUse);
    }
  }
}

}  // namespace illhub::net
