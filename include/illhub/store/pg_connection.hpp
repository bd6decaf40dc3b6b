#pragma once
// PgConnection: owns one libpq connection. Statements go only through PQexecParams and
// prepared statements, values as parameters ($1, $2, ...), never spliced into SQL text.
// Blocking calls: each waits for the server's answer. Not thread-safe: one thread at a time
// (the ConnectionPool hands a connection to one user at a time).

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/store/pg_param.hpp"
#include "illhub/store/pg_result.hpp"
#include "illhub/store/store_error.hpp"
#include "illhub/util/result.hpp"

struct pg_conn;  // libpq's PGconn

namespace illhub::store {

class PgConnection {
 public:
  /// Connects with a libpq conninfo string or URI ("" = PG* environment variables only).
  /// Errors: kConnectionLost when the server cannot be reached or refuses the login.
  static Result<PgConnection, StoreError> connect(const std::string& conninfo);

  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  /// Runs one statement with parameters ($1..$n). Results come back in text format.
  Result<PgResult, StoreError> exec(std::string_view sql, std::initializer_list<PgParam> params = {});
  Result<PgResult, StoreError> exec_params(std::string_view sql, std::span<const PgParam> params);

  /// Remembers a named statement. It is prepared on the server on first use, and again after
  /// a reconnect, so callers prepare once per PgConnection and never think about it again.
  void prepare(std::string name, std::string sql);
  Result<PgResult, StoreError> exec_prepared(const std::string& name,
                                             std::initializer_list<PgParam> params = {});
  Result<PgResult, StoreError> exec_prepared_params(const std::string& name,
                                                    std::span<const PgParam> params);

  /// One statement of a pipeline: a statement prepared with prepare() (`prepared` true, `sql`
  /// is its name) or SQL text. Its PgParams must outlive the exec_pipeline call.
  struct Piped {
    std::string sql;
    bool prepared = false;
    std::vector<PgParam> params;
  };
  /// Sends all `statements` at once and then reads their answers (libpq pipeline mode): one
  /// round trip for all, run in order by the server. One result per statement. After a
  /// statement fails the server skips the rest: each of those fails with kOther ("not run").
  /// A lost connection or an answer timeout fails the whole call (every result kConnectionLost;
  /// the connection is given up as after exec()). Statements run in the transaction the
  /// connection is in; outside one, the pipeline is one implicit transaction (PostgreSQL's
  /// rule up to a sync point): all of it commits, or a failure undoes all of it.
  std::vector<Result<PgResult, StoreError>> exec_pipeline(std::span<const Piped> statements);

  /// Runs a trusted, parameterless script of several statements (a migration file) with
  /// PQexec: the extended protocol takes one statement at a time. Never pass it any value
  /// that came from outside the program.
  Result<Ok, StoreError> exec_script(std::string_view sql);

  /// `name` quoted as an SQL identifier (PQescapeIdentifier), for the few statements that
  /// take a name and no parameters (CREATE DATABASE). Empty on failure.
  std::string quote_identifier(std::string_view name) const;

  /// How long a statement may wait for the server's answer (0, the default: for ever). When
  /// it passes, the statement fails with kConnectionLost and the connection is given up
  /// (is_ok() false until reset()): its answer may still come, so it cannot be reused. A
  /// COMMIT given up this way has an unknown outcome, like any lost connection. Without it a
  /// server that stops answering while the TCP connection stays up (a stuck server, a black
  /// hole on the path that still acknowledges) holds the caller for ever.
  void set_answer_timeout(std::chrono::milliseconds timeout) { answer_timeout_ = timeout; }

  /// True while libpq believes the connection works. A server that went away is noticed by
  /// the next call or by check_alive().
  bool is_ok() const;
  /// Reads whatever the server sent without blocking (e.g. the FATAL a backend sends when it
  /// is terminated or the server shuts down) and returns is_ok(). Cheap; used before a lease.
  bool check_alive();
  /// Reconnects with the same conninfo. Errors: kConnectionLost.
  Result<Ok, StoreError> reset();
  /// True inside BEGIN ... COMMIT (also when the transaction has failed).
  bool in_transaction() const;
  /// The server process serving this connection (pg_backend_pid()), 0 when not connected.
  int backend_pid() const;

  pg_conn* native() const { return conn_; }

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  Result<PgResult, StoreError> check(pg_result* result);
  /// The result of a statement just sent (PQsend*: `sent` is its return value), waiting at
  /// most answer_timeout_.
  Result<PgResult, StoreError> answer(int sent, std::string_view what);
  Result<Ok, StoreError> ensure_prepared(const std::string& name);
  /// Waits (at most answer_timeout_ from `deadline`'s start) until a result can be read
  /// without blocking. Errors: the connection broke, or the answer timed out (given up).
  Result<Ok, StoreError> wait_readable(std::chrono::steady_clock::time_point deadline, std::string_view what);
  /// Every result of the statement answered next, up to its end: the first error, else the
  /// last one (as PQexec keeps). The caller owns it (check() takes it).
  Result<pg_result*, StoreError> next_statement_result(std::chrono::steady_clock::time_point deadline,
                                                       std::string_view what);

  pg_conn* conn_ = nullptr;
  std::chrono::milliseconds answer_timeout_{0};
  bool given_up_ = false;  // an answer timed out: unusable until reset()
  std::map<std::string, std::string, std::less<>> statements_;  // name -> SQL
  std::set<std::string, std::less<>> prepared_on_server_;        // cleared on reconnect
  std::set<std::string, std::less<>> replaced_on_server_;        // redefined: DEALLOCATE first
};

/// StoreError for a failed libpq call on `conn` (connection state decides kConnectionLost).
StoreError error_from_connection(pg_conn* conn, std::string_view what);

}  // namespace illhub::store
