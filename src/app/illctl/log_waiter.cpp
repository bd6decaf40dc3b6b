#include "app/illctl/log_waiter.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <iostream>
#include <thread>

namespace illhub::app {

LogWaiter::LogWaiter(store::PgConnection& conn, std::chrono::milliseconds poll_interval)
    : conn_(conn), poll_interval_(poll_interval) {
  relisten();
}

void LogWaiter::relisten() {
  auto r = conn_.exec("LISTEN illhub_events");
  listening_ = r.has_value();
  if (!listening_ && !warned_) {
    std::cerr << "illctl tail: cannot LISTEN (" << r.error().message << "); polling every "
              << poll_interval_.count() << " ms\n";
    warned_ = true;
  }
}

void LogWaiter::wait() {
  const int fd = conn_.is_ok() ? PQsocket(conn_.native()) : -1;
  if (fd < 0) {
    std::this_thread::sleep_for(poll_interval_);
    return;
  }
  // A notification libpq read while it fetched the last batch may announce a commit after
  // that batch's snapshot: read again at once.
  bool pending = false;
  while (PGnotify* n = PQnotifies(conn_.native())) {
    PQfreemem(n);
    pending = true;
  }
  if (pending) return;
  pollfd p{fd, POLLIN, 0};
  // EINTR (a signal) returns early on purpose: the caller checks whether to stop.
  if (::poll(&p, 1, static_cast<int>(poll_interval_.count())) > 0) {
    PQconsumeInput(conn_.native());
    while (PGnotify* n = PQnotifies(conn_.native())) PQfreemem(n);
  }
}

}  // namespace illhub::app
