// plan_rota against real holdings, a loaded policy and a transaction history; illctl rota.
#include "illhub/routing/holdings_store.hpp"
#include "illhub/routing/planner.hpp"
#include "illhub/routing/policy_store.hpp"
#include "routing_fixture.hpp"

namespace illhub::test {
namespace {

const char* const kPolicy = R"([consortium]
currency = "EUR"
[libraries."NAT"]
role = "national-centre"
region = "capital"
charge = "6.00"
[libraries."N-CTR"]
role = "regional-centre"
region = "north"
[libraries."N-A"]
region = "north"
[libraries."N-B"]
region = "north"
charge = "2.00"
[libraries."S-A"]
region = "south"
item_types = ["monograph"]
[libraries."BOR"]
region = "north"
)";

class PlannerTest : public RoutingTest {
 protected:
  void SetUp() override {
    RoutingTest::SetUp();
    add_peers({"NAT", "N-CTR", "N-A", "N-B", "S-A", "BOR", "OFF"});
    const IllctlRun loaded = ctl({"policy", "load", file("policy.toml", kPolicy)});
    ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
    // Everybody holds the ISBN; S-A and OFF catalogued it without one (title and author only).
    std::string csv = "symbol,isbn,title,author\n";
    for (const char* s : {"NAT", "N-CTR", "N-A", "N-B", "BOR"}) csv += std::string(s) + ",0-306-40615-2,The Stranger,Camus\n";
    csv += "S-A,,Stranger,\"Camus, Albert\"\nOFF,,The stranger,Camus\n";
    const IllctlRun imported = ctl({"holdings", "import", "--format", "csv", file("h.csv", csv)});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    ASSERT_TRUE(conn_->exec("UPDATE peers SET enabled = false WHERE symbol = 'OFF'"));
  }

  std::vector<std::string> lenders(const routing::Rota& rota) {
    std::vector<std::string> out;
    for (const auto& e : rota.lenders) out.push_back(e.lender);
    return out;
  }

  routing::RotaRequest request() {
    routing::RotaRequest q;
    q.borrower = "BOR";
    q.isbn = "978-0-306-40615-7";
    return q;
  }
};

TEST_F(PlannerTest, OrdersIdentifierHoldersByTierAndCostAndNamesThePolicyVersion) {
  auto rota = routing::plan_rota(*conn_, request());
  ASSERT_TRUE(rota) << rota.error().describe();
  EXPECT_EQ(rota->policy_version, 1);
  // N-A and N-B are local; N-B charges, so N-A first (equal load); then the regional centre,
  // then the national centre. S-A and OFF hold it only by title: the ISBN matched others.
  EXPECT_EQ(lenders(*rota), (std::vector<std::string>{"N-A", "N-B", "N-CTR", "NAT"}));
  EXPECT_TRUE(has(rota->lenders[0].reason, "tier 1 (local: region north); holds ISBN 9780306406157")) << rota->lenders[0].reason;
  EXPECT_TRUE(has(rota->lenders[1].reason, "charge 2.00 EUR")) << rota->lenders[1].reason;
  EXPECT_TRUE(has(rota->lenders[3].reason, "tier 3 (national centre)")) << rota->lenders[3].reason;
}

TEST_F(PlannerTest, LoadFromTheTransactionsTableMovesABusyLibraryBack) {
  for (int i = 0; i < 5; ++i) transaction("BOR", "N-A", 3);  // five requests in hand at N-A
  auto rota = routing::plan_rota(*conn_, request());
  ASSERT_TRUE(rota) << rota.error().describe();
  ASSERT_GE(rota->lenders.size(), 2u);
  EXPECT_EQ(rota->lenders[0].lender, "N-B");
  EXPECT_TRUE(has(rota->lenders[1].reason, "load 6.00 (lent 0 + 5 in hand, borrowed 0)")) << rota->lenders[1].reason;
}

TEST_F(PlannerTest, FallsBackToTitleAndAuthorAndAppliesThePolicyFilters) {
  routing::RotaRequest q;
  q.borrower = "BOR";
  q.isbn = "9780140449136";  // held by nobody
  q.title = "The stranger";
  q.author = "Albert Camus";
  q.item_type = 2;           // serial: S-A lends monographs only
  auto ranked = routing::explain_rota(*conn_, q);
  ASSERT_TRUE(ranked) << ranked.error().describe();
  // Matched by title and author: all seven holders; the borrower, a disabled peer and a
  // library that lends no serials left off.
  EXPECT_EQ(lenders(ranked->rota), (std::vector<std::string>{"N-A", "N-B", "N-CTR", "NAT"}));
  EXPECT_TRUE(has(ranked->rota.lenders[0].reason, "holds title \"stranger\" and author \"camus\"")) << ranked->rota.lenders[0].reason;
  ASSERT_EQ(ranked->excluded.size(), 3u);
  EXPECT_EQ(ranked->excluded[0].lender, "BOR");
  EXPECT_EQ(ranked->excluded[1].lender, "OFF");
  EXPECT_EQ(ranked->excluded[1].reason, "peer disabled");
  EXPECT_EQ(ranked->excluded[2].reason, "does not lend serial items (lends monograph)");
}

TEST_F(PlannerTest, AnUnknownItemOrNoPolicyStillAnswers) {
  routing::RotaRequest q = request();
  q.isbn = "9780140449136";
  auto nobody = routing::plan_rota(*conn_, q);
  ASSERT_TRUE(nobody) << nobody.error().describe();
  EXPECT_TRUE(nobody->lenders.empty());
  EXPECT_EQ(nobody->policy_version, 1);
}

TEST_F(RoutingTest, WithoutAPolicyEveryHolderGetsTheBuiltInDefaults) {
  add_peers({"BOR", "X", "Y"});
  ASSERT_EQ(ctl({"holdings", "import", "--format", "csv",
                 file("h.csv", "symbol,issn\nY,0317-8471\nX,03178471\nBOR,0317-8471\n")}).exit_code, 0);
  routing::RotaRequest q;
  q.borrower = "BOR";
  q.issn = "0317-8471";
  auto rota = routing::plan_rota(*conn_, q);
  ASSERT_TRUE(rota) << rota.error().describe();
  EXPECT_EQ(rota->policy_version, 0);
  ASSERT_EQ(rota->lenders.size(), 2u);
  EXPECT_EQ(rota->lenders[0].lender, "X");
  EXPECT_TRUE(has(rota->lenders[0].reason, "tier 2 (regional: no region); holds ISSN 03178471")) << rota->lenders[0].reason;
}

TEST_F(PlannerTest, IllctlRotaPrintsTheOrderAndTheReasons) {
  const IllctlRun r = ctl({"rota", "--borrower", "BOR", "--title", "Stranger", "--author", "Camus",
                           "--no-charges", "--tried", "N-A"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "policy version 1\n")) << r.out;
  EXPECT_TRUE(has(r.out, "rota for BOR (2 lenders)")) << r.out;
  EXPECT_TRUE(has(r.out, "  1. N-CTR ")) << r.out;
  EXPECT_TRUE(has(r.out, "  2. S-A ")) << r.out;
  EXPECT_TRUE(has(r.out, "N-A              already asked for this request")) << r.out;
  EXPECT_TRUE(has(r.out, "N-B              charges 2.00 EUR; the request accepts no charge")) << r.out;
  EXPECT_TRUE(has(r.out, "NAT              charges 6.00 EUR")) << r.out;
  const IllctlRun none = ctl({"rota", "--borrower", "BOR", "--isbn", "9780140449136"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(has(none.out, "rota for BOR (0 lenders)")) << none.out;
  EXPECT_TRUE(has(none.err, "no lender can supply this request")) << none.err;
  EXPECT_EQ(ctl({"rota", "--borrower", "BOR"}).exit_code, 1);
}

}  // namespace
}  // namespace illhub::test
