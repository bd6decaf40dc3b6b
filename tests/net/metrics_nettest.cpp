// illd's status port end to end: a real illd, real PostgreSQL, YAZ-encoded APDUs from peers on
// their own loopback addresses, and plain HTTP scrapes of /metrics, /healthz, /readyz. Every
// wait is bounded.
#include <gtest/gtest.h>

#include <thread>

#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"
#include "net/http_client.hpp"
#include "net/illd_process.hpp"
#include "net/test_peer.hpp"
#include "support/pg_cluster.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::test {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

enum Kind { kIllRequest = 1, kReturned = 10 };

Bytes apdu(int kind, const std::string& qualifier, const std::string& time) {
  testing::SampleOptions o;
  o.qualifier = qualifier;
  o.time = time;
  return testing::yaz_encode_sample(kind, o);
}

void migrate_and_add_peers(const std::string& conninfo) {
  auto conn = connect_or_abort(conninfo);
  auto migrated = store::Migrator(store::embedded_migrations()).migrate(conn);
  ASSERT_TRUE(migrated) << migrated.error().describe();
  for (const auto& [symbol, network] : {std::pair{"IRL:BOR", "127.0.0.2/32"}, std::pair{"IRL:LEN", "127.0.0.3/32"}}) {
    auto r = conn.exec(
        "INSERT INTO peers (symbol, name, delivery_mode, allowed_networks) "
        "VALUES ($1, $1, 'connection', ARRAY[$2]::cidr[])",
        {symbol, network});
    ASSERT_TRUE(r) << r.error().describe();
  }
}

class MetricsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && illd_.pid() > 0) std::cerr << "--- illd log ---\n" << illd_.log();
    if (illd_.pid() > 0) {
      EXPECT_EQ(illd_.stop(), 0) << illd_.log();
    }
    if (!HasFailure()) illd_.remove_log();
  }

  std::string scrape() {
    const auto r = http_get(illd_.metrics_port(), "/metrics");
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  }

  /// Scrapes until `series` has `want` (bounded): counters that move after a reply was sent
  /// (delivery is marked after the write) and gauges read from the database once a second.
  bool eventually(const std::string& series, double want, std::string* last = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string text;
    while (std::chrono::steady_clock::now() < deadline) {
      text = scrape();
      if (sample(text, series) == want) return true;
      std::this_thread::sleep_for(100ms);
    }
    if (last) *last = text;
    return false;
  }

  IlldProcess illd_;
};

TEST_F(MetricsTest, CountsRelayedRefusedMalformedAndUnauthorisedApdusExactly) {
  const std::string conninfo = fresh_database();
  migrate_and_add_peers(conninfo);
  ASSERT_TRUE(illd_.start(conninfo)) << illd_.error();

  // Before any traffic: no APDU series, nothing open, an empty outbox.
  std::string text = scrape();
  EXPECT_EQ(text.find("illhub_apdus_total{"), std::string::npos) << text;
  EXPECT_EQ(sample(text, "illhub_connections_open"), 0);
  EXPECT_EQ(sample(text, "illhub_outbox_pending"), 0);
  EXPECT_EQ(sample(text, "illhub_outbox_failed"), 0);
  EXPECT_EQ(sample(text, "illhub_commit_latency_seconds_count"), 0);

  // An ILL-Request for a lender that is not connected: accepted, waits in the outbox.
  TestPeer borrower;
  ASSERT_TRUE(borrower.connect(illd_.port(), "127.0.0.2")) << borrower.error();
  const Bytes request = apdu(kIllRequest, "METRICS", "170001");
  ASSERT_TRUE(borrower.send(request));
  EXPECT_TRUE(eventually("illhub_outbox_pending", 1, &text)) << text;
  const auto offline_since = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(500ms);

  // The lender connects and gets it.
  TestPeer lender;
  ASSERT_TRUE(lender.connect(illd_.port(), "127.0.0.3")) << lender.error();
  const auto got = lender.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, request);
  const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - offline_since;

  // Refused by the state tables: Returned before anything was shipped.
  ASSERT_TRUE(borrower.send(apdu(kReturned, "METRICS", "170002")));
  ASSERT_TRUE(borrower.receive());
  // Not an ILL APDU: [APPLICATION 1] holding an INTEGER.
  ASSERT_TRUE(borrower.send({0x61, 0x03, 0x02, 0x01, 0x05}));
  ASSERT_TRUE(borrower.receive());
  // From an address IRL:BOR may not use.
  TestPeer stranger;
  ASSERT_TRUE(stranger.connect(illd_.port(), "127.0.0.9")) << stranger.error();
  ASSERT_TRUE(stranger.send(apdu(kIllRequest, "STRANGER", "170003")));
  ASSERT_TRUE(stranger.receive());

  ASSERT_TRUE(eventually("illhub_deliveries_total{result=\"delivered\"}", 1, &text)) << text;
  EXPECT_TRUE(eventually("illhub_outbox_pending", 0, &text)) << text;
  text = scrape();
  EXPECT_EQ(sample(text, "illhub_apdus_total{kind=\"ILL-Request\",result=\"accepted\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_apdus_total{kind=\"Returned\",result=\"refused\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_apdus_total{kind=\"unknown\",result=\"malformed\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_apdus_total{kind=\"ILL-Request\",result=\"unauthorised\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_refusals_total{reason=\"state-transition-prohibited\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_refusals_total{reason=\"security-problem\"}"), 1) << text;
  EXPECT_EQ(sample(text, "illhub_refusals_total{reason=\"general-problem:badly-structured-APDU\"}"), 1) << text;
  // Exactly these series and no others (e.g. no duplicate, no store failure).
  int apdu_series = 0, refusal_series = 0;
  for (std::size_t at = 0; (at = text.find("\nillhub_apdus_total{", at)) != std::string::npos; ++at) ++apdu_series;
  for (std::size_t at = 0; (at = text.find("\nillhub_refusals_total{", at)) != std::string::npos; ++at) ++refusal_series;
  EXPECT_EQ(apdu_series, 4) << text;
  EXPECT_EQ(refusal_series, 3) << text;
  // apply() ran for the accepted and the refused APDU only.
  EXPECT_EQ(sample(text, "illhub_commit_latency_seconds_count"), 2) << text;
  EXPECT_EQ(sample(text, "illhub_commit_latency_seconds_bucket{le=\"+Inf\"}"), 2) << text;
  EXPECT_EQ(sample(text, "illhub_connections_total{origin=\"accepted\"}"), 3) << text;
  EXPECT_EQ(sample(text, "illhub_connections_open"), 3) << text;
  EXPECT_EQ(sample(text, "illhub_outbox_failed"), 0) << text;
  // The one delivery waited at least as long as the lender was away.
  EXPECT_EQ(sample(text, "illhub_delivery_latency_seconds_count"), 1) << text;
  const auto latency = sample(text, "illhub_delivery_latency_seconds_sum");
  ASSERT_TRUE(latency);
  EXPECT_GE(*latency, 0.5) << text;
  EXPECT_LE(*latency, waited.count() + 5) << text;  // and is not from another clock's epoch

  stranger.close();
  borrower.close();
  EXPECT_TRUE(eventually("illhub_connections_open", 1, &text)) << text;
}

TEST_F(MetricsTest, HealthzAnswersAndReadyzFollowsTheDatabase) {
  ScratchCluster scratch;  // of its own: this test stops it
  ASSERT_TRUE(scratch.ok()) << scratch.error();
  const std::string conninfo = scratch.fresh_database();
  migrate_and_add_peers(conninfo);
  ASSERT_TRUE(illd_.start(conninfo)) << illd_.error();
  const std::uint16_t port = illd_.metrics_port();

  auto health = http_get(port, "/healthz");
  ASSERT_TRUE(health.ok) << health.error;
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  auto ready = http_get(port, "/readyz");
  ASSERT_TRUE(ready.ok) << ready.error;
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body, "ready\n");
  const auto missing = http_get(port, "/nothing-here");
  ASSERT_TRUE(missing.ok) << missing.error;
  EXPECT_EQ(missing.status, 404);

  // PostgreSQL goes away: not ready, with a one-line reason; still alive.
  const auto old_pid = scratch.cluster().postmaster_pid();
  if (old_pid) unwatch_postmaster(*old_pid);
  auto stopped = scratch.cluster().stop();
  ASSERT_TRUE(stopped) << stopped.error().describe();
  bool unready = false;
  for (int i = 0; i < 100 && !unready; ++i) {
    ready = http_get(port, "/readyz");
    ASSERT_TRUE(ready.ok) << ready.error;
    unready = ready.status == 503;
    if (!unready) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(unready) << ready.status << " " << ready.body;
  EXPECT_EQ(ready.body.rfind("not ready: database: ", 0), 0u) << ready.body;
  EXPECT_EQ(ready.body.find('\n'), ready.body.size() - 1) << ready.body;
  health = http_get(port, "/healthz");
  ASSERT_TRUE(health.ok) << health.error;
  EXPECT_EQ(health.status, 200);
  // The outbox gauges cannot be read: left out rather than shown stale.
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text = scrape();
    if (!sample(text, "illhub_outbox_pending")) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(sample(text, "illhub_outbox_pending")) << text;
  EXPECT_TRUE(sample(text, "illhub_connections_open")) << text;

  // It comes back: ready again, with no restart of illd.
  auto restarted = scratch.cluster().restart();
  ASSERT_TRUE(restarted) << restarted.error().describe();
  if (const auto pid = scratch.cluster().postmaster_pid()) watch_postmaster(*pid);
  bool ready_again = false;
  for (int i = 0; i < 100 && !ready_again; ++i) {
    ready = http_get(port, "/readyz");
    ASSERT_TRUE(ready.ok) << ready.error;
    ready_again = ready.status == 200;
    if (!ready_again) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(ready_again) << ready.status << " " << ready.body;
}

}  // namespace
}  // namespace illhub::test
