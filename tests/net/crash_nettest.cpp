// illd killed with SIGKILL at random moments under a load of whole loans, and restarted (on the
// same port or a new one), many times over. Peers ask for receipts and send again whatever was
// not acknowledged (tests/net/loan_traffic.hpp). The oracle is the peers' own record:
//   - lost 0: every acknowledged APDU is in the events table, and reached its recipient;
//   - applied twice 0: one accepted event per APDU, one outbox row per event, every loan ends
//     RETURNED/CHECKED-IN on both sides;
//   - the ledger balances: every currency sums to zero, and every item came back;
//   - every outbox row is delivered in the end.
//
// ILLHUB_CRASH_ITERATIONS (default 8) sets the number of kills, ILLHUB_CRASH_SEED the seed of
// the moments and ports (printed, so that a failing run can be repeated). tools/crash-test
// runs it long.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "net/illd_fixture.hpp"
#include "net/loan_traffic.hpp"

namespace illhub::test {
namespace {

constexpr int kPairs = 6;

long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

class CrashUnderLoad : public IlldFixture {
 protected:
  /// (qualifier, kind) → count of a query's rows, for the checks against the peers' record.
  std::map<ApduKey, int> counts(const std::string& sql) {
    std::map<ApduKey, int> out;
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << r.error().describe();
    if (!r) return out;
    for (int i = 0; i < r->rows(); ++i)
      out[{std::string(r->get(i, 0)), std::stoi(std::string(r->get(i, 1)))}] = std::stoi(std::string(r->get(i, 2)));
    return out;
  }

  /// Starts illd on `port` (0: any free port).
  void start_on(std::uint16_t port) {
    IlldLaunch launch;
    launch.log_level = "info";
    if (port != 0) launch.args = {"--set", "listen.address=127.0.0.1:" + std::to_string(port)};
    ASSERT_TRUE(illd_.start(conninfo_, launch)) << illd_.error();
    if (port != 0) {
      ASSERT_EQ(illd_.port(), port);
    }
  }
};

TEST_F(CrashUnderLoad, SigkillAtRandomMomentsLosesNothingAndAppliesNothingTwice) {
  const long iterations = env_number("ILLHUB_CRASH_ITERATIONS", 8);
  const auto seed = static_cast<std::uint32_t>(env_number("ILLHUB_CRASH_SEED", std::random_device{}()));
  std::cout << "crash test: " << iterations << " kills, seed " << seed << " (ILLHUB_CRASH_SEED=" << seed
            << " repeats this run)" << std::endl;
  std::mt19937 rng(seed);
  for (int i = 0; i < kPairs; ++i) {
    const LoanPair p = loan_pair(i);
    add_peer(p.borrower, p.borrower_address + "/32");
    add_peer(p.lender, p.lender_address + "/32");
  }
  text("UPDATE peers SET receipts = true RETURNING symbol");

  LoanTraffic traffic(kPairs, "K");
  std::uint16_t port = 0;
  const auto started = std::chrono::steady_clock::now();
  for (long kill = 1; kill <= iterations; ++kill) {
    // Half the restarts reuse the port: the peers' addresses and the TIME_WAIT sockets the
    // killed listener left behind must not stop it.
    const bool same_port = port != 0 && rng() % 2 == 0;
    ASSERT_NO_FATAL_FAILURE(start_on(same_port ? port : 0));
    port = illd_.port();
    ASSERT_TRUE(traffic.connect(port)) << traffic.error() << "\n" << illd_.log();
    const auto load = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 700)(rng));
    ASSERT_TRUE(traffic.run_for(load, true)) << traffic.error() << "\n" << illd_.log();
    illd_.kill_hard();
    traffic.collect_and_close(std::chrono::milliseconds(100));
    illd_.remove_log();  // one log per start: only the last run's is kept
    std::cout << "kill " << kill << " after " << load.count() << " ms on " << (same_port ? "the same" : "a new")
              << " port: " << traffic.acknowledged().size() << " APDUs acknowledged, " << traffic.resends()
              << " sent again, " << traffic.repeats() << " repeats so far" << std::endl;
  }

  // A last start: the loans in progress are finished (no new ones), and whatever was
  // acknowledged reaches its recipient (claims of the killed nodes are taken over after a few
  // seconds, so this is bounded generously).
  ASSERT_NO_FATAL_FAILURE(start_on(0));
  ASSERT_TRUE(traffic.connect(illd_.port())) << traffic.error();
  for (int round = 0; round < 600 && !(traffic.loans_complete() && traffic.all_delivered()); ++round)
    ASSERT_TRUE(traffic.run_for(std::chrono::milliseconds(100), false)) << traffic.error() << "\n" << illd_.log();
  // If something is still missing: where the outbox stands, per recipient.
  if (!traffic.all_delivered())
    std::cout << "undelivered: "
              << text("SELECT string_agg(recipient_symbol || ' ' || status || ' x' || n || ' attempts<=' || a || ' ' || "
                      "coalesce(e, ''), '; ') FROM (SELECT recipient_symbol, status, count(*) n, max(attempts) a, "
                      "max(last_error) e FROM outbox WHERE status <> 'delivered' GROUP BY 1, 2) x")
              << std::endl;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int duplicates = 0;
  for (const auto& [key, n] : traffic.deliveries()) duplicates += n - 1;
  std::cout << "crash test: " << traffic.loans_begun() << " loans, " << traffic.acknowledged().size()
            << " APDUs acknowledged, " << traffic.sends() << " sent (" << traffic.resends() << " again after a kill, "
            << traffic.repeats() << " of those already on record), " << duplicates
            << " delivered a second time, " << seconds << " s" << std::endl;
  ASSERT_TRUE(traffic.loans_complete()) << "loans still unfinished after the last restart\n" << illd_.log();
  EXPECT_GE(traffic.loans_begun(), kPairs);

  // Lost 0: each acknowledged APDU reached its recipient and is on record, once.
  for (const auto& [key, bytes] : traffic.acknowledged())
    EXPECT_TRUE(traffic.deliveries().count(key)) << key.first << " kind " << key.second << " never delivered";
  const auto events = counts(
      "SELECT t.qualifier, e.apdu_kind, count(*) FROM events e JOIN transactions t ON t.id = e.transaction_id "
      "WHERE e.direction = 'in' AND e.accepted GROUP BY 1, 2");
  for (const auto& [key, bytes] : traffic.acknowledged()) {
    const auto found = events.find(key);
    EXPECT_EQ(found == events.end() ? 0 : found->second, 1) << key.first << " kind " << key.second;
  }
  // Applied twice 0, and nothing on record the peers did not send.
  EXPECT_EQ(events.size(), traffic.acknowledged().size());
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE NOT accepted"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), std::to_string(traffic.loans_begun()));
  EXPECT_EQ(text("SELECT count(*) FROM transactions WHERE requester_state <> 15 OR responder_state <> 15"), "0")
      << "every loan ends checked in on both sides";
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT event_id FROM outbox GROUP BY 1 HAVING count(*) > 1) x"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), std::to_string(traffic.acknowledged().size()));
  // Raw bytes on record are what the peers sent.
  EXPECT_EQ(text("SELECT count(*) FROM events e JOIN outbox o ON o.event_id = e.id WHERE o.apdu <> e.raw_ber"), "0");

  // The ledger balances: every currency in all, every event, and every account's items.
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT currency FROM ledger_postings GROUP BY 1 HAVING sum(amount) <> 0) x"),
            "0");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT event_id, currency FROM ledger_postings GROUP BY 1, 2 "
                 "HAVING sum(amount) <> 0) x"),
            "0");
  EXPECT_EQ(text("SELECT count(*) FROM (SELECT account FROM ledger_postings WHERE currency = 'ITM' GROUP BY 1 "
                 "HAVING sum(amount) <> 0) x"),
            "0");
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings WHERE currency = 'ITM'"),
            std::to_string(4 * traffic.loans_begun()))
      << "an item out and back per loan, posted once";

  // Every outbox row delivered in the end.
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status <> 'delivered'", "0", std::chrono::seconds(20)))
      << text("SELECT string_agg(id || ':' || status || ':' || coalesce(last_error, ''), ', ') FROM outbox "
              "WHERE status <> 'delivered'");
}

// Found by the test above: the sweep looked only at rows whose next attempt was due, so a row
// leased to a killed node (due to another node after dead_node_grace, 3 s) waited for the
// whole lease (60 s) unless something else woke its recipient: a new row or a reconnect.
TEST_F(CrashUnderLoad, ARowLeftLeasedByADeadNodeIsDeliveredSoonAfterTheGraceWithNothingElseWakingItsRecipient) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  start_illd();
  TestPeer borrower, lender;
  ASSERT_TRUE(borrower.connect(illd_.port(), kBorrowerAddress)) << borrower.error();
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();
  const Bytes request = apdu(kIllRequest, "GHOST", "100000");
  ASSERT_TRUE(borrower.send(request));
  ASSERT_EQ(lender.receive(), request);
  ASSERT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "1"));
  // What a node killed between sending and marking leaves behind: a row it leased 10 s ago,
  // its lease still running, its LISTEN connection ('illd-node-gone') long gone. Written
  // behind illd's back, so no NOTIFY wakes anybody: only the sweep can find it.
  text("INSERT INTO outbox (event_id, transaction_id, recipient_symbol, apdu, claimed_by, claimed_at, next_attempt_at) "
       "SELECT event_id, transaction_id, recipient_symbol, apdu, 'gone', now() - interval '10 s', "
       "now() + interval '60 s' FROM outbox RETURNING id");
  EXPECT_EQ(lender.receive(std::chrono::seconds(8)), request) << "still waiting for the dead node's lease\n"
                                                               << illd_.log();
  EXPECT_TRUE(eventually("SELECT count(*) FROM outbox WHERE status = 'delivered'", "2"));
}

}  // namespace
}  // namespace illhub::test
