#pragma once
// run_blocking: runs a blocking call (libpq through the store) on a thread pool and resumes
// the calling coroutine on its own executor with the result, so a slow database never stalls
// the io_context that serves every connection.
//
// This is a stop-gap: the planned next step is non-blocking libpq on the io_context itself
// (a posix::stream_descriptor over PQsocket(), PQsendQuery/PQconsumeInput, pipeline mode),
// which removes the thread hop and lets many APDUs share one COMMIT.

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/version.hpp>
#include <type_traits>
#include <utility>

static_assert(BOOST_VERSION >= 108100,
              "illhub needs Boost 1.81 (libboost1.81-dev): Debian's 1.74 lacks what net uses");

namespace illhub::net {

namespace asio = boost::asio;

/// Calls `f()` on a thread of `pool`; co_await the result to get its value on the caller's
/// executor. `f` must not throw (store calls return Result) and must own or outlive everything
/// it touches: if the caller is cancelled the call still runs to its end (a database call
/// cannot be interrupted half-way), and the caller resumes only after it has finished.
///
/// Pass a named callable (`auto call = [..] {..}; co_await run_blocking(pool, call);`), not a
/// lambda written inside the co_await expression, and this is deliberately not a coroutine:
/// GCC 12 destroys some temporaries of a co_await full-expression twice (seen here as a
/// double free of a lambda's captured string).
template <class Fn>
auto run_blocking(asio::thread_pool& pool, Fn& call) {
  using F = std::decay_t<Fn>;
  using R = std::invoke_result_t<F&>;
  F f = call;  // the copy travels to the pool and back inside the handler
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
      [&pool](auto handler, F fn) {
        // Keeps the caller's io_context running while the call is away on the pool.
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        asio::post(pool, [handler = std::move(handler), fn = std::move(fn), work = std::move(work)]() mutable {
          R result = fn();
          auto home = work.get_executor();
          asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(f));
}

}  // namespace illhub::net
