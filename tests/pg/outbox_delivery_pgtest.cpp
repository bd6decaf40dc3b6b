// The delivery side's database calls against a real PostgreSQL: marking many sent rows in one
// statement (net::OutboxStore::mark_delivered, used by net::DeliveredMarks), and the outbox
// listener telling this node's own NOTIFYs from other nodes' (ConnectionPool::owns_backend).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "illhub/net/delivered_marks.hpp"
#include "illhub/net/outbox_listener.hpp"
#include "illhub/net/outbox_store.hpp"
#include "illhub/store/connection_pool.hpp"
#include "illhub/store/migrator.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::net {
namespace {

using namespace std::chrono_literals;

class OutboxDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::fresh_database();
    conn_.emplace(test::connect_or_abort(conninfo_));
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES ('IRL:LEN', 'Lender', 'connection')"));
    pool_.emplace(store::PoolOptions{conninfo_, 2});
  }

  /// A pending outbox row for IRL:LEN (with the event it relays); returns its id.
  std::int64_t add_row() {
    auto r = conn_->exec(
        "WITH e AS (INSERT INTO events (direction, peer_symbol, apdu_kind, accepted, raw_ber) "
        "           VALUES ('in', 'IRL:LEN', 1, true, '\\x01') RETURNING id) "
        "INSERT INTO outbox (event_id, recipient_symbol, apdu) SELECT id, 'IRL:LEN', '\\x01' FROM e RETURNING id");
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r->get_int64(0, 0) : 0;
  }

  std::string status_of(std::int64_t id) {
    auto r = conn_->exec("SELECT status || CASE WHEN delivered_at IS NULL THEN '' ELSE '+at' END FROM outbox WHERE id = $1",
                         {id});
    return r && r->rows() == 1 ? std::string(r->get(0, 0)) : "?";
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  std::optional<store::ConnectionPool> pool_;
};

TEST_F(OutboxDeliveryTest, MarksExactlyTheRowsGivenDeliveredInOneCall) {
  OutboxStore outbox(*pool_, DeliveryOptions{}, "node1");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(add_row());
  auto claimed = outbox.claim("IRL:LEN");
  ASSERT_TRUE(claimed) << claimed.error().describe();
  ASSERT_EQ(claimed->size(), 4u);
  ASSERT_TRUE(conn_->exec("UPDATE outbox SET status = 'failed' WHERE id = $1", {ids[3]}));

  auto marked = outbox.mark_delivered({ids[0], ids[2], ids[3]});
  ASSERT_TRUE(marked) << marked.error().describe();
  EXPECT_EQ(status_of(ids[0]), "delivered+at");
  EXPECT_EQ(status_of(ids[1]), "pending");  // not named: untouched
  EXPECT_EQ(status_of(ids[2]), "delivered+at");
  EXPECT_EQ(status_of(ids[3]), "failed");  // no longer pending: left alone
  EXPECT_TRUE(outbox.mark_delivered({}));  // nothing to do, no statement
}

TEST_F(OutboxDeliveryTest, AClaimAfterTheMarkTakesTheRowsBehindTheMarkedOnes) {
  // A sent row still leased holds back the recipient's later rows; once marked it does not.
  OutboxStore outbox(*pool_, DeliveryOptions{}, "node1");
  const std::int64_t first = add_row();
  auto claimed = outbox.claim("IRL:LEN");
  ASSERT_TRUE(claimed && claimed->size() == 1u);
  const std::int64_t second = add_row();
  auto held = outbox.claim("IRL:LEN");
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->empty());
  ASSERT_TRUE(outbox.mark_delivered({first}));
  auto next = outbox.claim("IRL:LEN");
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ(next->front().id, second);
}

TEST_F(OutboxDeliveryTest, RowsSentByManyPumpsAtOnceAreMarkedInOneStatement) {
  OutboxStore outbox(*pool_, DeliveryOptions{}, "node1");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(add_row());
  ASSERT_TRUE(outbox.claim("IRL:LEN"));
  boost::asio::io_context io;
  boost::asio::thread_pool db(1);
  DeliveredMarks marks(io.get_executor(), db, outbox, 1s);
  int confirmed = 0;
  // Five pumps, each having just written its row, ask at the same moment.
  for (std::int64_t id : ids) {
    boost::asio::co_spawn(
        io, [&marks, &confirmed, id]() -> boost::asio::awaitable<void> { confirmed += co_await marks.mark(id) ? 1 : 0; },
        boost::asio::detached);
  }
  io.run();
  EXPECT_EQ(confirmed, 5);
  EXPECT_EQ(marks.statements(), 1u);
  for (std::int64_t id : ids) EXPECT_EQ(status_of(id), "delivered+at");
  // A row sent later goes in a statement of its own.
  boost::asio::co_spawn(
      io, [&marks, &confirmed, id = add_row()]() -> boost::asio::awaitable<void> { confirmed += co_await marks.mark(id) ? 1 : 0; },
      boost::asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(confirmed, 6);
  EXPECT_EQ(marks.statements(), 2u);
  db.join();
}

TEST(ConnectionPoolBackends, KnowsItsOwnServerProcessesAfterReconnectsAndNoOthers) {
  const std::string db = test::fresh_database();
  store::ConnectionPool pool({db, 2, 5s});
  auto stranger = test::connect_or_abort(db);
  int pid = 0;
  {
    auto lease = pool.acquire();
    ASSERT_TRUE(lease);
    pid = (*lease)->backend_pid();
  }
  EXPECT_TRUE(pool.owns_backend(pid));
  EXPECT_FALSE(pool.owns_backend(stranger.backend_pid()));
  EXPECT_FALSE(pool.owns_backend(0));
  ASSERT_TRUE(stranger.exec("SELECT pg_terminate_backend($1)", {pid}));
  for (int i = 0; i < 100 && pool.owns_backend(pid); ++i) {
    auto lease = pool.acquire();  // finds the connection broken and reconnects it
    std::this_thread::sleep_for(20ms);
  }
  auto lease = pool.acquire();
  ASSERT_TRUE(lease);
  EXPECT_FALSE(pool.owns_backend(pid));
  EXPECT_TRUE(pool.owns_backend((*lease)->backend_pid()));
}

TEST_F(OutboxDeliveryTest, ListenerSkipsNotifiesFromThisNodesOwnConnections) {
  boost::asio::io_context io;
  std::vector<std::string> woken;
  OutboxListener listener(io.get_executor(), conninfo_, "test", [&](const std::string& r) { woken.push_back(r); },
                          [] {}, [this](int pid) { return pool_->owns_backend(pid); });
  boost::asio::co_spawn(io, listener.run(), boost::asio::detached);
  // LISTEN is in place once the listener's connection shows in pg_stat_activity as listening.
  for (int i = 0; i < 500; ++i) {
    io.run_for(10ms);
    auto r = conn_->exec("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'illd-node-test' "
                         "AND query = 'LISTEN illhub_outbox'");
    if (r && r->get(0, 0) == "1") break;
  }
  {
    auto own = pool_->acquire();
    ASSERT_TRUE(own);
    ASSERT_TRUE((*own)->exec("SELECT pg_notify('illhub_outbox', 'FROM:OWN')"));
  }
  ASSERT_TRUE(conn_->exec("SELECT pg_notify('illhub_outbox', 'FROM:OTHER')"));  // another node
  // Notifications arrive in commit order: once the other node's is in, ours was read before it.
  for (int i = 0; i < 500 && woken.empty(); ++i) io.run_for(10ms);
  listener.stop();
  io.run_for(100ms);
  EXPECT_EQ(woken, std::vector<std::string>{"FROM:OTHER"});
}

}  // namespace
}  // namespace illhub::net
