// The ranking as a pure function: tiers, load, cost, and the filters, each with its reason.
#include <gtest/gtest.h>

#include <map>

#include "illhub/routing/ranking.hpp"

namespace illhub::routing {
namespace {

LibraryPolicy lib(const std::string& symbol, const std::string& region, Role role = Role::kMember) {
  LibraryPolicy p;
  p.symbol = symbol;
  p.region = region;
  p.role = role;
  return p;
}

CandidateFacts holder(LibraryPolicy p, std::int64_t lent = 0, std::int64_t borrowed = 0, std::int64_t in_hand = 0) {
  CandidateFacts c;
  c.policy = std::move(p);
  c.matched_by = "ISBN 9780306406157";
  c.lent = lent;
  c.borrowed = borrowed;
  c.in_hand = in_hand;
  return c;
}

class Ranking : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_.version = 7;
    policy_.libraries.push_back(lib("BOR", "north"));
    request_.borrower = "BOR";
  }
  std::vector<std::string> order(std::vector<CandidateFacts> candidates) {
    const RankedRota r = rank_candidates(request_, policy_, std::move(candidates));
    std::vector<std::string> out;
    for (const RotaEntry& e : r.rota.lenders) out.push_back(e.lender);
    return out;
  }
  LendingPolicy policy_;
  RotaRequest request_;
};

TEST_F(Ranking, AsksLocalThenRegionalThenTheNationalCentre) {
  const auto o = order({holder(lib("NAT", "north", Role::kNationalCentre)), holder(lib("FAR", "south")),
                        holder(lib("OWNCTR", "north", Role::kRegionalCentre)), holder(lib("NEAR", "north")),
                        holder(lib("SOUTHCTR", "south", Role::kRegionalCentre))});
  EXPECT_EQ(o, (std::vector<std::string>{"NEAR", "OWNCTR", "FAR", "SOUTHCTR", "NAT"}));
}

TEST_F(Ranking, TierWinsOverLoad) {
  // The local library is busy, the far one idle: still local first.
  const auto o = order({holder(lib("FAR", "south")), holder(lib("NEAR", "north"), 40, 2, 5)});
  EXPECT_EQ(o, (std::vector<std::string>{"NEAR", "FAR"}));
}

TEST_F(Ranking, WithinATierTheLessLoadedFirst) {
  // load = (lent + in hand + 1) / (borrowed + 1)
  const auto o = order({holder(lib("BIG", "north"), 90, 9, 0),     // 9.1
                        holder(lib("FAIR", "north"), 10, 10, 0),   // 1.0
                        holder(lib("BUSY", "north"), 2, 10, 20)}); // 2.09
  EXPECT_EQ(o, (std::vector<std::string>{"FAIR", "BUSY", "BIG"}));
}

TEST_F(Ranking, CostDecidesBetweenSimilarLoadsOnly) {
  LibraryPolicy cheap = lib("CHEAP", "north"), dear = lib("DEAR", "north");
  dear.charge = 50000;
  // Loads 1.0 and 1.1 share the band [1.0, 1.25): the cheaper goes first though a little busier.
  EXPECT_EQ(order({holder(dear, 0, 0, 0), holder(cheap, 10, 9, 0)}), (std::vector<std::string>{"CHEAP", "DEAR"}));
  // Equal charges in one band: the exact load decides.
  dear.charge = 0;
  EXPECT_EQ(order({holder(dear, 0, 0, 0), holder(cheap, 10, 9, 0)}), (std::vector<std::string>{"DEAR", "CHEAP"}));
  dear.charge = 50000;
  // Far apart in load: the less loaded goes first whatever it costs.
  EXPECT_EQ(order({holder(dear, 0, 0, 0), holder(cheap, 30, 9, 0)}), (std::vector<std::string>{"DEAR", "CHEAP"}));
}

TEST_F(Ranking, LeavesOutWhoeverThePolicyOrTheRequestRulesOut) {
  LibraryPolicy off = lib("OFF", "north"), serials = lib("NOSERIAL", "north"), copies = lib("COPYONLY", "north"),
                dear = lib("DEAR", "north"), full = lib("FULL", "north");
  off.enabled = false;
  serials.item_types = {1};
  copies.services = {2};
  dear.charge = 25000;
  full.max_in_hand = 3;
  CandidateFacts disabled = holder(lib("DISABLED", "north"));
  disabled.peer_enabled = false;
  request_.item_type = 2;
  request_.service_types = {1};
  request_.borrower_accepts_charges = false;
  request_.already_tried = {"TRIED"};
  policy_.rules.currency = "EUR";
  const RankedRota r = rank_candidates(
      request_, policy_,
      {holder(off), holder(serials), holder(copies), holder(dear), holder(full, 0, 0, 3), disabled,
       holder(lib("TRIED", "north")), holder(lib("BOR", "north")), holder(lib("OK", "south"))});
  ASSERT_EQ(r.rota.lenders.size(), 1u);
  EXPECT_EQ(r.rota.lenders[0].lender, "OK");
  EXPECT_EQ(r.rota.policy_version, 7);
  std::map<std::string, std::string> why;
  for (const Exclusion& e : r.excluded) why[e.lender] = e.reason;
  EXPECT_EQ(why["OFF"], "does not lend (policy: enabled = false)");
  EXPECT_EQ(why["NOSERIAL"], "does not lend serial items (lends monograph)");
  EXPECT_EQ(why["COPYONLY"], "offers copy-non-returnable; the borrower accepts loan");
  EXPECT_EQ(why["DEAR"], "charges 2.50 EUR; the request accepts no charge");
  EXPECT_EQ(why["FULL"], "has 3 requests in hand (its limit is 3)");
  EXPECT_EQ(why["DISABLED"], "peer disabled");
  EXPECT_EQ(why["TRIED"], "already asked for this request");
  EXPECT_EQ(why["BOR"], "is the borrower");
  EXPECT_EQ(r.excluded.size(), 8u);
}

TEST_F(Ranking, SaysWhyInWords) {
  LibraryPolicy near = lib("NEAR", "north");
  near.charge = 15000;
  const RankedRota r = rank_candidates(request_, policy_, {holder(near, 4, 5, 1)});
  ASSERT_EQ(r.rota.lenders.size(), 1u);
  EXPECT_EQ(r.rota.lenders[0].reason,
            "tier 1 (local: region north); holds ISBN 9780306406157; load 1.00 (lent 4 + 1 in hand, borrowed 5); "
            "charge 1.50 EUR; loan 28 days");
}

TEST_F(Ranking, ABorrowerWithoutARegionHasNoLocalTier) {
  request_.borrower = "NOWHERE";
  const RankedRota r = rank_candidates(request_, policy_, {holder(lib("NEAR", "north"))});
  ASSERT_EQ(r.rota.lenders.size(), 1u);
  EXPECT_NE(r.rota.lenders[0].reason.find("tier 2 (regional: region north)"), std::string::npos)
      << r.rota.lenders[0].reason;
}

TEST_F(Ranking, TheSameInputGivesTheSameOrder) {
  std::vector<CandidateFacts> c;
  for (const char* s : {"E", "C", "A", "D", "B"}) c.push_back(holder(lib(s, "north")));
  EXPECT_EQ(order(c), (std::vector<std::string>{"A", "B", "C", "D", "E"}));
  std::reverse(c.begin(), c.end());
  EXPECT_EQ(order(c), (std::vector<std::string>{"A", "B", "C", "D", "E"}));
}

}  // namespace
}  // namespace illhub::routing
