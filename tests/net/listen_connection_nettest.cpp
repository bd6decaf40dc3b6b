// open_listen_connection in-process against the test cluster: the name it gives its
// connection, NOTIFYs arriving on it, and its failures (a refused port, a missing database, a
// black-holed link timing out, a cancel) - each while a timer on the same io_context keeps
// ticking, which a blocking connect would stop.
#include "illhub/net/listen_connection.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <thread>

#include "support/fault_proxy.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Opened = Result<net::OwnedPgConn, std::string>;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A 20-ms ticker on the io_context: how often it ran tells whether the thread was free.
struct Ticker {
  explicit Ticker(asio::io_context& io) : timer(io) { arm(); }
  void arm() {
    timer.expires_after(20ms);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      ++ticks;
      arm();
    });
  }
  void stop() {
    stopped = true;
    timer.cancel();
  }
  asio::steady_timer timer;
  int ticks = 0;
  bool stopped = false;
};

class ListenConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = fresh_database();
    conn_.emplace(connect_or_abort(conninfo_));
  }

  /// Runs one open_listen_connection to its end on a fresh io_context (bounded by `budget`),
  /// with a Ticker beside it; `cancel_after` cancels the attempt that long after it started.
  Opened open(const std::string& conninfo, std::chrono::milliseconds timeout,
              std::optional<std::chrono::milliseconds> cancel_after = std::nullopt,
              std::chrono::milliseconds budget = 20s) {
    asio::io_context io;
    net::PgSocketWait waits(io.get_executor());
    Ticker ticker(io);
    asio::steady_timer canceller(io);
    if (cancel_after) {
      canceller.expires_after(*cancel_after);
      canceller.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) waits.cancel();
      });
    }
    std::optional<Opened> result;
    const auto started = Clock::now();
    // co_spawn's completion wants a default-constructible result; Result is not: store it here.
    auto attempt = [&]() -> asio::awaitable<void> {
      auto r = co_await net::open_listen_connection(waits, conninfo, "illd-node-test", timeout);
      result.emplace(std::move(r));
      elapsed_ = Clock::now() - started;
      ticker.stop();
      canceller.cancel();
    };
    asio::co_spawn(io, attempt, asio::detached);
    io.run_for(budget);
    ticks_ = ticker.ticks;
    if (!result) {
      ADD_FAILURE() << "open_listen_connection did not finish within " << budget.count() << " ms";
      return unexpected(std::string("(unfinished)"));
    }
    return std::move(*result);
  }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  std::unique_ptr<FaultProxy> proxy() {
    return FaultProxy::to_unix(shared_cluster().cluster().socket_dir() / ".s.PGSQL.5432");
  }
  std::string through(const FaultProxy& p) {
    return conninfo_ + " host=127.0.0.1 port=" + std::to_string(p.port()) + " sslmode=disable";
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  Clock::duration elapsed_{};
  int ticks_ = 0;
};

TEST_F(ListenConnection, OpensUnderItsOwnNameListensAndReceivesNotifies) {
  // A name in the conninfo does not win: other nodes look for illd-node-<id>.
  auto opened = open(conninfo_ + " application_name=someone-else", 10s);
  ASSERT_TRUE(opened) << opened.error();
  pg_conn* pg = opened->get();
  EXPECT_EQ(PQstatus(pg), CONNECTION_OK);
  EXPECT_EQ(PQisnonblocking(pg), 1);
  const std::string pid = std::to_string(PQbackendPID(pg));
  EXPECT_EQ(text("SELECT application_name FROM pg_stat_activity WHERE pid = " + pid), "illd-node-test");
  EXPECT_EQ(text("SELECT query FROM pg_stat_activity WHERE pid = " + pid), "LISTEN illhub_outbox");

  ASSERT_TRUE(conn_->exec("NOTIFY illhub_outbox, 'IRL:LEN'"));
  std::string got;
  for (int i = 0; i < 200 && got.empty(); ++i) {
    ASSERT_EQ(PQconsumeInput(pg), 1) << PQerrorMessage(pg);
    if (PGnotify* n = PQnotifies(pg)) {
      got = n->extra ? n->extra : "";
      EXPECT_EQ(std::string(n->relname), "illhub_outbox");
      PQfreemem(n);
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  EXPECT_EQ(got, "IRL:LEN");
}

TEST_F(ListenConnection, ARefusedPortFailsWithLibpqsReason) {
  std::uint16_t closed_port = 0;
  {
    auto p = proxy();
    closed_port = p->port();
  }  // nobody listens there any more
  auto opened = open(conninfo_ + " host=127.0.0.1 port=" + std::to_string(closed_port), 10s);
  ASSERT_FALSE(opened);
  EXPECT_TRUE(contains(opened.error(), "cannot connect to PostgreSQL: ")) << opened.error();
  EXPECT_TRUE(contains(opened.error(), "refused")) << opened.error();
}

TEST_F(ListenConnection, AMissingDatabaseFailsWithTheServersReason) {
  auto opened = open(conninfo_ + " dbname=no_such_database", 10s);
  ASSERT_FALSE(opened);
  EXPECT_TRUE(contains(opened.error(), "cannot connect to PostgreSQL: ")) << opened.error();
  EXPECT_TRUE(contains(opened.error(), "no_such_database")) << opened.error();
}

TEST_F(ListenConnection, ABlackHoledLinkTimesOutWhileTheThreadServesOthers) {
  auto p = proxy();
  p->set_both({FaultMode::kBlackHole});
  auto opened = open(through(*p), 600ms);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), "connecting to PostgreSQL timed out after 600 ms");
  EXPECT_GE(elapsed_, 600ms);
  // Ticks every 20 ms during 600 ms: a connect that held the thread would leave about none.
  EXPECT_GE(ticks_, 10) << "the io_context's thread was held while connecting";
  EXPECT_GE(p->discarded(Direction::kUpstream), 1u) << "the start-up packet never reached the hole";
}

TEST_F(ListenConnection, CancelEndsAnAttemptInTheMiddle) {
  auto p = proxy();
  p->set_both({FaultMode::kBlackHole});
  auto opened = open(through(*p), 10s, 300ms, 5s);  // finishing within 5 s: the 10 s did not run out
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), "cancelled");
  EXPECT_LT(elapsed_, 5s);
}

TEST_F(ListenConnection, ALinkResetDuringTheConnectFailsAtOnceWithLibpqsReason) {
  auto p = proxy();
  // The server's first byte back is the last: the connection is reset mid-login.
  p->set(Direction::kDownstream, {FaultMode::kResetAfter, 0ms, 1});
  auto opened = open(through(*p), 10s);
  ASSERT_FALSE(opened);
  EXPECT_TRUE(contains(opened.error(), "cannot connect to PostgreSQL: ")) << opened.error();
  EXPECT_LT(elapsed_, 5s) << "a reset waited for the timeout";
}

}  // namespace
}  // namespace illhub::test
