#pragma once
// PgSocketWait: suspends a coroutine until a libpq connection's socket is ready, on the
// io_context, so that libpq's non-blocking calls (PQconnectPoll, PQflush, PQconsumeInput) can
// be driven without ever blocking the thread that serves every connection. Each wait also ends
// at a deadline and on cancel(): a database link that swallows packets costs a timer, never a
// thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

struct pg_conn;  // libpq's PGconn

namespace illhub::net {

namespace asio = boost::asio;

class PgSocketWait {
 public:
  enum class For { kRead, kWrite };
  enum class Outcome {
    kReady,      ///< the socket is ready in the direction asked for
    kTimedOut,   ///< the deadline passed first
    kCancelled,  ///< cancel() was called (now or before)
    kFailed,     ///< libpq has no socket, or it could not be watched
  };

  explicit PgSocketWait(asio::any_io_executor executor);

  /// Every wait from now on ends at `deadline` (time_point::max(): no deadline).
  void set_deadline(std::chrono::steady_clock::time_point deadline);
  /// Ends the wait in progress, and every later one at once, with kCancelled. For good: it is
  /// how the owner stops.
  void cancel();
  bool cancelled() const { return cancelled_; }

  /// Suspends until PQsocket(conn) is ready for `what`, the deadline or cancel(). One wait at
  /// a time. libpq may change its socket while connecting, so it is looked up on every call;
  /// the wait watches a duplicate of it, so closing it never closes libpq's own descriptor.
  asio::awaitable<Outcome> wait(pg_conn* conn, For what);

 private:
  asio::any_io_executor executor_;
  asio::steady_timer deadline_;
  bool cancelled_ = false;
};

}  // namespace illhub::net
