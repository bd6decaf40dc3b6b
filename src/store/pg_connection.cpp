// PgConnection over libpq's blocking API. Every statement is PQexecParams or PQexecPrepared
// with out-of-band parameters, except exec_script (trusted migration files only).
#include "illhub/store/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>

#include <vector>

#include "illhub/store/libpq_text.hpp"

namespace illhub::store {
namespace {


// libpq wants NUL-terminated text parameters and separate arrays of pointers, lengths and
// formats. Text is copied so string_views need not be terminated.
struct ParamArrays {
  std::vector<std::string> text;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

Result<ParamArrays, StoreError> to_arrays(std::span<const PgParam> params) {
  ParamArrays a;
  a.text.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const PgParam& p = params[i];
    if (!p.is_null() && !p.is_binary() && p.value().find('\0') != std::string_view::npos) {
      // PostgreSQL text cannot hold NUL; truncating silently would store something else.
      return unexpected(make_error(StoreError::Kind::kOther,
                                   "text parameter $" + std::to_string(i + 1) +
                                       " contains a NUL byte (send bytes as Bytea)"));
    }
    a.text.emplace_back(p.is_binary() ? std::string() : std::string(p.value()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const PgParam& p = params[i];
    if (p.is_null()) {
      a.values.push_back(nullptr);
      a.lengths.push_back(0);
      a.formats.push_back(0);
    } else if (p.is_binary()) {
      // A zero-length bytea still needs a non-null pointer, or libpq sends NULL.
      a.values.push_back(p.value().empty() ? "" : p.value().data());
      a.lengths.push_back(static_cast<int>(p.value().size()));
      a.formats.push_back(1);
    } else {
      a.values.push_back(a.text[i].c_str());
      a.lengths.push_back(0);
      a.formats.push_back(0);
    }
  }
  return a;
}

}  // namespace

StoreError error_from_connection(pg_conn* conn, std::string_view what) {
  const bool lost = conn == nullptr || PQstatus(conn) != CONNECTION_OK;
  std::string message(what);
  const std::string detail = trimmed_libpq_message(conn ? PQerrorMessage(conn) : "out of memory");
  if (!detail.empty()) message += ": " + detail;
  return make_error(lost ? StoreError::Kind::kConnectionLost : StoreError::Kind::kOther,
                    std::move(message));
}

Result<PgConnection, StoreError> PgConnection::connect(const std::string& conninfo) {
  // Defaults first: keywords in `conninfo` (expanded from dbname) override them.
  const char* keys[] = {"fallback_application_name", "connect_timeout", "dbname", nullptr};
  const char* values[] = {"illhub", "10", conninfo.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    StoreError error = error_from_connection(conn, "cannot connect to PostgreSQL");
    error.kind = StoreError::Kind::kConnectionLost;
    PQfinish(conn);
    return unexpected(std::move(error));
  }
  PQsetNoticeProcessor(conn, ignore_libpq_notice, nullptr);
  return PgConnection(conn);
}

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(other.conn_),
      answer_timeout_(other.answer_timeout_),
      given_up_(other.given_up_),
      statements_(std::move(other.statements_)),
      prepared_on_server_(std::move(other.prepared_on_server_)),
      replaced_on_server_(std::move(other.replaced_on_server_)) {
  other.conn_ = nullptr;
}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    PQfinish(conn_);
    conn_ = other.conn_;
    other.conn_ = nullptr;
    answer_timeout_ = other.answer_timeout_;
    given_up_ = other.given_up_;
    statements_ = std::move(other.statements_);
    prepared_on_server_ = std::move(other.prepared_on_server_);
    replaced_on_server_ = std::move(other.replaced_on_server_);
  }
  return *this;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<PgResult, StoreError> PgConnection::check(pg_result* raw) {
  PgResult result(raw);
  if (raw == nullptr) return unexpected(error_from_connection(conn_, "statement failed"));
  switch (PQresultStatus(raw)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return result;
    default:
      break;
  }
  const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(raw, PG_DIAG_MESSAGE_DETAIL);
  StoreError error;
  error.sqlstate = state ? state : "";
  error.message = primary ? trimmed_libpq_message(primary) : trimmed_libpq_message(PQresultErrorMessage(raw));
  if (detail) error.message += " (" + trimmed_libpq_message(detail) + ")";
  // Whatever the code says, a connection libpq now considers broken is a lost connection:
  // the caller's next step is a reconnect, not a retry on this one.
  error.kind = PQstatus(conn_) != CONNECTION_OK ? StoreError::Kind::kConnectionLost
                                                : kind_for_sqlstate(error.sqlstate);
  return unexpected(std::move(error));
}

Result<Ok, StoreError> PgConnection::wait_readable(std::chrono::steady_clock::time_point deadline,
                                                  std::string_view what) {
  while (PQisBusy(conn_) != 0) {
    int wait_ms = -1;
    if (answer_timeout_.count() > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
    }
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    const int ready = fd.fd < 0 ? -1 : poll(&fd, 1, wait_ms);
    if (ready == 0) {
      given_up_ = true;  // the answer may still come: this connection cannot carry another statement
      return unexpected(make_error(StoreError::Kind::kConnectionLost,
                                   std::string(what) + ": no answer from PostgreSQL within " +
                                       std::to_string(answer_timeout_.count()) + " ms; connection given up"));
    }
    if ((ready < 0 && errno != EINTR) || PQconsumeInput(conn_) == 0) {
      auto broken = check(nullptr);  // the connection broke: kConnectionLost with libpq's message
      return unexpected(broken.error());
    }
  }
  return Ok{};
}

Result<PgResult, StoreError> PgConnection::answer(int sent, std::string_view what) {
  if (given_up_) {
    return unexpected(make_error(StoreError::Kind::kConnectionLost,
                                 "connection given up after an unanswered statement"));
  }
  if (sent == 0) return unexpected(error_from_connection(conn_, std::string(what) + " not sent"));
  const auto deadline = std::chrono::steady_clock::now() + answer_timeout_;
  auto kept = next_statement_result(deadline, what);
  if (!kept) return unexpected(kept.error());
  return check(*kept);
}

Result<pg_result*, StoreError> PgConnection::next_statement_result(std::chrono::steady_clock::time_point deadline,
                                                                  std::string_view what) {
  // Like PQexec: every result of the statement is read; the first error wins, else the last.
  pg_result* kept = nullptr;
  for (;;) {
    auto ready = wait_readable(deadline, what);
    if (!ready) {
      PQclear(kept);
      return unexpected(ready.error());
    }
    pg_result* next = PQgetResult(conn_);
    if (next == nullptr) return kept;
    if (kept != nullptr && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
      PQclear(next);
    } else {
      PQclear(kept);
      kept = next;
    }
  }
}

std::vector<Result<PgResult, StoreError>> PgConnection::exec_pipeline(std::span<const Piped> statements) {
  std::vector<Result<PgResult, StoreError>> out;
  out.reserve(statements.size());
  auto fail_all = [&](const StoreError& error) {
    out.clear();
    for (std::size_t i = 0; i < statements.size(); ++i) out.emplace_back(unexpected(error));
    return std::move(out);
  };
  if (statements.empty()) return out;
  if (given_up_)
    return fail_all(make_error(StoreError::Kind::kConnectionLost, "connection given up after an unanswered statement"));
  // Prepared on the server before the pipeline (once per connection), so a failed PREPARE
  // cannot leave the pipeline half-sent.
  std::vector<ParamArrays> arrays;
  arrays.reserve(statements.size());
  for (const Piped& st : statements) {
    if (st.prepared) {
      auto ready = ensure_prepared(st.sql);
      if (!ready) return fail_all(ready.error());
    }
    auto a = to_arrays(st.params);
    if (!a) return fail_all(a.error());
    arrays.push_back(std::move(*a));
  }
  if (PQenterPipelineMode(conn_) == 0) return fail_all(error_from_connection(conn_, "cannot enter pipeline mode"));
  bool sent = true;
  for (std::size_t i = 0; i < statements.size() && sent; ++i) {
    const Piped& st = statements[i];
    const ParamArrays& a = arrays[i];
    const int n = static_cast<int>(st.params.size());
    sent = st.prepared ? PQsendQueryPrepared(conn_, st.sql.c_str(), n, a.values.data(), a.lengths.data(),
                                             a.formats.data(), /*resultFormat=*/0) != 0
                       : PQsendQueryParams(conn_, st.sql.c_str(), n, nullptr, a.values.data(), a.lengths.data(),
                                           a.formats.data(), /*resultFormat=*/0) != 0;
  }
  if (sent) sent = PQpipelineSync(conn_) != 0;
  if (!sent) {
    // Half a pipeline may be on its way: the connection cannot be trusted with another one.
    StoreError error = error_from_connection(conn_, "pipeline not sent");
    error.kind = StoreError::Kind::kConnectionLost;
    given_up_ = true;
    return fail_all(error);
  }
  const auto deadline = std::chrono::steady_clock::now() + answer_timeout_;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    // Each statement's results end with a null result, as outside a pipeline.
    auto result = next_statement_result(deadline, "pipeline");
    if (!result) {
      given_up_ = true;
      return fail_all(result.error());
    }
    pg_result* kept = *result;
    if (kept != nullptr && PQresultStatus(kept) == PGRES_PIPELINE_ABORTED) {
      PQclear(kept);
      out.emplace_back(unexpected(make_error(StoreError::Kind::kOther,
                                             "not run: an earlier statement of its pipeline failed")));
    } else {
      out.push_back(check(kept));
    }
  }
  // Then the sync point's own result, and the connection leaves pipeline mode.
  for (bool synced = false; !synced;) {
    auto ready = wait_readable(deadline, "pipeline sync");
    if (!ready) {
      given_up_ = true;
      return fail_all(ready.error());
    }
    pg_result* r = PQgetResult(conn_);
    if (r == nullptr) continue;
    synced = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
  }
  if (PQexitPipelineMode(conn_) == 0) {
    given_up_ = true;
    return fail_all(error_from_connection(conn_, "cannot leave pipeline mode"));
  }
  // A statement that found the connection broken fails the rest too: nothing after it ran.
  for (auto& r : out)
    if (!r && r.error().kind == StoreError::Kind::kConnectionLost) return fail_all(r.error());
  return out;
}

Result<PgResult, StoreError> PgConnection::exec(std::string_view sql,
                                                std::initializer_list<PgParam> params) {
  return exec_params(sql, std::span<const PgParam>(params.begin(), params.size()));
}

Result<PgResult, StoreError> PgConnection::exec_params(std::string_view sql,
                                                       std::span<const PgParam> params) {
  auto arrays = to_arrays(params);
  if (!arrays) return unexpected(arrays.error());
  const std::string text(sql);
  if (given_up_) return answer(0, "statement");
  return answer(PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                  arrays->values.data(), arrays->lengths.data(), arrays->formats.data(),
                                  /*resultFormat=*/0),
                "statement");
}

void PgConnection::prepare(std::string name, std::string sql) {
  // The same statement again is a no-op, so callers may prepare on every use.
  if (auto it = statements_.find(name); it != statements_.end() && it->second == sql) return;
  if (prepared_on_server_.erase(name) > 0) replaced_on_server_.insert(name);
  statements_.insert_or_assign(std::move(name), std::move(sql));
}

Result<Ok, StoreError> PgConnection::ensure_prepared(const std::string& name) {
  if (prepared_on_server_.contains(name)) return Ok{};
  auto it = statements_.find(name);
  if (it == statements_.end())
    return unexpected(make_error(StoreError::Kind::kOther, "no statement prepared as " + name));
  if (replaced_on_server_.contains(name)) {
    // The server still has the earlier definition under this name: drop it first (a failed
    // PQprepare inside a transaction would abort the transaction).
    auto dropped = answer(PQsendQuery(conn_, ("DEALLOCATE " + quote_identifier(name)).c_str()), "DEALLOCATE");
    if (!dropped) return unexpected(dropped.error());
    replaced_on_server_.erase(name);
  }
  auto prepared = answer(PQsendPrepare(conn_, name.c_str(), it->second.c_str(), 0, nullptr), "PREPARE");
  if (!prepared) return unexpected(prepared.error());
  prepared_on_server_.insert(name);
  return Ok{};
}

Result<PgResult, StoreError> PgConnection::exec_prepared(const std::string& name,
                                                         std::initializer_list<PgParam> params) {
  return exec_prepared_params(name, std::span<const PgParam>(params.begin(), params.size()));
}

Result<PgResult, StoreError> PgConnection::exec_prepared_params(const std::string& name,
                                                                std::span<const PgParam> params) {
  auto arrays = to_arrays(params);
  if (!arrays) return unexpected(arrays.error());
  if (given_up_) return answer(0, "statement");
  auto ready = ensure_prepared(name);
  if (!ready) return unexpected(ready.error());
  return answer(PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                    arrays->values.data(), arrays->lengths.data(),
                                    arrays->formats.data(), /*resultFormat=*/0),
                name);
}

Result<Ok, StoreError> PgConnection::exec_script(std::string_view sql) {
  const std::string text(sql);
  // PQexec returns only the last statement's result, but stops at the first error and
  // returns that one, which is all a migration needs.
  auto result = check(PQexec(conn_, text.c_str()));
  if (!result) return unexpected(result.error());
  return Ok{};
}

std::string PgConnection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr) return {};
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

bool PgConnection::is_ok() const { return conn_ != nullptr && !given_up_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::check_alive() {
  if (!is_ok()) return false;
  // A server that ended this session first sends an error (57P01) and then closes the socket;
  // each PQconsumeInput reads one batch, so read while the socket says there is more. Never
  // blocks: poll with a zero timeout, and libpq keeps its socket non-blocking.
  for (int round = 0; round < 8; ++round) {
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (fd.fd < 0 || poll(&fd, 1, 0) <= 0) break;  // nothing (more) to read
    if (PQconsumeInput(conn_) == 0) return false;
    if (!is_ok()) return false;
  }
  return is_ok();
}

Result<Ok, StoreError> PgConnection::reset() {
  prepared_on_server_.clear();  // a new backend knows none of them
  replaced_on_server_.clear();
  if (conn_ == nullptr)
    return unexpected(make_error(StoreError::Kind::kConnectionLost, "connection was moved away"));
  PQreset(conn_);  // closes the old socket first: an answer still on its way is dropped
  given_up_ = false;
  if (PQstatus(conn_) != CONNECTION_OK) {
    StoreError error = error_from_connection(conn_, "cannot reconnect to PostgreSQL");
    error.kind = StoreError::Kind::kConnectionLost;
    return unexpected(std::move(error));
  }
  PQsetNoticeProcessor(conn_, ignore_libpq_notice, nullptr);
  return Ok{};
}

bool PgConnection::in_transaction() const {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

int PgConnection::backend_pid() const { return is_ok() ? PQbackendPID(conn_) : 0; }

}  // namespace illhub::store
