#pragma once
// A database with a real event history for the operator-command tests (illctl tail, show,
// attention, resend, override): migrated, three member libraries, and APDUs applied by the
// real TransactionStore from the YAZ-encoded samples in tests/data/apdu, re-keyed per
// transaction.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "codec/asn1_types.hpp"
#include "illctl_runner.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/golden_apdu.hpp"
#include "support/pg_cluster.hpp"

namespace illhub::test {

inline constexpr const char* kBorrower = "IRL:BOR";
inline constexpr const char* kLender = "IRL:LEN";

/// The YAZ sample of `kind`, moved to transaction `qualifier` with service time `time`.
inline codec::Apdu sample_apdu(codec::ApduKind kind, const std::string& qualifier, const std::string& time) {
  return golden_apdu(kind, qualifier, time);
}

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = fresh_database();
    conn_.emplace(connect_or_abort(conninfo_));
    auto migrated = store::Migrator(store::embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES "
                            "('IRL:BOR', 'Borrower', 'connection'), ('IRL:LEN', 'Lender', 'connection'), "
                            "('IRL:AAA', 'Another', 'connection')"));
    pool_.emplace(store::PoolOptions{conninfo_, 4});
    store_.emplace(*pool_, hub::LedgerPolicy{});
  }

  /// Applies the sample of `kind` to transaction `qualifier`; the outcome.
  hub::Outcome apply(codec::ApduKind kind, const std::string& qualifier, const char* sender) {
    const codec::Apdu apdu = sample_apdu(kind, qualifier, "1000" + std::to_string(10 + step_++ % 90));
    auto r = store_->apply(apdu, sender);
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    return r ? r->outcome : hub::Outcome::kRefused;
  }

  /// illctl --db CONNINFO ARGS...
  IllctlRun ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", conninfo_});
    return run_illctl(args);
  }
  std::vector<std::string> with_db(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--db", conninfo_});
    return args;
  }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  std::string conninfo_;
  std::optional<store::PgConnection> conn_;
  std::optional<store::ConnectionPool> pool_;
  std::optional<store::TransactionStore> store_;
  int step_ = 0;
};

}  // namespace illhub::test
