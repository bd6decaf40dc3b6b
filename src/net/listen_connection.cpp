// open_listen_connection: PQconnectStartParams + PQconnectPoll, then PQsendQuery + PQflush +
// PQconsumeInput, every wait on the socket through PgSocketWait.
#include "illhub/net/listen_connection.hpp"

#include <libpq-fe.h>

#include "illhub/store/libpq_text.hpp"

namespace illhub::net {

namespace {

using store::ignore_libpq_notice;
using store::trimmed_libpq_message;

/// The connection's last error, as libpq words it.
std::string error_of(pg_conn* conn) { return trimmed_libpq_message(PQerrorMessage(conn)); }

// Each step of a connect is a few messages (TCP or socket connect, start-up, authentication
// rounds, parameters): far fewer than this. The bound only stops a loop that would never end.
constexpr int kMaxConnectSteps = 1000;

// The channel TransactionStore::apply() NOTIFYs on. A constant: no SQL is composed here.
constexpr const char* kListenCommand = "LISTEN illhub_outbox";

std::string failure(PgSocketWait::Outcome outcome, const std::string& during, std::chrono::milliseconds timeout,
                    pg_conn* conn) {
  switch (outcome) {
    case PgSocketWait::Outcome::kTimedOut:
      return during + " timed out after " + std::to_string(timeout.count()) + " ms";
    case PgSocketWait::Outcome::kCancelled:
      return "cancelled";
    case PgSocketWait::Outcome::kFailed:
    case PgSocketWait::Outcome::kReady:
      break;
  }
  return during + ": cannot watch the connection's socket: " + error_of(conn);
}

}  // namespace

void PgConnCloser::operator()(pg_conn* conn) const { PQfinish(conn); }

asio::awaitable<Result<OwnedPgConn, std::string>> open_listen_connection(PgSocketWait& waits,
                                                                         const std::string& conninfo,
                                                                         const std::string& application_name,
                                                                         std::chrono::milliseconds timeout) {
  using Outcome = PgSocketWait::Outcome;
  using For = PgSocketWait::For;
  if (waits.cancelled()) co_return unexpected(std::string("cancelled"));
  waits.set_deadline(std::chrono::steady_clock::now() + timeout);

  // Keywords before dbname are defaults the conninfo may override; those after it override
  // the conninfo (libpq's rule with expand_dbname).
  const char* keys[] = {"fallback_application_name", "dbname", "application_name", nullptr};
  const char* values[] = {"illhub", conninfo.c_str(), application_name.c_str(), nullptr};
  OwnedPgConn conn(PQconnectStartParams(keys, values, /*expand_dbname=*/1));
  const std::string connecting = "cannot connect to PostgreSQL";
  if (!conn) co_return unexpected(connecting + ": out of memory");
  if (PQstatus(conn.get()) == CONNECTION_BAD) co_return unexpected(connecting + ": " + error_of(conn.get()));

  // libpq's rule: before the first PQconnectPoll, behave as if it had asked to write.
  PostgresPollingStatusType polled = PGRES_POLLING_WRITING;
  for (int step = 0; polled != PGRES_POLLING_OK; ++step) {
    if (polled == PGRES_POLLING_FAILED) co_return unexpected(connecting + ": " + error_of(conn.get()));
    if (step == kMaxConnectSteps) co_return unexpected(connecting + ": no end after " + std::to_string(step) + " steps");
    const Outcome ready = co_await waits.wait(conn.get(), polled == PGRES_POLLING_READING ? For::kRead : For::kWrite);
    if (ready != Outcome::kReady) co_return unexpected(failure(ready, "connecting to PostgreSQL", timeout, conn.get()));
    polled = PQconnectPoll(conn.get());
  }
  PQsetNoticeProcessor(conn.get(), ignore_libpq_notice, nullptr);
  // From here on no libpq call waits for the server: sends queue, reads take what is there.
  if (PQsetnonblocking(conn.get(), 1) != 0)
    co_return unexpected("cannot make the connection non-blocking: " + error_of(conn.get()));

  const std::string listening = kListenCommand;  // for messages
  if (PQsendQuery(conn.get(), kListenCommand) == 0)
    co_return unexpected(listening + " failed: " + error_of(conn.get()));
  for (int flushed = PQflush(conn.get()); flushed != 0; flushed = PQflush(conn.get())) {
    if (flushed < 0) co_return unexpected(listening + " failed: " + error_of(conn.get()));
    const Outcome ready = co_await waits.wait(conn.get(), For::kWrite);
    if (ready != Outcome::kReady) co_return unexpected(failure(ready, listening, timeout, conn.get()));
  }
  // One result (COMMAND_OK or the error), then none. Every round waits, so the deadline bounds it.
  std::string error;
  for (;;) {
    while (PQisBusy(conn.get())) {
      const Outcome ready = co_await waits.wait(conn.get(), For::kRead);
      if (ready != Outcome::kReady) co_return unexpected(failure(ready, listening, timeout, conn.get()));
      if (PQconsumeInput(conn.get()) == 0)
        co_return unexpected(listening + " failed: " + error_of(conn.get()));
    }
    PGresult* result = PQgetResult(conn.get());
    if (result == nullptr) break;
    if (PQresultStatus(result) != PGRES_COMMAND_OK && error.empty())
      error = listening + " failed: " + trimmed_libpq_message(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (!error.empty()) co_return unexpected(error);
  waits.set_deadline(std::chrono::steady_clock::time_point::max());
  co_return std::move(conn);
}

}  // namespace illhub::net
