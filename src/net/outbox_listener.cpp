// OutboxListener: LISTEN illhub_outbox on a dedicated connection, watched on the io_context.
#include "illhub/net/outbox_listener.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "illhub/store/pg_connection.hpp"

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
      retry_timer_(executor_) {}

void OutboxListener::stop() {
  stopping_ = true;
  retry_timer_.cancel();
  if (cancel_wait_) cancel_wait_();
}

asio::awaitable<void> OutboxListener::run() {
  constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
  bool first = true;
  while (!stopping_) {
    // Connecting blocks briefly (a local socket); it happens once, or after a loss.
    auto conn = store::PgConnection::connect(conninfo_);
    auto named = conn ? conn->exec("SELECT set_config('application_name', $1, false)", {"illd-node-" + node_id_})
                      : Result<store::PgResult, store::StoreError>(unexpected(conn.error()));
    auto listening = named ? conn->exec("LISTEN illhub_outbox")
                           : Result<store::PgResult, store::StoreError>(unexpected(named.error()));
    if (!listening) {
      spdlog::warn("outbox listener: cannot LISTEN: {}; retrying in 1 s", listening.error().describe());
      retry_timer_.expires_after(std::chrono::seconds(1));
      co_await retry_timer_.async_wait(kUse);
      continue;
    }
    if (!first) spdlog::info("outbox listener: listening again");
    if (!first && on_reconnect_) on_reconnect_();  // NOTIFYs sent while we were away are lost
    first = false;
    PGconn* pg = conn->native();
    // Our own descriptor (dup): closing it never closes libpq's socket under libpq.
    asio::posix::stream_descriptor socket(executor_, ::dup(PQsocket(pg)));
    cancel_wait_ = [&socket] {
      boost::system::error_code ignored;
      socket.cancel(ignored);
    };
    while (!stopping_) {
      auto [ec] = co_await socket.async_wait(asio::posix::stream_descriptor::wait_read, kUse);
      if (ec || stopping_) break;
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
    cancel_wait_ = nullptr;
    if (!stopping_) {
      retry_timer_.expires_after(std::chrono::seconds(1));
      co_await retry_timer_.async_wait(kUse);
    }
  }
}

}  // namespace illhub::net
