// PgSocketWait: a socket wait raced against a deadline timer (`||` cancels the loser).
#include "illhub/net/pg_socket_wait.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace illhub::net {

using namespace boost::asio::experimental::awaitable_operators;

PgSocketWait::PgSocketWait(asio::any_io_executor executor)
    : executor_(std::move(executor)), deadline_(executor_, std::chrono::steady_clock::time_point::max()) {}

void PgSocketWait::set_deadline(std::chrono::steady_clock::time_point deadline) {
  deadline_.expires_at(deadline);  // called between waits, never during one
}

void PgSocketWait::cancel() {
  cancelled_ = true;
  deadline_.cancel();  // ends the timer side of a wait in progress; `||` then ends the socket side
}

asio::awaitable<PgSocketWait::Outcome> PgSocketWait::wait(pg_conn* conn, For what) {
  constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
  if (cancelled_) co_return Outcome::kCancelled;
  const int fd = conn ? PQsocket(conn) : -1;
  if (fd < 0) co_return Outcome::kFailed;
  const int copy = ::dup(fd);
  if (copy < 0) co_return Outcome::kFailed;
  asio::posix::stream_descriptor socket(executor_, copy);  // closes `copy` when it goes
  const auto type = what == For::kRead ? asio::posix::stream_descriptor::wait_read
                                       : asio::posix::stream_descriptor::wait_write;
  auto first = co_await (socket.async_wait(type, kUse) || deadline_.async_wait(kUse));
  if (cancelled_) co_return Outcome::kCancelled;
  if (first.index() == 1) co_return Outcome::kTimedOut;
  auto [ec] = std::get<0>(first);
  // An error on the socket (e.g. it was reset) is for libpq to report: let it look.
  (void)ec;
  co_return Outcome::kReady;
}

}  // namespace illhub::net
