// Faults between the hub and PostgreSQL, under a stream of requests: illd's database link
// through a FaultProxy (black hole, reset), its backends terminated, PostgreSQL stopped with an
// immediate shutdown and started again. Each time: illd lives on, acknowledges nothing it has
// not committed, answers a temporary error, commits again within 5 s of the database being
// back, and in the end every request is recorded exactly once. Each test has a PostgreSQL of
// its own (a ScratchCluster), so stopping it disturbs no other test.
#include <gtest/gtest.h>

#include <signal.h>

#include <functional>
#include <map>

#include "illhub/codec/render.hpp"
#include "net/illd_fixture.hpp"
#include "support/fault_proxy.hpp"

namespace illhub::test {
namespace {

using Clock = std::chrono::steady_clock;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string json_of(const Bytes& frame) {
  auto decoded = codec::decode(frame);
  return decoded ? codec::to_json(*decoded) : std::string();
}

std::string qualifier_of(const Bytes& frame) {
  auto decoded = codec::decode(frame);
  return decoded ? codec::read_envelope(*decoded).transaction_id.qualifier : std::string();
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class DatabaseFaults : public IlldFixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scratch_.ok()) << scratch_.error();
    conninfo_ = scratch_.fresh_database();
    reconnect();
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    // The throwaway cluster runs with synchronous_commit off, so an immediate shutdown would
    // lose commits illd had acknowledged (the server's doing, not illd's): on, as in production.
    text("ALTER DATABASE " + conninfo_dbname() + " SET synchronous_commit = on");
    reconnect();
    EXPECT_EQ(text("SHOW synchronous_commit"), "on");
    add_peer("IRL:BOR", "127.0.0.2/32");
    add_peer("IRL:LEN", "127.0.0.3/32");
  }

  std::string conninfo_dbname() { return text("SELECT quote_ident(current_database())"); }

  /// The test's own connection (direct, never through the proxy), after a restart too.
  void reconnect() {
    conn_.reset();
    auto conn = store::PgConnection::connect(conninfo_);
    ASSERT_TRUE(conn) << conn.error().describe();
    conn_.emplace(std::move(conn).value());
  }

  /// A proxy in front of the cluster's Unix socket, and the conninfo that reaches the same
  /// database through it (later keywords override earlier ones).
  std::string through(FaultProxy& proxy) {
    return conninfo_ + " host=127.0.0.1 port=" + std::to_string(proxy.port()) + " sslmode=disable";
  }
  std::unique_ptr<FaultProxy> database_proxy() {
    return FaultProxy::to_unix(scratch_.cluster().socket_dir() / ".s.PGSQL.5432");
  }

  void connect_peers() {
    ASSERT_TRUE(borrower_.connect(illd_.port(), kBorrowerAddress)) << borrower_.error();
    ASSERT_TRUE(lender_.connect(illd_.port(), kLenderAddress)) << lender_.error();
  }

  static Bytes request(const std::string& qualifier) { return apdu(kIllRequest, qualifier, "170000"); }

  /// Sends one request and waits (bounded) until the lender has it (true) or the borrower got
  /// an answer instead (false: `refusal` holds its JSON).
  bool relayed_or_refused(const std::string& qualifier, std::string& refusal, std::chrono::milliseconds patience = 30s) {
    EXPECT_TRUE(borrower_.send(request(qualifier)));
    const auto deadline = Clock::now() + patience;
    while (Clock::now() < deadline) {
      if (const auto got = lender_.receive(50ms)) {
        const std::string q = qualifier_of(*got);
        ++relayed_[q];
        if (q == qualifier) return true;
      }
      if (const auto answer = borrower_.receive(50ms)) {
        refusal = json_of(*answer);
        return false;
      }
    }
    ADD_FAILURE() << "request " << qualifier << " neither relayed nor answered within "
                  << patience.count() << " ms\n" << illd_.log();
    refusal = "(nothing)";
    return false;
  }

  /// Sends `qualifier` again and again until it is relayed (bounded by `patience`); the time it took.
  double retry_until_relayed(const std::string& qualifier, std::chrono::milliseconds patience = 15s) {
    const auto started = Clock::now();
    const auto deadline = started + patience;
    while (Clock::now() < deadline) {
      std::string refusal;
      if (relayed_or_refused(qualifier, refusal, 10s)) return seconds_since(started);
      EXPECT_TRUE(contains(refusal, "temporary")) << refusal;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << qualifier << " never relayed\n" << illd_.log();
    return seconds_since(started);
  }

  /// `count` requests Q0..Q{count-1}; `fault` runs before request `at`, `heal` before request
  /// `heal_at`. Every request refused meanwhile is sent again after the heal until relayed.
  /// Checks that each refusal was temporary, that nothing is lost or recorded twice, and
  /// returns the seconds from the heal to the first commit after it.
  double load_with_fault(const std::string& prefix, int count, int at, const std::function<void()>& fault,
                         const std::function<void()>& heal) {
    std::vector<std::string> refused;
    int refused_while_healthy = 0;
    bool faulty = false;
    for (int i = 0; i < count; ++i) {
      if (i == at) {
        fault();
        faulty = true;
      }
      const std::string q = prefix + std::to_string(i);
      std::string refusal;
      if (!relayed_or_refused(q, refusal)) {
        EXPECT_TRUE(contains(refusal, "resource-limitation") && contains(refusal, "temporary")) << refusal;
        refused.push_back(q);
        if (!faulty) ++refused_while_healthy;
      }
    }
    EXPECT_EQ(refused_while_healthy, 0);
    EXPECT_FALSE(refused.empty()) << "the fault went unnoticed: nothing was refused";
    heal();
    const auto healed = Clock::now();
    double recovery = -1;  // until the first refused request is relayed
    for (const std::string& q : refused) {
      retry_until_relayed(q);
      if (recovery < 0) recovery = seconds_since(healed);
    }
    EXPECT_EQ(::kill(illd_.pid(), 0), 0) << "illd died";
    reconnect();
    for (int i = 0; i < count; ++i) {
      const std::string q = prefix + std::to_string(i);
      EXPECT_EQ(relayed_[q], 1) << q << " relayed " << relayed_[q] << " times";
    }
    expect_recorded_once(count);
    return recovery;
  }

  /// Every request is in the database once: one transaction, one accepted event, one outbox
  /// row each, and the ledger balances.
  void expect_recorded_once(int count) {
    const std::string n = std::to_string(count);
    EXPECT_EQ(text("SELECT count(*) FROM transactions"), n);
    EXPECT_EQ(text("SELECT count(*) FROM events WHERE accepted AND apdu_kind = 1"), n);
    EXPECT_EQ(text("SELECT count(DISTINCT transaction_id) FROM events WHERE accepted AND apdu_kind = 1"), n);
    EXPECT_EQ(text("SELECT count(*) FROM outbox"), n);
    EXPECT_EQ(text("SELECT coalesce(sum(amount), 0) FROM ledger_postings"), "0");
  }

  ScratchCluster scratch_;
  TestPeer borrower_, lender_;
  std::map<std::string, int> relayed_;  // qualifier -> times the lender got it
};

TEST_F(DatabaseFaults, ABlackHoledDatabaseLinkIsAnsweredTemporarilyAndCommitsAgainOnceItIsBack) {
  auto proxy = database_proxy();
  ASSERT_TRUE(illd_.start(through(*proxy))) << illd_.error();
  connect_peers();
  // Two requests meet the hole: the first waits out the answer timeout (5 s), the second a
  // reconnect's connect timeout (10 s). Longer than the 30 s in which delivery retries marking
  // a row it sent just before, and the recipient would get that row twice (at-least-once).
  const double recovery = load_with_fault(
      "B", 4, 2, [&] { proxy->set_both({FaultMode::kBlackHole}); },
      [&] { proxy->set_both({FaultMode::kPass}); });
  std::cout << "[ measured ] black-holed database link: first commit " << recovery << " s after the link was back\n";
  EXPECT_LT(recovery, 5.0);
}

TEST_F(DatabaseFaults, AResetDatabaseLinkIsAnsweredTemporarilyAndCommitsAgainOnceItIsBack) {
  auto proxy = database_proxy();
  ASSERT_TRUE(illd_.start(through(*proxy))) << illd_.error();
  connect_peers();
  const double recovery = load_with_fault(
      "R", 8, 3,
      [&] {
        // Every connection, open or new, is cut after a few more bytes towards PostgreSQL:
        // in the middle of a statement or of the login.
        proxy->set(Direction::kUpstream, {FaultMode::kResetAfter, 0ms, 30});
      },
      [&] { proxy->set(Direction::kUpstream, {FaultMode::kPass}); });
  std::cout << "[ measured ] reset database link: first commit " << recovery << " s after the link was back\n";
  EXPECT_LT(recovery, 5.0);
}

TEST_F(DatabaseFaults, TerminatingIlldsBackendsUnderLoadLosesNothingAndAppliesNothingTwice) {
  start_illd();
  connect_peers();
  // Three rounds: terminate every backend of illd's (the LISTEN connection names itself
  // illd-node-..., the pool's connections illhub) while requests keep coming.
  auto terminate = [&] {
    return text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND (application_name LIKE 'illd-node-%' OR application_name = 'illhub')");
  };
  int terminated = 0;
  constexpr int kRequests = 30;
  for (int i = 0; i < kRequests; ++i) {
    if (i % 10 == 5) terminated += std::stoi(terminate());
    std::string refusal;
    const std::string q = "T" + std::to_string(i);
    if (!relayed_or_refused(q, refusal)) {
      EXPECT_TRUE(contains(refusal, "temporary")) << refusal;
      retry_until_relayed(q);
    }
  }
  EXPECT_GE(terminated, 3) << "no backend of illd's was found to terminate";
  EXPECT_EQ(::kill(illd_.pid(), 0), 0) << "illd died";
  for (int i = 0; i < kRequests; ++i) EXPECT_EQ(relayed_["T" + std::to_string(i)], 1) << i;
  expect_recorded_once(kRequests);
  // The LISTEN connection came back too: a request relayed at once, not at the next sweep.
  EXPECT_TRUE(eventually("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'illd-node-%'", "1"));
}

TEST_F(DatabaseFaults, AnImmediateShutdownUnderLoadIsAnsweredTemporarilyAndCommitsWithinFiveSecondsOfTheRestart) {
  start_illd();
  connect_peers();
  const double recovery = load_with_fault(
      "I", 8, 3,
      [&] {
        conn_.reset();
        // pg_ctl stop -m immediate is SIGQUIT to the postmaster: no checkpoint, backends
        // killed, crash recovery at the next start.
        const auto pid = scratch_.cluster().postmaster_pid();
        ASSERT_TRUE(pid);
        ASSERT_EQ(::kill(*pid, SIGQUIT), 0);
        for (int i = 0; i < 200 && store::process_alive(*pid); ++i) std::this_thread::sleep_for(50ms);
        ASSERT_FALSE(store::process_alive(*pid)) << "PostgreSQL did not stop";
      },
      [&] { ASSERT_TRUE(scratch_.cluster().start_if_stopped()) << "cannot start PostgreSQL again"; });
  std::cout << "[ measured ] immediate shutdown: first commit " << recovery << " s after PostgreSQL accepted connections\n";
  EXPECT_LT(recovery, 5.0);
}

}  // namespace
}  // namespace illhub::test
