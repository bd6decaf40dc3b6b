// Interoperability with YAZ's ISO 10161 codec, an implementation nobody here wrote:
// what YAZ encodes, we decode to the same values; what we encode, YAZ decodes to the same
// values. "Same values" is judged by YAZ itself: its printed dump of the original APDU and of
// our re-encoding must be identical.
#include <gtest/gtest.h>

#include "codec/asn1_types.hpp"
#include "illhub/codec/builders.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "support/yaz_peer.hpp"

namespace illhub {
namespace {

using testing::SampleOptions;
using Bytes = std::vector<std::uint8_t>;

struct Case {
  std::string name;
  int kind;
  SampleOptions options;
};

// Test logs name the case, not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (int kind = testing::kFirstApduKind; kind <= testing::kLastApduKind; ++kind) {
    const std::string name(testing::apdu_kind_name(kind));
    cases.push_back({name, kind, {}});
    SampleOptions utf8;
    utf8.note = std::string(testing::kUtf8Note);
    cases.push_back({name + "-utf8-note", kind, utf8});
    SampleOptions ext;
    ext.with_extension = true;
    cases.push_back({name + "-extension", kind, ext});
  }
  for (int results = 1; results <= 7; ++results) {
    SampleOptions o;
    o.answer_results = results;
    cases.push_back({"ill-answer-results-" + std::to_string(results), 4, o});
  }
  for (int kind : {5, 7, 14}) {
    SampleOptions o;
    o.answer = false;
    cases.push_back({std::string(testing::apdu_kind_name(kind)) + "-answer-no", kind, o});
  }
  for (auto [variant, name] : {std::pair{testing::ReportVariant::kStatus, "status"},
                               std::pair{testing::ReportVariant::kError, "error"},
                               std::pair{testing::ReportVariant::kNoReport, "no-report"}}) {
    SampleOptions o;
    o.report = variant;
    cases.push_back({std::string("status-or-error-report-") + name, 19, o});
  }
  SampleOptions external;
  external.with_external = true;
  cases.push_back({"ill-request-externals", 1, external});
  for (std::size_t title : {1u, 100u, 126u, 127u, 128u, 300u}) {
    SampleOptions o;
    o.title_length = title;
    cases.push_back({"ill-request-title-" + std::to_string(title), 1, o});
  }
  return cases;
}

class YazInterop : public ::testing::TestWithParam<Case> {};

TEST_P(YazInterop, WeDecodeWhatYazEncodesAndYazReadsOurEncodingAsTheSameValues) {
  const Case& c = GetParam();
  const Bytes yaz_ber = testing::yaz_encode_sample(c.kind, c.options);
  const testing::YazDecodeResult yaz_view = testing::yaz_decode(yaz_ber);
  ASSERT_TRUE(yaz_view.ok) << yaz_view.error;

  auto ours = codec::decode(yaz_ber);
  ASSERT_TRUE(ours) << ours.error().detail;
  EXPECT_EQ(static_cast<int>(ours->kind()), c.kind);
  const codec::Envelope e = codec::read_envelope(*ours);
  EXPECT_EQ(e.transaction_id.qualifier, c.options.qualifier);
  EXPECT_EQ(e.transaction_id.group_qualifier, c.options.group_qualifier);
  EXPECT_EQ(e.transaction_id.initial_requester.symbol, c.options.requester_symbol);
  EXPECT_EQ(e.service_date_time.date, c.options.date);
  EXPECT_EQ(e.service_date_time.time, c.options.time);
  EXPECT_EQ(e.requester_id.symbol, c.options.requester_symbol);
  EXPECT_EQ(e.responder_id.symbol, c.options.responder_symbol);
  if (!c.options.note.empty() && c.kind != 20) {
    EXPECT_EQ(e.note, c.options.note);
  }

  auto reencoded = codec::encode(*ours);
  ASSERT_TRUE(reencoded) << reencoded.error().detail;
  const testing::YazDecodeResult yaz_of_ours = testing::yaz_decode(*reencoded);
  ASSERT_TRUE(yaz_of_ours.ok) << "YAZ refuses our encoding: " << yaz_of_ours.error;
  EXPECT_EQ(yaz_of_ours.dump, yaz_view.dump);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, YazInterop, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) {
                           std::string n;
                           for (char ch : param_info.param.name) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(YazInterop, DecodesYazsMixedLengthChainsAtTheBoundary) {
  // YAZ writes an indefinite outer tag around a definite inner SEQUENCE when the content is
  // 126 or 127 bytes (`68 80 30 7e`): asn1c 0.9.28 alone refuses this.
  int found = 0;
  for (int kind = testing::kFirstApduKind; kind <= testing::kLastApduKind; ++kind) {
    for (std::uint8_t inner : {std::uint8_t{0x7e}, std::uint8_t{0x7f}}) {
      if (!testing::boundary_note_length(kind, inner)) continue;
      const Bytes ber = testing::yaz_encode_boundary_sample(kind, inner);
      ASSERT_TRUE(testing::find_mixed_length_site(ber)) << kind;
      auto ours = codec::decode(ber);
      ASSERT_TRUE(ours) << testing::apdu_kind_name(kind) << ": " << ours.error().detail;
      auto reencoded = codec::encode(*ours);
      ASSERT_TRUE(reencoded);
      EXPECT_EQ(testing::yaz_decode(*reencoded).dump, testing::yaz_decode(ber).dump);
      ++found;
    }
  }
  EXPECT_GE(found, 20);  // both boundaries for most kinds
}

TEST(YazInterop, YazReadsTheApdusTheHubBuilds) {
  codec::ApduHeader h;
  h.transaction_id.initial_requester.symbol = "IRL:BOR";
  h.transaction_id.group_qualifier = "G1";
  h.transaction_id.qualifier = "T0001";
  h.service_date_time = {"20261124", "101500", "", ""};
  h.requester_id.symbol = "IRL:BOR";
  h.responder_id.symbol = "IRL:LEN";

  codec::StatusOrErrorReportSpec refusal;
  refusal.error = codec::ErrorReportSpec{"T0001", codec::StateTransitionProhibited{codec::ApduKind::kReturned, 2}};
  codec::StatusOrErrorReportSpec status;
  status.status = codec::StatusReportSpec{};
  status.status->date_of_last_transition = "20261124";
  status.status->date_of_most_recent_service = "20261124";
  status.status->initiator_of_most_recent_service.symbol = "IRL:BOR";
  status.status->current_state = 2;

  const std::vector<std::pair<int, Result<codec::Apdu, codec::EncodeError>>> built = [&] {
    std::vector<std::pair<int, Result<codec::Apdu, codec::EncodeError>>> v;
    v.emplace_back(19, codec::build_status_or_error_report(h, refusal));
    v.emplace_back(19, codec::build_status_or_error_report(h, status));
    v.emplace_back(12, codec::build_overdue(h, codec::DateDue{"20261231", true}, "Please return"));
    v.emplace_back(20, codec::build_expired(h));
    v.emplace_back(2, codec::build_forward_notification(h, codec::SystemId{"IRL:HUB", "", false, false}));
    return v;
  }();
  for (const auto& [kind, apdu] : built) {
    ASSERT_TRUE(apdu);
    const auto view = testing::yaz_decode(apdu->bytes());
    EXPECT_TRUE(view.ok) << testing::apdu_kind_name(kind) << ": " << view.error;
    EXPECT_EQ(view.kind, kind);
  }
  const auto refusal_view = testing::yaz_decode(built[0].second->bytes());
  EXPECT_NE(refusal_view.dump.find("state_transition_prohibited"), std::string::npos) << refusal_view.dump;
}

TEST(YazInterop, YazRefusesARequestWithoutItsDefaultFieldsSoWeAlwaysWriteThem) {
  // Our encoding of a request that arrived without DEFAULT fields still carries them.
  const Bytes yaz_ber = testing::yaz_encode_sample(1);
  auto ours = codec::decode(yaz_ber);
  ASSERT_TRUE(ours);
  auto& r = ours->raw().choice.ill_request;
  // Drop retry-flag as a peer that omits DEFAULTs would; decode of such bytes fills it back.
  ASN_STRUCT_FREE(asn_DEF_BOOLEAN, r.retry_flag);
  r.retry_flag = nullptr;
  auto without_default = codec::encode(*ours);
  ASSERT_TRUE(without_default);
  EXPECT_FALSE(testing::yaz_decode(*without_default).ok) << "YAZ should need retry-flag";
  auto redecoded = codec::decode(*without_default);
  ASSERT_TRUE(redecoded) << redecoded.error().detail;
  auto fixed = codec::encode(*redecoded);
  ASSERT_TRUE(fixed);
  EXPECT_TRUE(testing::yaz_decode(*fixed).ok);
}

}  // namespace
}  // namespace illhub
