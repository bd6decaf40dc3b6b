#pragma once
// IlldFixture: one real illd process per test against a fresh database (migrated), peers
// registered by SQL, and helpers to poll the database and read reports with YAZ and our codec.
// Every wait is bounded; illd is stopped by its PID (SIGTERM, must exit 0) after each test.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/pg_connection.hpp"
#include "net/illd_process.hpp"
#include "net/test_peer.hpp"
#include "support/pg_cluster.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::test {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

inline constexpr const char* kBorrowerAddress = "127.0.0.2";
inline constexpr const char* kLenderAddress = "127.0.0.3";
inline constexpr const char* kStrangerAddress = "127.0.0.9";

enum Kind : int {
  kIllRequest = 1, kShipped = 3, kIllAnswer = 4, kReceived = 8, kReturned = 10, kCheckedIn = 11, kStatusQuery = 18
};

/// The APDUs of a whole loan in order, each with whether the borrower sends it.
inline const std::vector<std::pair<int, bool>> kLoanSteps = {
    {kIllRequest, true}, {kIllAnswer, false}, {kShipped, false},
    {kReceived, true},   {kReturned, true},   {kCheckedIn, false}};

class IlldFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = fresh_database();
    auto conn = store::PgConnection::connect(conninfo_);
    ASSERT_TRUE(conn) << conn.error().describe();
    conn_.emplace(std::move(conn).value());
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
  }

  void TearDown() override {
    if (HasFailure() && illd_.pid() > 0) std::cerr << "--- illd log ---\n" << illd_.log();
    // SIGTERM: illd stops gracefully and exits 0 (a hang or crash shows here).
    if (illd_.pid() > 0) {
      EXPECT_EQ(illd_.stop(), 0) << illd_.log();
    }
    if (!HasFailure()) illd_.remove_log();  // kept in /tmp when a test failed
  }

  void add_peer(const std::string& symbol, const std::string& network, const std::string& mode = "connection",
                const std::string& endpoint = "") {
    auto r = conn_->exec(
        "INSERT INTO peers (symbol, name, delivery_mode, endpoint, allowed_networks) "
        "VALUES ($1, $1, $2, NULLIF($3, ''), ARRAY[$4]::cidr[])",
        {symbol, mode, endpoint, network});
    ASSERT_TRUE(r) << r.error().describe();
  }

  void start_illd() { ASSERT_TRUE(illd_.start(conninfo_)) << illd_.error(); }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  /// Polls `sql` until it returns `want` (bounded).
  bool eventually(const std::string& sql, const std::string& want, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (text(sql) == want) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  static Bytes apdu(int kind, const std::string& qualifier, const std::string& time) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.time = time;
    return testing::yaz_encode_sample(kind, o);
  }

  /// The Status-Or-Error-Report `frame` must be, decoded by YAZ and by our codec; with an
  /// error report unless `error_report` is false.
  static std::string report_dump(const std::optional<Bytes>& frame, bool error_report = true) {
    EXPECT_TRUE(frame) << "no answer from the hub";
    if (!frame) return {};
    const auto yaz = testing::yaz_decode(*frame);
    EXPECT_TRUE(yaz.ok) << yaz.error;
    EXPECT_EQ(yaz.kind, 19) << yaz.dump;
    auto ours = codec::decode(*frame);
    EXPECT_TRUE(ours);
    if (ours) {
      EXPECT_EQ(codec::read_envelope(*ours).has_error_report, error_report);
    }
    return yaz.dump;
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  IlldProcess illd_;
};

}  // namespace illhub::test
