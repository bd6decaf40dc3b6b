// ConnectionPool: a mutex, a condition variable and a stack of idle connections. Connecting
// and reconnecting happen outside the lock so one slow server answer does not stall others.
#include "illhub/store/connection_pool.hpp"

#include <cassert>

namespace illhub::store {

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
  assert(options_.max_size > 0);
}

ConnectionPool::~ConnectionPool() {
  std::lock_guard lock(mutex_);
  assert(idle_.size() == open_ && "a Lease outlived its ConnectionPool");
}

std::size_t ConnectionPool::open_count() const {
  std::lock_guard lock(mutex_);
  return open_;
}

std::size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

bool ConnectionPool::owns_backend(int pid) const {
  std::lock_guard lock(mutex_);
  if (pid == 0) return false;
  for (const auto& [conn, backend] : backend_pids_)
    if (backend == pid) return true;
  return false;
}

void ConnectionPool::note_backend(const PgConnection* conn) {
  const int pid = conn->backend_pid();  // 0 while broken
  std::lock_guard lock(mutex_);
  backend_pids_[conn] = pid;
}

Result<ConnectionPool::Lease, StoreError> ConnectionPool::acquire() {
  std::unique_ptr<PgConnection> conn;
  {
    std::unique_lock lock(mutex_);
    const bool available = freed_.wait_for(lock, options_.acquire_timeout, [&] {
      return !idle_.empty() || open_ < options_.max_size;
    });
    if (!available) {
      return unexpected(make_error(StoreError::Kind::kOther,
                                   "no free database connection within " +
                                       std::to_string(options_.acquire_timeout.count()) + " ms"));
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // reserve the slot; the connection is made below, unlocked
    }
  }

  if (!conn) {
    auto made = PgConnection::connect(options_.conninfo);
    if (!made) {
      std::lock_guard lock(mutex_);
      --open_;
      freed_.notify_one();
      return unexpected(made.error());
    }
    conn = std::make_unique<PgConnection>(std::move(made).value());
    conn->set_answer_timeout(options_.answer_timeout);
  } else if (!conn->check_alive()) {
    // Broken since its last use (PostgreSQL restarted, backend terminated): reconnect now
    // rather than hand out a connection whose first statement is bound to fail.
    auto reset = conn->reset();
    if (!reset) {
      note_backend(conn.get());  // none now
      give_back(std::move(conn));  // stays broken; the next lease tries again
      return unexpected(reset.error());
    }
  }
  note_backend(conn.get());
  return Lease(this, std::move(conn));
}

void ConnectionPool::give_back(std::unique_ptr<PgConnection> conn) {
  // A connection left inside a transaction (its Transaction guard failed to roll back) must
  // not carry that transaction to the next user.
  if (conn->is_ok() && conn->in_transaction()) (void)conn->exec("ROLLBACK");
  std::lock_guard lock(mutex_);
  if (conn->is_ok() && conn->in_transaction()) {
    --open_;  // cannot be cleaned: close it (unique_ptr frees it below)
    backend_pids_.erase(conn.get());
  } else {
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
}

}  // namespace illhub::store
