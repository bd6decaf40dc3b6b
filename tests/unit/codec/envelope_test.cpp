// Envelope fields read from APDUs encoded by YAZ (tests/data/apdu/, values documented in
// tests/support/yaz_peer.hpp).
#include "illhub/codec/envelope.hpp"

#include <gtest/gtest.h>

#include "illhub/codec/codec.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

Envelope envelope_of(const std::string& file) {
  auto apdu = decode(testing::read_data_file(file));
  EXPECT_TRUE(apdu) << file << ": " << (apdu ? "" : apdu.error().detail);
  return read_envelope(*apdu);
}

Envelope envelope_of(ApduKind kind) { return envelope_of(testing::yaz_sample_file(kind)); }

TEST(Envelope, ReadsTheCommonFieldsOfEveryKind) {
  for (ApduKind kind : kAllApduKinds) {
    const Envelope e = envelope_of(kind);
    EXPECT_EQ(e.kind, kind);
    EXPECT_EQ(e.protocol_version, 2);
    EXPECT_EQ(e.transaction_id.initial_requester.symbol, "IRL:BOR");
    EXPECT_EQ(e.transaction_id.group_qualifier, "G1");
    EXPECT_EQ(e.transaction_id.qualifier, "T0001");
    EXPECT_EQ(e.service_date_time.date, "20261124");
    EXPECT_EQ(e.service_date_time.time, "101500");
    EXPECT_EQ(e.requester_id.symbol, "IRL:BOR") << to_string(kind);
    EXPECT_EQ(e.responder_id.symbol, "IRL:LEN") << to_string(kind);
  }
}

TEST(Envelope, ReadsTheIllRequest) {
  const Envelope e = envelope_of(ApduKind::kIllRequest);
  ASSERT_EQ(e.ill_service_types.size(), 1u);
  EXPECT_EQ(e.ill_service_types[0], IllServiceType::kLoan);
  EXPECT_EQ(e.item.title, "Interlibrary loan in practice");
  EXPECT_EQ(e.item.author, "Doe, Jane");
  EXPECT_EQ(e.item.isbn, "0123456789");
  EXPECT_EQ(e.item.item_type, 1);
  ASSERT_TRUE(e.maximum_cost);
  EXPECT_EQ(e.maximum_cost->currency, "EUR");
  EXPECT_EQ(e.maximum_cost->value, "25.00");
  EXPECT_EQ(e.need_before_date, "20261231");
  EXPECT_EQ(e.expiry_flag, 1);
  ASSERT_EQ(e.already_tried.size(), 1u);
  EXPECT_EQ(e.already_tried[0].symbol, "IRL:AAA");
  ASSERT_TRUE(e.requester_optional_messages);
  EXPECT_FALSE(e.retry_flag);
}

TEST(Envelope, ReadsTheShipped) {
  const Envelope e = envelope_of(ApduKind::kShipped);
  EXPECT_EQ(e.shipped_service_type, IllServiceType::kLoan);
  EXPECT_EQ(e.event_date, "20261125");
  ASSERT_TRUE(e.date_due);
  EXPECT_EQ(e.date_due->date, "20261225");
  EXPECT_TRUE(e.date_due->renewable);
  ASSERT_TRUE(e.cost);
  EXPECT_EQ(e.cost->currency, "EUR");
  EXPECT_EQ(e.cost->value, "7.50");
  EXPECT_EQ(e.chargeable_units, 1);
}

TEST(Envelope, ReadsTheIllAnswerResults) {
  const Envelope e = envelope_of(ApduKind::kIllAnswer);
  EXPECT_EQ(e.transaction_results, TransactionResults::kWillSupply);
  EXPECT_TRUE(e.reason.has_value());
}

TEST(Envelope, ReadsDatesAndAmountsOfTheTrackingPhase) {
  EXPECT_EQ(envelope_of(ApduKind::kReceived).event_date, "20261126");
  EXPECT_EQ(envelope_of(ApduKind::kReceived).shipped_service_type, IllServiceType::kLoan);
  const Envelope returned = envelope_of(ApduKind::kReturned);
  EXPECT_EQ(returned.event_date, "20261220");
  ASSERT_TRUE(returned.insured_for);
  EXPECT_EQ(returned.insured_for->value, "30.00");
  EXPECT_EQ(envelope_of(ApduKind::kCheckedIn).event_date, "20261222");
  const Envelope overdue = envelope_of(ApduKind::kOverdue);
  ASSERT_TRUE(overdue.date_due);
  EXPECT_EQ(overdue.date_due->date, "20261225");
  EXPECT_FALSE(overdue.date_due->renewable);
  EXPECT_EQ(envelope_of(ApduKind::kRenew).desired_due_date, "20270110");
  const Envelope renew_answer = envelope_of(ApduKind::kRenewAnswer);
  EXPECT_EQ(renew_answer.answer, true);
  ASSERT_TRUE(renew_answer.date_due);
  EXPECT_EQ(renew_answer.date_due->date, "20270110");
}

TEST(Envelope, ReadsAnswersAndOtherKindSpecificFields) {
  EXPECT_EQ(envelope_of(ApduKind::kConditionalReply).answer, true);
  EXPECT_EQ(envelope_of(ApduKind::kCancelReply).answer, true);
  EXPECT_FALSE(envelope_of(ApduKind::kCancel).answer.has_value());
  EXPECT_EQ(envelope_of(ApduKind::kForwardNotification).intermediary_id.symbol, "IRL:HUB");
  EXPECT_TRUE(envelope_of(ApduKind::kDamaged).has_damaged_details);
  const Envelope report = envelope_of(ApduKind::kStatusOrErrorReport);
  EXPECT_TRUE(report.has_status_report);
  EXPECT_TRUE(report.has_error_report);
  EXPECT_EQ(envelope_of(ApduKind::kMessage).note, "Message from illhub tests");
}

TEST(Envelope, KeepsUtf8NotesByteForByte) {
  EXPECT_EQ(envelope_of("yaz-utf8-note.ber").note, "Prêt entre bibliothèques — 日本語");
}

}  // namespace
}  // namespace illhub::codec
