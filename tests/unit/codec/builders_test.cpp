#include "illhub/codec/builders.hpp"

#include <gtest/gtest.h>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

/// Decodes what a builder produced, as a peer would.
Apdu reread(const Result<Apdu, EncodeError>& built) {
  EXPECT_TRUE(built) << (built ? "" : built.error().detail);
  auto apdu = decode(built->bytes());
  EXPECT_TRUE(apdu) << (apdu ? "" : apdu.error().detail);
  return std::move(*apdu);
}

TEST(Builders, StateTransitionProhibitedReportCarriesApduTypeAndState) {
  StatusOrErrorReportSpec spec;
  spec.error = ErrorReportSpec{"T0001", StateTransitionProhibited{ApduKind::kReturned, 2}};
  spec.note = "Returned is not allowed before Shipped";
  const Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  ASSERT_EQ(apdu.kind(), ApduKind::kStatusOrErrorReport);
  const auto& r = apdu.raw().choice.status_or_error_report;
  ASSERT_NE(r.error_report, nullptr);
  EXPECT_EQ(r.error_report->report_source, Report_Source_provider);
  ASSERT_NE(r.error_report->provider_error_report, nullptr);
  ASSERT_EQ(r.error_report->provider_error_report->present,
            Provider_Error_Report_PR_state_transition_prohibited);
  const auto& s = r.error_report->provider_error_report->choice.state_transition_prohibited;
  EXPECT_EQ(s.aPDU_type, 10);
  EXPECT_EQ(s.current_state, 2);
  EXPECT_EQ(r.status_report, nullptr);
  EXPECT_EQ(read_envelope(apdu).note, "Returned is not allowed before Shipped");
  EXPECT_EQ(read_envelope(apdu).transaction_id, testing::sample_header().transaction_id);
}

TEST(Builders, GeneralProblemReport) {
  StatusOrErrorReportSpec spec;
  spec.error = ErrorReportSpec{"frame 3", GeneralProblem::kBadlyStructuredApdu};
  const Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  const auto* p = apdu.raw().choice.status_or_error_report.error_report->provider_error_report;
  ASSERT_EQ(p->present, Provider_Error_Report_PR_general_problem);
  EXPECT_EQ(p->choice.general_problem, 3);
}

TEST(Builders, UserErrorReports) {
  StatusOrErrorReportSpec spec;
  spec.error = ErrorReportSpec{"T0001", SecurityProblem{"IRL:XYZ may not speak for IRL:BOR"}};
  Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  const auto* e = apdu.raw().choice.status_or_error_report.error_report;
  EXPECT_EQ(e->report_source, Report_Source_user);
  EXPECT_EQ(e->user_error_report->present, User_Error_Report_PR_security_problem);

  spec.error = ErrorReportSpec{"T0001", UnableToPerform::kResourceLimitation};
  apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  const auto* u = apdu.raw().choice.status_or_error_report.error_report->user_error_report;
  ASSERT_EQ(u->present, User_Error_Report_PR_unable_to_perform);
  EXPECT_EQ(u->choice.unable_to_perform, 2);
}

TEST(Builders, TransactionIdProblemReport) {
  StatusOrErrorReportSpec spec;
  spec.error = ErrorReportSpec{"T0001", TransactionIdProblem::kUnknown};
  const Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  const auto* p = apdu.raw().choice.status_or_error_report.error_report->provider_error_report;
  ASSERT_EQ(p->present, Provider_Error_Report_PR_transaction_id_problem);
  EXPECT_EQ(p->choice.transaction_id_problem, 3);
}

TEST(Builders, StatusReportCarriesHistoryAndState) {
  StatusOrErrorReportSpec spec;
  StatusReportSpec status;
  status.title = "Interlibrary loan in practice";
  status.date_of_last_transition = "20261125";
  status.most_recent_service = 3;  // sHIPPED
  status.date_of_most_recent_service = "20261125";
  status.initiator_of_most_recent_service.symbol = "IRL:LEN";
  status.shipped_service_type = IllServiceType::kLoan;
  status.current_state = 8;  // SHIPPED
  spec.status = status;
  const Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  const Envelope e = read_envelope(apdu);
  EXPECT_TRUE(e.has_status_report);
  EXPECT_FALSE(e.has_error_report);
  const auto* s = apdu.raw().choice.status_or_error_report.status_report;
  EXPECT_EQ(s->provider_status_report, 8);
  EXPECT_EQ(s->user_status_report.most_recent_service, 3);
  EXPECT_EQ(*s->user_status_report.shipped_service_type, 1);
}

TEST(Builders, RefusesAReportWithNeitherReportNorReason) {
  // Not a constraint asn1c knows; the report is legal BER but says nothing. It still encodes:
  // the hub always passes one of the three. This documents that the builder does not invent one.
  StatusOrErrorReportSpec spec;
  spec.reason_no_report = ReasonNoReport::kTemporary;
  const Apdu apdu = reread(build_status_or_error_report(testing::sample_header(), spec));
  EXPECT_EQ(*apdu.raw().choice.status_or_error_report.reason_no_report, 1);
}

TEST(Builders, OverdueCarriesDateDue) {
  const Apdu apdu = reread(build_overdue(testing::sample_header(), DateDue{"20261231", false}, "due"));
  const Envelope e = read_envelope(apdu);
  EXPECT_EQ(e.kind, ApduKind::kOverdue);
  ASSERT_TRUE(e.date_due);
  EXPECT_EQ(e.date_due->date, "20261231");
  EXPECT_FALSE(e.date_due->renewable);
  EXPECT_EQ(e.note, "due");
}

TEST(Builders, ExpiredCarriesTheHeader) {
  ApduHeader h = testing::sample_header();
  h.transaction_id.sub_qualifier = "S1";
  h.service_date_time.original_date = "20261120";
  const Envelope e = read_envelope(reread(build_expired(h)));
  EXPECT_EQ(e.kind, ApduKind::kExpired);
  EXPECT_EQ(e.transaction_id, h.transaction_id);
  EXPECT_EQ(e.service_date_time.original_date, "20261120");
  EXPECT_EQ(e.requester_id.symbol, "IRL:BOR");
  EXPECT_EQ(e.responder_id.symbol, "IRL:LEN");
}

TEST(Builders, ForwardNotificationNamesTheNewResponderAndTheIntermediary) {
  ApduHeader h = testing::sample_header();
  h.responder_id = SystemId{"IRL:NEW", "New Lender", false, false};
  const Envelope e = read_envelope(reread(build_forward_notification(h, SystemId{"IRL:HUB", "", false, false})));
  EXPECT_EQ(e.kind, ApduKind::kForwardNotification);
  EXPECT_EQ(e.responder_id.symbol, "IRL:NEW");
  EXPECT_EQ(e.responder_id.name, "New Lender");
  EXPECT_EQ(e.intermediary_id.symbol, "IRL:HUB");
}

TEST(Builders, RefusesValuesThatBreakTheModule) {
  ApduHeader h = testing::sample_header();
  h.responder_id = SystemId{};  // mandatory in Forward-Notification: an empty System-Id
  auto built = build_forward_notification(h, SystemId{});
  EXPECT_FALSE(built) << "a System-Id with neither symbol nor name must not encode";
}

TEST(Builders, RewrittenRequestNamesTheLenderAndKeepsEverythingElse) {
  auto original = decode(testing::read_data_file(testing::yaz_sample_file(ApduKind::kIllRequest)));
  ASSERT_TRUE(original);
  const Envelope before = read_envelope(*original);
  RequestRewrite rewrite;
  rewrite.service_date_time = {"20270101", "090000", {}, {}};
  rewrite.responder_id.symbol = "IRL:L2";
  rewrite.already_tried = {SystemId{"IRL:HUB", {}, false, false}, SystemId{"IRL:L1", {}, false, false}};
  const Apdu apdu = reread(build_rewritten_request(*original, rewrite));
  const Envelope e = read_envelope(apdu);
  EXPECT_EQ(e.kind, ApduKind::kIllRequest);
  EXPECT_EQ(e.transaction_id, before.transaction_id);
  EXPECT_EQ(e.requester_id, before.requester_id);
  EXPECT_EQ(e.responder_id.symbol, "IRL:L2");
  EXPECT_EQ(e.service_date_time.date, "20270101");
  EXPECT_EQ(e.service_date_time.original_date, before.service_date_time.date);
  EXPECT_EQ(e.service_date_time.original_time, before.service_date_time.time);
  ASSERT_EQ(e.already_tried.size(), 2u);
  EXPECT_EQ(e.already_tried[1].symbol, "IRL:L1");
  EXPECT_TRUE(e.send_to.empty());
  EXPECT_TRUE(e.forward_flag);
  EXPECT_EQ(e.item.title, before.item.title);
  EXPECT_EQ(e.item.isbn, before.item.isbn);
}

TEST(Builders, RewrittenRequestCarriesASendToListInOrder) {
  auto original = decode(testing::read_data_file(testing::yaz_sample_file(ApduKind::kIllRequest)));
  ASSERT_TRUE(original);
  RequestRewrite rewrite;
  rewrite.service_date_time = {"20270101", "090000", {}, {}};
  rewrite.responder_id.symbol = "IRL:HUB";
  rewrite.send_to = {SystemId{"IRL:L3", {}, false, false}, SystemId{"IRL:L1", {}, false, false}};
  rewrite.forward_flag = false;
  const Envelope e = read_envelope(reread(build_rewritten_request(*original, rewrite)));
  ASSERT_EQ(e.send_to.size(), 2u);
  EXPECT_EQ(e.send_to[0].symbol, "IRL:L3");
  EXPECT_EQ(e.send_to[1].symbol, "IRL:L1");
  EXPECT_FALSE(e.forward_flag);
}

TEST(Builders, OnlyAnIllRequestCanBeRewritten) {
  auto shipped = decode(testing::read_data_file(testing::yaz_sample_file(ApduKind::kShipped)));
  ASSERT_TRUE(shipped);
  RequestRewrite rewrite;
  rewrite.responder_id.symbol = "IRL:L2";
  rewrite.service_date_time = {"20270101", "090000", {}, {}};
  const auto built = build_rewritten_request(*shipped, rewrite);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().detail.find("only an ILL-Request"), std::string::npos);
}

TEST(Builders, UnfilledAnswerCarriesItsReason) {
  const Apdu apdu = reread(build_unfilled_answer(testing::sample_header(), 27, "nobody has it"));
  const Envelope e = read_envelope(apdu);
  EXPECT_EQ(e.kind, ApduKind::kIllAnswer);
  ASSERT_TRUE(e.transaction_results);
  EXPECT_EQ(*e.transaction_results, TransactionResults::kUnfilled);
  EXPECT_EQ(e.reason, 27);
  EXPECT_EQ(e.note, "nobody has it");
}

}  // namespace
}  // namespace illhub::codec
