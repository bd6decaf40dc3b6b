#pragma once
// ConnectionPool: at most max_size connections to one database, handed out one user at a time
// as RAII leases. Thread-safe. Connections are opened lazily. A connection found broken when
// it is leased (PostgreSQL restarted, backend terminated) is reconnected first, so the store
// outlives a PostgreSQL restart: calls in flight at the restart fail with kConnectionLost,
// later leases get working connections.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "illhub/store/pg_connection.hpp"

namespace illhub::store {

struct PoolOptions {
  std::string conninfo;                         // libpq conninfo or URI
  std::size_t max_size = 4;                     // connections open at most
  std::chrono::milliseconds acquire_timeout{10'000};  // wait for a free connection
  /// Each statement's wait for the server's answer (PgConnection::set_answer_timeout; 0 = for
  /// ever). A server that stops answering on a link that stays up then costs a caller this
  /// long, not for ever; illd's statements take milliseconds.
  std::chrono::milliseconds answer_timeout{5'000};
};

class ConnectionPool {
 public:
  /// Gives its connection back to the pool when destroyed. Must not outlive the pool.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  explicit ConnectionPool(PoolOptions options);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  /// All leases must have been returned.
  ~ConnectionPool();

  /// A working connection, waiting up to acquire_timeout for one to be free. Blocks.
  /// Errors: kConnectionLost (cannot connect or reconnect: PostgreSQL down), kOther (timed
  /// out waiting for a free connection).
  Result<Lease, StoreError> acquire();

  std::size_t max_size() const { return options_.max_size; }
  /// Connections currently open or being opened (leased or idle).
  std::size_t open_count() const;
  std::size_t idle_count() const;
  /// Whether `pid` is the server process of one of this pool's connections. A NOTIFY carries
  /// the PID of the backend that sent it: illd's delivery skips the ones its own commits sent,
  /// since it was already woken directly (net::OutboxListener). Thread-safe.
  bool owns_backend(int pid) const;

 private:
  void give_back(std::unique_ptr<PgConnection> conn);
  void note_backend(const PgConnection* conn);

  const PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;  // idle + leased + being connected
  /// Each open connection's server PID as of its last lease (owns_backend).
  std::map<const PgConnection*, int> backend_pids_;
};

}  // namespace illhub::store
