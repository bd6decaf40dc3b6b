#pragma once
// open_listen_connection: opens the node's LISTEN connection to PostgreSQL on the io_context
// without blocking it (libpq's non-blocking connect and query calls, each wait a
// PgSocketWait). The connection can then be watched for NOTIFYs with PQconsumeInput, which
// never blocks either. Why not the pool's blocking PgConnection: this connection is opened
// again whenever the link fails, on the thread that serves every peer, and a link that drops
// packets would hold that thread for the whole connect timeout.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "illhub/net/pg_socket_wait.hpp"
#include "illhub/util/result.hpp"

namespace illhub::net {

/// Closes a libpq connection (PQfinish). On a connection in non-blocking mode, as the one
/// returned below is, closing never waits for the server.
struct PgConnCloser {
  void operator()(pg_conn* conn) const;
};
using OwnedPgConn = std::unique_ptr<pg_conn, PgConnCloser>;

/// Connects to `conninfo` (a libpq conninfo string or URI; "" = PG* variables) with
/// `application_name` in the start-up packet (it overrides one in `conninfo`: other nodes
/// look for this name), then runs `LISTEN illhub_outbox` (the channel TransactionStore::apply()
/// NOTIFYs on), all within `timeout` (libpq's own
/// connect_timeout does not apply to a non-blocking connect). Suspends on `waits`; cancel it
/// to stop the attempt. The connection comes back in non-blocking mode, listening.
///
/// Never blocks the calling thread, with one exception: a host *name* in `conninfo` is looked
/// up by libpq with the system's blocking resolver. Addresses and socket directories are not.
///
/// Errors (a message for the log): "cannot connect to PostgreSQL: <libpq's reason>",
/// "LISTEN illhub_outbox failed: <the server's reason>", "... timed out after N ms",
/// "cancelled". Nothing is left open on error.
asio::awaitable<Result<OwnedPgConn, std::string>> open_listen_connection(PgSocketWait& waits,
                                                                         const std::string& conninfo,
                                                                         const std::string& application_name,
                                                                         std::chrono::milliseconds timeout);

}  // namespace illhub::net
