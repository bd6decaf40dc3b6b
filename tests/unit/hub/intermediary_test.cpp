#include "illhub/hub/intermediary.hpp"

#include <gtest/gtest.h>

namespace illhub::hub {
namespace {

codec::SystemId id(const std::string& s) { return codec::SystemId{s, {}, false, false}; }

codec::Envelope request_to(const std::string& responder, std::vector<std::string> send_to = {}) {
  codec::Envelope e;
  e.kind = codec::ApduKind::kIllRequest;
  e.requester_id = id("IRL:BOR");
  e.responder_id = id(responder);
  for (const auto& s : send_to) e.send_to.push_back(id(s));
  return e;
}

TEST(Intermediary, RoutesRequestsToItsSymbolOrWithASendToList) {
  EXPECT_TRUE(routed_by_hub(request_to("IRL:HUB"), "IRL:HUB"));
  EXPECT_TRUE(routed_by_hub(request_to("IRL:L1", {"IRL:L2"}), "IRL:HUB"));
  EXPECT_FALSE(routed_by_hub(request_to("IRL:L1"), "IRL:HUB"));
  EXPECT_FALSE(routed_by_hub(request_to("IRL:HUB"), "")) << "no symbol configured: nothing is routed";
  codec::Envelope answer = request_to("IRL:HUB");
  answer.kind = codec::ApduKind::kIllAnswer;
  EXPECT_FALSE(routed_by_hub(answer, "IRL:HUB"));
}

TEST(Intermediary, SendToRotaKeepsTheBorrowersOrderAndSkipsWhatCannotBeAsked) {
  codec::Envelope e = request_to("IRL:L0", {"IRL:L1", "IRL:BOR", "IRL:L1", "IRL:HUB", "IRL:OLD", ""});
  e.already_tried.push_back(id("IRL:OLD"));
  e.send_to.back().name = "Some Library";
  const auto rota = send_to_rota(e, "IRL:HUB");
  ASSERT_EQ(rota.size(), 7u);
  EXPECT_EQ(rota[0].lender, "IRL:L0") << "the responder the borrower named is asked first";
  EXPECT_TRUE(rota[0].skip_reason.empty());
  EXPECT_EQ(rota[1].lender, "IRL:L1");
  EXPECT_TRUE(rota[1].skip_reason.empty());
  EXPECT_EQ(rota[1].reason, "position 1 of the borrower's send-to-list");
  EXPECT_EQ(rota[2].skip_reason, "the borrower itself");
  EXPECT_EQ(rota[3].skip_reason, "named earlier on the list");
  EXPECT_EQ(rota[4].skip_reason, "the hub itself");
  EXPECT_EQ(rota[5].skip_reason, "on the request's already-tried-list");
  EXPECT_EQ(rota[6].lender, "Some Library");
  EXPECT_FALSE(rota[6].skip_reason.empty());
}

TEST(Intermediary, SendToRotaOfARequestToTheHubStartsWithTheList) {
  const auto rota = send_to_rota(request_to("IRL:HUB", {"IRL:L2", "IRL:L1"}), "IRL:HUB");
  ASSERT_EQ(rota.size(), 2u);
  EXPECT_EQ(rota[0].lender, "IRL:L2");
  EXPECT_EQ(rota[1].lender, "IRL:L1");
}

TEST(Intermediary, UnfilledRetryLocationsAndExpiredMoveOnEverythingElseDoesNot) {
  codec::Envelope a;
  a.kind = codec::ApduKind::kIllAnswer;
  const std::pair<codec::TransactionResults, const char*> cases[] = {
      {codec::TransactionResults::kUnfilled, "unfilled"},
      {codec::TransactionResults::kRetry, "retry"},
      {codec::TransactionResults::kLocationsProvided, "locations-provided"}};
  for (const auto& [results, name] : cases) {
    a.transaction_results = results;
    ASSERT_TRUE(moving_on_outcome(a));
    EXPECT_EQ(*moving_on_outcome(a), name);
  }
  for (auto results : {codec::TransactionResults::kWillSupply, codec::TransactionResults::kConditional,
                       codec::TransactionResults::kHoldPlaced, codec::TransactionResults::kEstimate}) {
    a.transaction_results = results;
    EXPECT_FALSE(moving_on_outcome(a));
  }
  codec::Envelope expired;
  expired.kind = codec::ApduKind::kExpired;
  EXPECT_EQ(moving_on_outcome(expired).value_or(""), "expired");
  codec::Envelope shipped;
  shipped.kind = codec::ApduKind::kShipped;
  EXPECT_FALSE(moving_on_outcome(shipped));
}

TEST(Intermediary, RotaRequestCarriesWhatThePlannerNeeds) {
  codec::Envelope e = request_to("IRL:HUB");
  e.item.isbn = "9780000000001";
  e.item.title = "A title";
  e.item.author = "An author";
  e.item.item_type = 1;
  e.ill_service_types = {codec::IllServiceType::kLoan, codec::IllServiceType::kCopyNonReturnable};
  e.maximum_cost = codec::Amount{"EUR", "0.00"};
  e.already_tried = {id("IRL:L9")};
  const routing::RotaRequest r = rota_request_from(e);
  EXPECT_EQ(r.borrower, "IRL:BOR");
  EXPECT_EQ(r.isbn, "9780000000001");
  EXPECT_EQ(r.title, "A title");
  EXPECT_EQ(r.author, "An author");
  EXPECT_EQ(r.item_type, 1);
  EXPECT_EQ(r.service_types, (std::vector<int>{1, 2}));
  EXPECT_FALSE(r.borrower_accepts_charges) << "a maximum cost of zero";
  EXPECT_EQ(r.already_tried, std::vector<std::string>{"IRL:L9"});
  e.maximum_cost = codec::Amount{"EUR", "25.00"};
  EXPECT_TRUE(rota_request_from(e).borrower_accepts_charges);
}

}  // namespace
}  // namespace illhub::hub
