// The status report the hub gives for a transaction (Status-Query answers and receipts).
#include "illhub/hub/status_report.hpp"

#include <gtest/gtest.h>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::hub {
namespace {

using codec::ApduKind;
using protocol::Role;
using protocol::State;

TransactionStatus shipped_loan() {
  TransactionStatus s;
  s.requester_symbol = "IRL:BOR";
  s.responder_symbol = "IRL:LEN";
  s.requester_state = State::kShipped;
  s.responder_state = State::kShipped;
  s.title = "Moby-Dick";
  s.author = "Melville";
  s.date_requested = "20261120";
  s.date_of_last_transition = "20261123";
  s.last_kind = ApduKind::kShipped;
  s.last_sender = Role::kResponder;
  s.last_service_date = "20261122";
  s.shipped_service_type = codec::IllServiceType::kLoan;
  return s;
}

TEST(MostRecentService, IsTheApduTagExceptForOverdueAndRenewWhichHaveNoValue) {
  EXPECT_EQ(most_recent_service(ApduKind::kIllRequest), 1);
  EXPECT_EQ(most_recent_service(ApduKind::kShipped), 3);
  EXPECT_EQ(most_recent_service(ApduKind::kCheckedIn), 11);
  EXPECT_EQ(most_recent_service(ApduKind::kRenewAnswer), 14);
  EXPECT_EQ(most_recent_service(ApduKind::kExpired), 20);
  EXPECT_FALSE(most_recent_service(ApduKind::kOverdue));
  EXPECT_FALSE(most_recent_service(ApduKind::kRenew));
}

TEST(StatusReportFor, GivesTheRequesterTheRespondersStateAndTheResponderTheRequesters) {
  TransactionStatus s = shipped_loan();
  s.requester_state = State::kReceived;
  s.responder_state = State::kShipped;
  EXPECT_EQ(status_report_for(s, Role::kRequester).status->current_state, static_cast<long>(State::kShipped));
  EXPECT_EQ(status_report_for(s, Role::kResponder).status->current_state, static_cast<long>(State::kReceived));
}

TEST(StatusReportFor, ReportsAPartyThatHasSeenNothingAsUnknownNotIdle) {
  TransactionStatus s = shipped_loan();
  s.responder_state = State::kIdle;
  EXPECT_EQ(status_report_for(s, Role::kRequester).status->current_state, 18);
}

TEST(StatusReportFor, NamesTheLastServiceItsDateAndWhoInvokedIt) {
  const auto spec = status_report_for(shipped_loan(), Role::kRequester);
  ASSERT_TRUE(spec.status);
  EXPECT_FALSE(spec.error);
  EXPECT_EQ(spec.status->most_recent_service, 3);
  EXPECT_EQ(spec.status->date_of_most_recent_service, "20261122");
  EXPECT_EQ(spec.status->initiator_of_most_recent_service.symbol, "IRL:LEN");
  EXPECT_EQ(spec.status->date_of_last_transition, "20261123");
  EXPECT_EQ(spec.status->title, "Moby-Dick");
  EXPECT_EQ(spec.note, "illhub record: requester IRL:BOR SHIPPED, responder IRL:LEN SHIPPED; last APDU: "
                       "Shipped from IRL:LEN");
}

TEST(StatusReportFor, NamesARenewInTheNoteBecauseHistoryReportHasNoValueForIt) {
  TransactionStatus s = shipped_loan();
  s.last_kind = ApduKind::kRenew;
  s.last_sender = Role::kRequester;
  const auto spec = status_report_for(s, Role::kResponder);
  EXPECT_EQ(spec.status->most_recent_service, static_cast<long>(ApduKind::kStatusQuery));
  EXPECT_EQ(spec.status->initiator_of_most_recent_service.symbol, "IRL:BOR");
  EXPECT_NE(spec.note.find("last APDU: Renew from IRL:BOR"), std::string::npos) << spec.note;
}

TEST(StatusReportFor, BuildsAStatusOrErrorReportThatDecodesBack) {
  codec::ApduHeader h;
  h.transaction_id.initial_requester.symbol = "IRL:BOR";
  h.transaction_id.group_qualifier = "G";
  h.transaction_id.qualifier = "Q";
  h.service_date_time.date = "20261124";
  h.requester_id.symbol = "IRL:BOR";
  h.responder_id.symbol = "IRL:LEN";
  auto built = codec::build_status_or_error_report(h, status_report_for(shipped_loan(), Role::kRequester));
  ASSERT_TRUE(built) << built.error().detail;
  auto decoded = codec::decode(built->bytes());
  ASSERT_TRUE(decoded) << decoded.error().detail;
  const std::string json = codec::to_json(*decoded);
  EXPECT_NE(json.find("\"provider-status-report\": \"sHIPPED\""), std::string::npos) << json;
  EXPECT_NE(json.find("Moby-Dick"), std::string::npos) << json;
}

}  // namespace
}  // namespace illhub::hub
