// The hub as intermediary (docs/ROUTING.md) at the database level: TransactionStore::apply()
// and TimerSweep with a store::Intermediary against a real PostgreSQL. What the rota, the
// transaction and the outbox hold after each step: a lender's unfilled answer moves the request
// on, a passed answer deadline does (through the sweep), the end of the rota answers the
// borrower unfilled; a borrower's Cancel is not undone by moving on; two lenders' answers in the
// same second are two APDUs. APDUs are YAZ-encoded samples; the send-to-list is written with our
// codec (YAZ has no helper for it).
#include "illhub/store/intermediary.hpp"

#include <gtest/gtest.h>

#include "illhub/codec/builders.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/store/migrator.hpp"
#include "illhub/store/timer_sweep.hpp"
#include "illhub/store/transaction_store.hpp"
#include "support/pg_cluster.hpp"
#include "support/yaz_peer.hpp"

namespace illhub::store {
namespace {

using codec::ApduKind;
using hub::Outcome;

constexpr const char* kHub = "IRL:HUB";
constexpr const char* kBorrower = "IRL:BOR";
constexpr int kUnfilled = 3, kWillSupply = 5;

class IntermediaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::fresh_database();
    conn_.emplace(test::connect_or_abort(conninfo_));
    auto migrated = Migrator(embedded_migrations()).migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().describe();
    ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES ('IRL:BOR', 'B', 'connection'), "
                            "('IRL:L1', 'L1', 'connection'), ('IRL:L2', 'L2', 'connection'), "
                            "('IRL:L3', 'L3', 'connection')"));
    pool_.emplace(PoolOptions{conninfo_, 4});
    // An hour to answer: the tests move deadlines into the past themselves.
    intermediary_.emplace(RoutingOptions{kHub, std::chrono::hours(1), empty_planner});
    store_.emplace(*pool_, hub::LedgerPolicy{});
    store_->set_intermediary(&*intermediary_);
    timers_.emplace(*pool_);
    timers_->set_intermediary(&*intermediary_);
  }

  /// The borrower's ILL-Request to the hub with `send_to` as its send-to-list.
  static codec::Apdu request(const std::string& qualifier, const std::vector<std::string>& send_to) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.responder_symbol = kHub;
    auto decoded = codec::decode(testing::yaz_encode_sample(static_cast<int>(ApduKind::kIllRequest), o));
    EXPECT_TRUE(decoded);
    codec::RequestRewrite rewrite;
    rewrite.service_date_time = {o.date, o.time, {}, {}};
    rewrite.responder_id.symbol = kHub;
    rewrite.already_tried = codec::read_envelope(*decoded).already_tried;  // the sample's: IRL:AAA
    for (const auto& s : send_to) rewrite.send_to.push_back(codec::SystemId{s, {}, false, false});
    rewrite.forward_flag = false;
    auto built = codec::build_rewritten_request(*decoded, rewrite);
    EXPECT_TRUE(built) << (built ? "" : built.error().detail);
    return std::move(*built);
  }

  /// An APDU of `kind` on `qualifier` naming `responder`, sent at `time`.
  static codec::Apdu sample(ApduKind kind, const std::string& qualifier, const std::string& responder,
                            const std::string& time, int results = kWillSupply) {
    testing::SampleOptions o;
    o.qualifier = qualifier;
    o.responder_symbol = responder;
    o.time = time;
    o.answer_results = results;
    auto decoded = codec::decode(testing::yaz_encode_sample(static_cast<int>(kind), o));
    EXPECT_TRUE(decoded);
    return std::move(*decoded);
  }

  ApplyResult apply(const codec::Apdu& apdu, const std::string& sender) {
    auto r = store_->apply(apdu, sender);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? std::move(*r) : ApplyResult{};
  }

  std::string text(const std::string& sql) {
    auto r = conn_->exec(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().describe());
    return r && r->rows() ? std::string(r->get(0, 0)) : std::string();
  }

  /// The rota of transaction `qualifier` (empty: of every transaction): "position lender outcome".
  std::string rota(const std::string& qualifier = "") {
    return text("SELECT string_agg(position || ' ' || lender_symbol || ' ' || coalesce(outcome, "
                "CASE WHEN asked_at IS NULL THEN '-' ELSE 'asked' END), ', ' ORDER BY position) "
                "FROM routing_attempts a "
                "JOIN transactions t ON t.id = a.transaction_id WHERE t.qualifier = '" + qualifier + "' OR '" +
                qualifier + "' = ''");
  }
  std::string transaction() {
    return text("SELECT responder_symbol || ' ' || requester_state || '/' || responder_state || ' ' || "
                "rota_exhausted FROM transactions");
  }
  /// Every outbox row not yet looked at: "recipient kind", oldest first (then forgotten).
  std::string new_outbox() {
    const std::string out =
        text("SELECT coalesce(string_agg(o.recipient_symbol || ' ' || e.apdu_kind, ', ' ORDER BY o.id), '') "
             "FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.id > " + std::to_string(seen_outbox_));
    seen_outbox_ = std::stoll(text("SELECT coalesce(max(id), 0) FROM outbox"));
    return out;
  }
  /// The onward ILL-Request to `lender` in the outbox, decoded.
  codec::Envelope onward_to(const std::string& lender) {
    auto r = conn_->exec("SELECT o.apdu FROM outbox o JOIN events e ON e.id = o.event_id "
                         "WHERE o.recipient_symbol = $1 AND e.apdu_kind = 1",
                         {lender});
    EXPECT_TRUE(r && r->rows() == 1);
    if (!r || r->rows() != 1) return {};
    auto apdu = codec::decode(r->get_bytea(0, 0));
    EXPECT_TRUE(apdu);
    return apdu ? codec::read_envelope(*apdu) : codec::Envelope{};
  }
  static std::vector<std::string> tried(const codec::Envelope& e) {
    std::vector<std::string> out;
    for (const auto& id : e.already_tried) out.push_back(id.symbol);
    return out;
  }

  /// One timer sweep on the samples' own date (no expiry or overdue is due then).
  SweepResult sweep(int limit = 100) {
    auto r = timers_->sweep({"20261124", "120000", {}, {}}, limit);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? std::move(*r) : SweepResult{};
  }
  void pass_deadline(int position) {
    ASSERT_TRUE(conn_->exec("UPDATE routing_attempts SET answer_by = now() - interval '1 second' WHERE position = " +
                            std::to_string(position)));
  }

  std::string conninfo_;
  std::optional<PgConnection> conn_;
  std::optional<ConnectionPool> pool_;
  std::optional<Intermediary> intermediary_;
  std::optional<TransactionStore> store_;
  std::optional<TimerSweep> timers_;
  std::int64_t seen_outbox_ = 0;
};

TEST_F(IntermediaryTest, UnfilledThenDeadlineThenUnfilledEndsInTheHubsUnfilledAnswer) {
  const ApplyResult asked = apply(request("R", {"IRL:L1", "IRL:L2", "IRL:L3"}), kBorrower);
  ASSERT_EQ(asked.outcome, Outcome::kAccepted) << asked.decision.reason;
  ASSERT_TRUE(asked.routing);
  EXPECT_EQ(asked.routing->asked, "IRL:L1");
  EXPECT_EQ(asked.decision.recipient_symbol, "IRL:L1");
  EXPECT_EQ(asked.outbox_id, 0) << "the borrower's request itself is not relayed";
  // The onward request to lender 1, then the Forward-Notification (kind 2) to the borrower.
  EXPECT_EQ(new_outbox(), "IRL:L1 1, IRL:BOR 2");
  EXPECT_EQ(tried(onward_to("IRL:L1")), (std::vector<std::string>{"IRL:AAA", kHub}));
  EXPECT_EQ(transaction(), "IRL:L1 2/3 false");
  EXPECT_EQ(rota(), "1 IRL:L1 asked, 2 IRL:L2 -, 3 IRL:L3 -");
  EXPECT_EQ(text("SELECT count(*) FROM routing_attempts WHERE answer_by BETWEEN now() + interval '59 minutes' "
                 "AND now() + interval '61 minutes'"),
            "1");

  // Lender 1 cannot supply: recorded, not relayed; lender 2 is asked.
  const ApplyResult moved = apply(sample(ApduKind::kIllAnswer, "R", "IRL:L1", "110000", kUnfilled), "IRL:L1");
  ASSERT_EQ(moved.outcome, Outcome::kAccepted) << moved.decision.reason;
  ASSERT_TRUE(moved.routing);
  EXPECT_EQ(moved.routing->asked, "IRL:L2");
  EXPECT_EQ(moved.routing->left_outcome, "unfilled");
  EXPECT_EQ(new_outbox(), "IRL:L2 1, IRL:BOR 2");
  EXPECT_EQ(tried(onward_to("IRL:L2")), (std::vector<std::string>{"IRL:AAA", kHub, "IRL:L1"}));
  EXPECT_EQ(transaction(), "IRL:L2 2/3 false");
  EXPECT_EQ(text("SELECT count(*) FROM ledger_postings"), "0");

  // Before lender 2's deadline the sweep leaves it alone; after it, lender 3 is asked.
  EXPECT_TRUE(sweep().routing_recipients.empty());
  EXPECT_EQ(new_outbox(), "");
  pass_deadline(2);
  const SweepResult swept = sweep();
  EXPECT_EQ(swept.routing_recipients, (std::vector<std::string>{"IRL:L3", kBorrower}));
  EXPECT_EQ(new_outbox(), "IRL:L3 1, IRL:BOR 2");
  EXPECT_EQ(rota(), "1 IRL:L1 unfilled, 2 IRL:L2 no-answer, 3 IRL:L3 asked");
  EXPECT_TRUE(sweep().routing_recipients.empty()) << "moved on once";

  // Lender 3's unfilled answer in the very second lender 1 sent its own: a second APDU, not a
  // copy. Nobody is left: the hub answers the borrower unfilled, as the responder.
  const ApplyResult last = apply(sample(ApduKind::kIllAnswer, "R", "IRL:L3", "110000", kUnfilled), "IRL:L3");
  ASSERT_EQ(last.outcome, Outcome::kAccepted) << last.decision.reason;
  ASSERT_TRUE(last.routing);
  EXPECT_EQ(last.routing->asked, "");
  EXPECT_EQ(last.decision.recipient_symbol, kBorrower);
  EXPECT_EQ(new_outbox(), "IRL:BOR 4");
  EXPECT_EQ(transaction(), "IRL:HUB 1/1 true");
  EXPECT_EQ(rota(), "1 IRL:L1 unfilled, 2 IRL:L2 no-answer, 3 IRL:L3 unfilled");
  auto final_answer =
      conn_->exec("SELECT apdu FROM outbox WHERE recipient_symbol = 'IRL:BOR' ORDER BY id DESC LIMIT 1");
  ASSERT_TRUE(final_answer && final_answer->rows() == 1);
  auto answer = codec::decode(final_answer->get_bytea(0, 0));
  ASSERT_TRUE(answer);
  const codec::Envelope a = codec::read_envelope(*answer);
  EXPECT_EQ(a.responder_id.symbol, kHub);
  ASSERT_TRUE(a.transaction_results);
  EXPECT_EQ(*a.transaction_results, codec::TransactionResults::kUnfilled);
  EXPECT_TRUE(testing::yaz_decode(answer->bytes()).ok);

  // Lender 1 sending its answer again is told it was recorded; lender 2 answering late is no
  // party any more. Neither reaches the borrower.
  EXPECT_EQ(apply(sample(ApduKind::kIllAnswer, "R", "IRL:L1", "110000", kUnfilled), "IRL:L1").outcome,
            Outcome::kDuplicate);
  const ApplyResult late = apply(sample(ApduKind::kIllAnswer, "R", "IRL:L2", "120000", kWillSupply), "IRL:L2");
  EXPECT_EQ(late.outcome, Outcome::kRefused);
  EXPECT_NE(late.decision.reason.find("neither requester nor responder"), std::string::npos) << late.decision.reason;
  EXPECT_EQ(new_outbox(), "");
  EXPECT_EQ(text("SELECT count(*) FROM events WHERE direction = 'in' AND accepted"), "3");
}

TEST_F(IntermediaryTest, ASupplyingLendersDeadlineNoLongerCountsSilentOnesAreSweptInBatches) {
  ASSERT_TRUE(apply(request("S", {"IRL:L1", "IRL:L2"}), kBorrower).routing);
  new_outbox();
  const ApplyResult supplies = apply(sample(ApduKind::kIllAnswer, "S", "IRL:L1", "110000", kWillSupply), "IRL:L1");
  ASSERT_EQ(supplies.outcome, Outcome::kAccepted) << supplies.decision.reason;
  EXPECT_FALSE(supplies.routing);
  EXPECT_EQ(new_outbox(), "IRL:BOR 4") << "a supplying answer is relayed as it came";
  EXPECT_EQ(rota(), "1 IRL:L1 supplying, 2 IRL:L2 -");
  pass_deadline(1);
  EXPECT_TRUE(sweep().routing_recipients.empty());
  EXPECT_EQ(new_outbox(), "");

  // Two silent lenders on two other requests. A batch of one moves one and is full ("more");
  // a batch of two then moves the other and is not (it counts requests, not recipients).
  for (const char* q : {"S2", "S3"}) ASSERT_TRUE(apply(request(q, {"IRL:L2", "IRL:L3"}), kBorrower).routing);
  ASSERT_TRUE(conn_->exec("UPDATE routing_attempts a SET answer_by = now() - interval '1 second' FROM transactions t "
                          "WHERE t.id = a.transaction_id AND t.qualifier IN ('S2', 'S3') AND a.position = 1"));
  const SweepResult one = sweep(1);
  EXPECT_EQ(one.routing_recipients, (std::vector<std::string>{"IRL:L3", kBorrower}));
  EXPECT_TRUE(one.more);
  const SweepResult two = sweep(2);
  EXPECT_EQ(two.routing_recipients, (std::vector<std::string>{"IRL:L3", kBorrower}));
  EXPECT_FALSE(two.more);
  EXPECT_EQ(rota("S2"), "1 IRL:L2 no-answer, 2 IRL:L3 asked");
  EXPECT_EQ(rota("S3"), "1 IRL:L2 no-answer, 2 IRL:L3 asked");
}

TEST_F(IntermediaryTest, LocationsALenderProvidesAreAskedRightAfterItWhenTheyAreMembers) {
  constexpr int kLocationsProvided = 4;
  // The YAZ sample's locations-provided answer names IRL:ALT, no member yet: skipped.
  ASSERT_TRUE(apply(request("M", {"IRL:L1", "IRL:L2"}), kBorrower).routing);
  const ApplyResult r = apply(sample(ApduKind::kIllAnswer, "M", "IRL:L1", "110000", kLocationsProvided), "IRL:L1");
  ASSERT_TRUE(r.routing);
  EXPECT_EQ(r.routing->asked, "IRL:L2");
  EXPECT_EQ(rota("M"), "1 IRL:L1 locations-provided, 2 IRL:ALT skipped, 3 IRL:L2 asked");

  // A member: asked next.
  ASSERT_TRUE(conn_->exec("INSERT INTO peers (symbol, name, delivery_mode) VALUES ('IRL:ALT', 'A', 'connection')"));
  ASSERT_TRUE(apply(request("L", {"IRL:L1", "IRL:L2"}), kBorrower).routing);
  new_outbox();
  const ApplyResult first = apply(sample(ApduKind::kIllAnswer, "L", "IRL:L1", "110000", kLocationsProvided), "IRL:L1");
  ASSERT_EQ(first.outcome, Outcome::kAccepted) << first.decision.reason;
  ASSERT_TRUE(first.routing);
  EXPECT_EQ(first.routing->asked, "IRL:ALT");
  EXPECT_EQ(first.routing->left_outcome, "locations-provided");
  EXPECT_EQ(new_outbox(), "IRL:ALT 1, IRL:BOR 2");
  EXPECT_EQ(rota("L"), "1 IRL:L1 locations-provided, 2 IRL:ALT asked, 3 IRL:L2 -");
  EXPECT_EQ(text("SELECT source || ': ' || reason FROM routing_attempts a JOIN transactions t ON t.id = "
                 "a.transaction_id WHERE position = 2 AND qualifier = 'L'"),
            "locations-provided: named by IRL:L1's locations-provided answer");
  // IRL:ALT names itself: already on the rota, recorded as skipped; lender 2 is next.
  const ApplyResult second = apply(sample(ApduKind::kIllAnswer, "L", "IRL:ALT", "110001", kLocationsProvided),
                                   "IRL:ALT");
  ASSERT_TRUE(second.routing);
  EXPECT_EQ(second.routing->asked, "IRL:L2");
  EXPECT_EQ(rota("L"), "1 IRL:L1 locations-provided, 2 IRL:ALT locations-provided, 3 IRL:ALT skipped, 4 IRL:L2 asked");
}

TEST_F(IntermediaryTest, ABorrowersCancelIsNotUndoneByMovingOn) {
  ASSERT_TRUE(apply(request("C", {"IRL:L1", "IRL:L2"}), kBorrower).routing);
  new_outbox();
  // The borrower cancels (to the lender named in the Forward-Notification); lender 1's unfilled
  // answer crosses it. The borrower gets that answer; lender 2 is never asked.
  const ApplyResult cancel = apply(sample(ApduKind::kCancel, "C", "IRL:L1", "110000"), kBorrower);
  ASSERT_EQ(cancel.outcome, Outcome::kAccepted) << cancel.decision.reason;
  EXPECT_EQ(new_outbox(), "IRL:L1 6");
  const ApplyResult crossing = apply(sample(ApduKind::kIllAnswer, "C", "IRL:L1", "110001", kUnfilled), "IRL:L1");
  ASSERT_EQ(crossing.outcome, Outcome::kAccepted) << crossing.decision.reason;
  EXPECT_FALSE(crossing.routing);
  EXPECT_EQ(new_outbox(), "IRL:BOR 4");
  EXPECT_EQ(transaction(), "IRL:L1 1/1 false");
  EXPECT_EQ(rota(), "1 IRL:L1 unfilled, 2 IRL:L2 -");
  pass_deadline(1);
  EXPECT_TRUE(sweep().routing_recipients.empty());
  EXPECT_EQ(text("SELECT count(*) FROM routing_attempts WHERE asked_at IS NOT NULL"), "1");

  // A Cancel the lender accepts: past its deadline its part has "ended"; nobody else is asked.
  ASSERT_TRUE(apply(request("C2", {"IRL:L1", "IRL:L2"}), kBorrower).routing);
  ASSERT_EQ(apply(sample(ApduKind::kCancel, "C2", "IRL:L1", "110000"), kBorrower).outcome, Outcome::kAccepted);
  const ApplyResult reply = apply(sample(ApduKind::kCancelReply, "C2", "IRL:L1", "110001"), "IRL:L1");
  ASSERT_EQ(reply.outcome, Outcome::kAccepted) << reply.decision.reason;
  new_outbox();
  ASSERT_TRUE(conn_->exec(
      "UPDATE routing_attempts SET answer_by = now() - interval '1 second' WHERE asked_at IS NOT NULL"));
  EXPECT_TRUE(sweep().routing_recipients.empty());
  EXPECT_EQ(new_outbox(), "");
  EXPECT_EQ(rota("C2"), "1 IRL:L1 ended, 2 IRL:L2 -");
}

TEST_F(IntermediaryTest, ARequestWithNobodyToAskIsAnsweredUnfilledInTheSameTransaction) {
  const ApplyResult r = apply(request("N", {"IRL:BOR", "IRL:GONE"}), kBorrower);
  ASSERT_EQ(r.outcome, Outcome::kAccepted) << r.decision.reason;
  ASSERT_TRUE(r.routing);
  EXPECT_EQ(r.routing->asked, "");
  EXPECT_EQ(new_outbox(), "IRL:BOR 4");
  EXPECT_EQ(transaction(), "IRL:HUB 1/1 true");
  EXPECT_EQ(rota(), "1 IRL:BOR skipped, 2 IRL:GONE skipped");
  EXPECT_NE(text("SELECT reason FROM routing_attempts WHERE position = 2").find("not a registered, enabled member"),
            std::string::npos);
}

TEST_F(IntermediaryTest, ADirectRequestIsNotRouted) {
  const ApplyResult r = apply(sample(ApduKind::kIllRequest, "D", "IRL:L1", "100000"), kBorrower);
  ASSERT_EQ(r.outcome, Outcome::kAccepted) << r.decision.reason;
  EXPECT_FALSE(r.routing);
  EXPECT_EQ(new_outbox(), "IRL:L1 1");
  EXPECT_EQ(text("SELECT routed_by_hub FROM transactions"), "f");
  // An unfilled answer to a direct request goes to the borrower as before.
  const ApplyResult answer = apply(sample(ApduKind::kIllAnswer, "D", "IRL:L1", "100001", kUnfilled), "IRL:L1");
  EXPECT_FALSE(answer.routing);
  EXPECT_EQ(new_outbox(), "IRL:BOR 4");
}

}  // namespace
}  // namespace illhub::store
