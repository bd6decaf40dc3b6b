#pragma once
// A migrated database with member libraries for the rota planner's tests, files written to a
// temporary directory, and the illctl binary at hand.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "illctl_runner.hpp"
#include "illhub/store/migrator.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::test {

class RoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = fresh_database();
    conn_.emplace(connect_or_abort(conninfo_));
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    dir_ = make_temp_dir("illhub-routing");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  void add_peers(const std::vector<std::string>& symbols) {
    for (const std::string& s : symbols)
      ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, delivery_mode) VALUES ($1, 'connection')", {s}));
  }

  /// Writes `content` to a file in the test's directory; its path.
  std::string file(const std::string& name, const std::string& content) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  IllctlRun ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", conninfo_});
    return run_illctl(args);
  }

  std::int64_t count(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? r->get_int64(0, 0).value_or(-1) : -1;
  }

  /// A transaction row as the hub would keep it: `requester` asked `responder`, whose state
  /// is `responder_state` (3 IN-PROCESS: in hand; 15 CHECKED-IN: supplied).
  void transaction(const std::string& requester, const std::string& responder, int responder_state) {
    const std::string q = "T" + std::to_string(++transactions_);
    ASSERT_TRUE(conn_->exec("INSERT INTO transactions (initial_requester, group_qualifier, qualifier, "
                            "requester_symbol, responder_symbol, requester_state, responder_state) "
                            "VALUES ($1, 'G', $2, $1, $3, 2, $4)",
                            {requester, q, responder, responder_state}));
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  std::filesystem::path dir_;
  int transactions_ = 0;
};

inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace illhub::test
