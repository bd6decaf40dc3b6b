// Self-test of the YAZ peer (tests/support/yaz_peer.*): every sample YAZ builds decodes with
// YAZ, prints the values it was built from, and re-encodes to the same bytes; plus the YAZ
// behaviours the interop tests rely on (BOOLEAN, DEFAULT fields, length forms).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/yaz_peer.hpp"

namespace illhub::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Strings the odr_print dump of every default sample contains.
constexpr std::array<std::string_view, 8> kCommonDump = {
    "protocol_version_num 2",
    "initial_requester_id",
    "institution_symbol choice",
    "GeneralString 'IRL:BOR'",
    "GeneralString 'IRL:LEN'",
    "transaction_group_qualifier choice\n        GeneralString 'G1'",
    "transaction_qualifier choice\n        GeneralString 'T0001'",
    "date '20261124'\n        time '101500'",
};

struct KindExpectation {
  int kind;
  std::string_view top;  // YAZ's name of the CHOICE alternative, first line of the dump
  std::vector<std::string_view> fields;
};

const std::vector<KindExpectation>& expectations() {
  static const std::vector<KindExpectation> table = {
      {1,
       "illRequest",
       {"transaction_type 1",
        "postal_address",
        "GeneralString 'Dublin'",
        "iLL_service_type {\n      1\n    }",
        "requester_optional_messages",
        "can_send_RECEIVED TRUE",
        "need_before_date '20261231'",
        "expiry_flag 1",
        "place_on_hold 3",
        "item_type 1",
        "GeneralString 'Interlibrary loan in practice'",
        "GeneralString 'Doe, Jane'",
        "iSBN choice\n        GeneralString '0123456789'",
        "currency_code 'EUR'",
        "monetary_value '25.00'",
        "will_pay_fee TRUE",
        "permission_to_forward TRUE",
        "preference 2",
        "already_tried_list",
        "GeneralString 'IRL:AAA'",
        "retry_flag FALSE",
        "forward_flag FALSE"}},
      {2,
       "Forward_Notification",
       {"responder_address", "GeneralString 'ill.lender.example:499'", "intermediary_id",
        "GeneralString 'IRL:HUB'"}},
      {3,
       "Shipped",
       {"transaction_type 1", "shipped_service_type 1", "date_shipped '20261125'",
        "date_due_field '20261225'", "renewable TRUE", "chargeable_units 1",
        "monetary_value '7.50'", "physical_delivery choice\n        GeneralString 'courier'"}},
      {4,
       "illAnswer",
       {"transaction_results 5", "will_supply_results", "reason_will_supply 26",
        "supply_date '20261125'"}},
      {5, "Conditional_Reply", {"answer TRUE"}},
      {6, "Cancel", {}},
      {7, "Cancel_Reply", {"answer TRUE"}},
      {8, "Received", {"date_received '20261126'", "shipped_service_type 1"}},
      {9, "Recall", {}},
      {10,
       "Returned",
       {"date_returned '20261220'", "GeneralString 'post'", "insured_for",
        "monetary_value '30.00'"}},
      {11, "Checked_In", {"date_checked_in '20261222'"}},
      {12, "Overdue", {"date_due_field '20261225'", "renewable FALSE"}},
      {13, "Renew", {"desired_due_date '20270110'"}},
      {14, "Renew_Answer", {"answer TRUE", "date_due_field '20270110'", "renewable TRUE"}},
      {15, "Lost", {}},
      {16,
       "Damaged",
       {"damaged_details", "document_type_id OID: 1 0 10161 5 1",
        "specific_units {\n        3\n        4\n      }"}},
      {17, "Message", {"note choice\n      GeneralString 'Message from illhub tests'"}},
      {18, "Status_Query", {}},
      {19,
       "Status_Or_Error_Report",
       {"status_report", "most_recent_service 4", "provider_status_report 2", "error_report",
        "report_source 2", "state_transition_prohibited", "aPDU_type 3", "current_state 3"}},
      {20, "Expired", {}},
  };
  return table;
}

// The note field each kind prints ([46]; Forward-Notification [48]).
std::string_view note_field(int kind) {
  switch (kind) {
    case 2:
      return "notification_note";
    case 1:
    case 5:
    case 6:
    case 8:
    case 10:
    case 13:
      return "requester_note";
    case 15:
    case 16:
    case 17:
    case 18:
    case 19:
      return "note";
    case 20:
      return "";
    default:
      return "responder_note";
  }
}

std::string_view extensions_field(int kind) {
  static constexpr std::array<std::string_view, 21> kNames = {"",
                                                              "iLL_request_extensions",
                                                              "forward_notification_extensions",
                                                              "shipped_extensions",
                                                              "ill_answer_extensions",
                                                              "conditional_reply_extensions",
                                                              "cancel_extensions",
                                                              "cancel_reply_extensions",
                                                              "received_extensions",
                                                              "recall_extensions",
                                                              "returned_extensions",
                                                              "checked_in_extensions",
                                                              "overdue_extensions",
                                                              "renew_extensions",
                                                              "renew_answer_extensions",
                                                              "lost_extensions",
                                                              "damaged_extensions",
                                                              "message_extensions",
                                                              "status_query_extensions",
                                                              "status_or_error_report_extensions",
                                                              "expired_extensions"};
  return kNames[static_cast<std::size_t>(kind)];
}

// Re-encodes BER with definite lengths everywhere (what a DER-ish encoder such as asn1c
// writes), to show that YAZ accepts that form and re-encodes to its own.
std::optional<std::size_t> to_definite(const Bytes& in, std::size_t pos, Bytes& out, int depth) {
  if (depth > 64 || pos >= in.size()) return std::nullopt;
  std::size_t p = pos;
  const bool constructed = (in[p] & 0x20) != 0;
  if ((in[p] & 0x1f) == 0x1f) {
    while (++p < in.size() && (in[p] & 0x80) != 0) {
    }
  }
  if (++p >= in.size()) return std::nullopt;
  const Bytes tag(in.begin() + static_cast<std::ptrdiff_t>(pos),
                  in.begin() + static_cast<std::ptrdiff_t>(p));
  const std::uint8_t first = in[p++];
  Bytes content;
  std::size_t end = 0;
  if (first == 0x80) {
    while (true) {
      if (p + 1 >= in.size()) return std::nullopt;
      if (in[p] == 0 && in[p + 1] == 0) {
        end = p + 2;
        break;
      }
      const auto next = to_definite(in, p, content, depth + 1);
      if (!next) return std::nullopt;
      p = *next;
    }
  } else {
    std::size_t length = first;
    if (first > 0x80) {
      length = 0;
      for (std::size_t i = 0; i < (first & 0x7fu); ++i) length = (length << 8) | in[p++];
    }
    end = p + length;
    if (end > in.size()) return std::nullopt;
    if (constructed) {
      while (p < end) {
        const auto next = to_definite(in, p, content, depth + 1);
        if (!next) return std::nullopt;
        p = *next;
      }
    } else {
      content.assign(in.begin() + static_cast<std::ptrdiff_t>(p),
                     in.begin() + static_cast<std::ptrdiff_t>(end));
    }
  }
  out.insert(out.end(), tag.begin(), tag.end());
  if (content.size() < 0x80) {
    out.push_back(static_cast<std::uint8_t>(content.size()));
  } else {
    Bytes len;
    for (std::size_t n = content.size(); n != 0; n >>= 8) {
      len.insert(len.begin(), static_cast<std::uint8_t>(n & 0xff));
    }
    out.push_back(static_cast<std::uint8_t>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), content.begin(), content.end());
  return end;
}

bool contains(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

TEST(YazPeer, EverySampleDecodesPrintsItsFieldsAndReencodesIdentically) {
  for (const auto& e : expectations()) {
    SCOPED_TRACE(std::string(apdu_kind_name(e.kind)));
    const Bytes ber = yaz_encode_sample(e.kind);
    ASSERT_FALSE(ber.empty());
    EXPECT_EQ(ber[0], 0x60 + e.kind) << "[APPLICATION n] constructed";

    const YazDecodeResult r = yaz_decode(ber);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.kind, e.kind);
    EXPECT_EQ(r.consumed, ber.size());
    EXPECT_EQ(r.dump.substr(0, e.top.size() + 2), std::string(e.top) + " {");
    for (const auto field : kCommonDump) EXPECT_NE(r.dump.find(field), std::string::npos) << field;
    for (const auto field : e.fields) EXPECT_NE(r.dump.find(field), std::string::npos) << field;

    const auto again = yaz_reencode(ber);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, ber);
  }
}

TEST(YazPeer, NoteAndExtensionAppearInEveryKindThatHasThem) {
  SampleOptions options;
  options.note = "Handle with care";
  options.with_extension = true;
  for (int kind = kFirstApduKind; kind <= kLastApduKind; ++kind) {
    SCOPED_TRACE(std::string(apdu_kind_name(kind)));
    const Bytes ber = yaz_encode_sample(kind, options);
    const YazDecodeResult r = yaz_decode(ber);
    ASSERT_TRUE(r.ok) << r.error;
    if (!note_field(kind).empty()) {
      EXPECT_NE(r.dump.find(std::string(note_field(kind)) +
                            " choice\n      GeneralString 'Handle with care'"),
                std::string::npos);
    }
    EXPECT_NE(r.dump.find(std::string(extensions_field(kind)) + " {"), std::string::npos);
    EXPECT_NE(r.dump.find("identifier 1\n"), std::string::npos);
    EXPECT_NE(r.dump.find("critical FALSE"), std::string::npos);
    // The item is an EXTERNAL {kExtensionOid, octet-aligned kExtensionPayload}.
    const Bytes payload(kExtensionPayload.begin(), kExtensionPayload.end());
    EXPECT_TRUE(contains(ber, payload));
    EXPECT_EQ(yaz_reencode(ber), ber);
  }
}

TEST(YazPeer, SampleOptionsChangeTheEncodedIdentifiers) {
  SampleOptions options;
  options.requester_symbol = "DE:B1";
  options.responder_symbol = "US:OCLC";
  options.group_qualifier = "GRP";
  options.qualifier = "Q-42";
  options.date = "20270101";
  options.time = "235959";
  const YazDecodeResult r = yaz_decode(yaz_encode_sample(6, options));
  ASSERT_TRUE(r.ok) << r.error;
  for (const std::string_view s :
       {"'DE:B1'", "'US:OCLC'", "'GRP'", "'Q-42'", "'20270101'", "'235959'"}) {
    EXPECT_NE(r.dump.find(s), std::string::npos) << s;
  }
}

TEST(YazPeer, IllAnswerCarriesTheExplanationMatchingEachTransactionResult) {
  constexpr std::array<std::string_view, 8> kExplanation = {"",
                                                            "conditional_results",
                                                            "retry_results",
                                                            "unfilled_results",
                                                            "locations_results",
                                                            "will_supply_results",
                                                            "hold_placed_results",
                                                            "estimate_results"};
  for (int results = 1; results <= 7; ++results) {
    SCOPED_TRACE(results);
    SampleOptions options;
    options.answer_results = results;
    const Bytes ber = yaz_encode_sample(4, options);
    const YazDecodeResult r = yaz_decode(ber);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NE(r.dump.find("transaction_results " + std::to_string(results)), std::string::npos);
    EXPECT_NE(r.dump.find(std::string(kExplanation[static_cast<std::size_t>(results)]) + " {"),
              std::string::npos);
    EXPECT_EQ(yaz_reencode(ber), ber);
  }
  SampleOptions bad;
  bad.answer_results = 8;
  EXPECT_THROW(yaz_encode_sample(4, bad), std::invalid_argument);
}

TEST(YazPeer, StatusOrErrorReportVariants) {
  struct Case {
    ReportVariant variant;
    bool status, error, no_report;
  };
  for (const Case c : {Case{ReportVariant::kStatus, true, false, false},
                       Case{ReportVariant::kError, false, true, false},
                       Case{ReportVariant::kStatusAndError, true, true, false},
                       Case{ReportVariant::kNoReport, false, false, true}}) {
    SampleOptions options;
    options.report = c.variant;
    const Bytes ber = yaz_encode_sample(19, options);
    const YazDecodeResult r = yaz_decode(ber);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.dump.find("status_report {") != std::string::npos, c.status);
    EXPECT_EQ(r.dump.find("error_report {") != std::string::npos, c.error);
    EXPECT_EQ(r.dump.find("reason_no_report 1") != std::string::npos, c.no_report);
    EXPECT_EQ(yaz_reencode(ber), ber);
  }
}

TEST(YazPeer, AnswerFalseAndRenewAnswerWithoutDateDue) {
  SampleOptions options;
  options.answer = false;
  for (const int kind : {5, 7, 14}) {
    const YazDecodeResult r = yaz_decode(yaz_encode_sample(kind, options));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NE(r.dump.find("answer FALSE"), std::string::npos);
    EXPECT_EQ(r.dump.find("date_due"), std::string::npos);
  }
}

TEST(YazPeer, ExternalsInIllRequest) {
  SampleOptions options;
  options.with_external = true;
  const Bytes ber = yaz_encode_sample(1, options);
  const YazDecodeResult r = yaz_decode(ber);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_NE(r.dump.find("iLL_service_type {\n      1\n      5\n    }"), std::string::npos);
  EXPECT_NE(r.dump.find("responder_specific_service {\n        direct OID: 1 0 10161 13 2\n"
                        "        octet OCTETSTRING(len=4) rush"),
            std::string::npos);
  EXPECT_NE(r.dump.find("supplemental_item_description"), std::string::npos);
  EXPECT_NE(r.dump.find("single ANY (len=23)"), std::string::npos);
  EXPECT_EQ(yaz_reencode(ber), ber);
}

TEST(YazPeer, Utf8NoteTravelsByteForByte) {
  SampleOptions options;
  options.note = kUtf8Note;
  const Bytes ber = yaz_encode_sample(17, options);
  EXPECT_TRUE(contains(ber, Bytes(kUtf8Note.begin(), kUtf8Note.end())));
  const YazDecodeResult r = yaz_decode(ber);
  ASSERT_TRUE(r.ok) << r.error;
  // odr_print escapes bytes above 0x7e as \XHH.
  EXPECT_NE(r.dump.find("'Pr\\XC3\\XAAt entre"), std::string::npos) << r.dump;
  EXPECT_EQ(yaz_reencode(ber), ber);
}

TEST(YazPeer, TitleLengthKnobSetsTheExactTitleLength) {
  for (const std::size_t length : {1u, 29u, 126u, 127u, 128u, 300u}) {
    SampleOptions options;
    options.title_length = length;
    const Bytes ber = yaz_encode_sample(1, options);
    const YazDecodeResult r = yaz_decode(ber);
    ASSERT_TRUE(r.ok) << r.error;
    const auto at = r.dump.find("title choice\n        GeneralString '");
    ASSERT_NE(at, std::string::npos);
    const auto start = r.dump.find('\'', at) + 1;
    EXPECT_EQ(r.dump.find('\'', start) - start, length);
    EXPECT_EQ(yaz_reencode(ber), ber);
  }
}

TEST(YazPeer, BoundarySampleHasIndefiniteOuterAndDefiniteInnerSequence) {
  const Bytes ber = yaz_encode_boundary_sample();
  ASSERT_GE(ber.size(), 4u);
  EXPECT_EQ(Bytes(ber.begin(), ber.begin() + 4), (Bytes{0x68, 0x80, 0x30, 0x7e}));
  EXPECT_EQ(Bytes(ber.end() - 2, ber.end()), (Bytes{0x00, 0x00}));
  EXPECT_EQ(ber.size(), 4u + 0x7eu + 2u);
  const auto site = find_mixed_length_site(ber);
  ASSERT_TRUE(site.has_value());
  EXPECT_EQ(site->offset, 0u);
  EXPECT_EQ(site->inner_length, 0x7e);
  const YazDecodeResult r = yaz_decode(ber);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.kind, 8);
  EXPECT_EQ(yaz_reencode(ber), ber);

  const Bytes ber7f = yaz_encode_boundary_sample(8, 0x7f);
  EXPECT_EQ(Bytes(ber7f.begin(), ber7f.begin() + 4), (Bytes{0x68, 0x80, 0x30, 0x7f}));
  EXPECT_EQ(yaz_reencode(ber7f), ber7f);

  // One byte more and YAZ goes indefinite inside too; one byte less and definite outside.
  const auto length = boundary_note_length(8, 0x7f);
  ASSERT_TRUE(length.has_value());
  SampleOptions longer;
  longer.note.assign(*length + 1, '.');
  const Bytes over = yaz_encode_sample(8, longer);
  EXPECT_EQ(Bytes(over.begin(), over.begin() + 4), (Bytes{0x68, 0x80, 0x30, 0x80}));
  SampleOptions shorter;
  shorter.note.assign(*length - 2, '.');
  const Bytes under = yaz_encode_sample(8, shorter);
  EXPECT_EQ(Bytes(under.begin(), under.begin() + 4), (Bytes{0x68, 0x7f, 0x30, 0x7d}));
}

TEST(YazPeer, BoundaryExistsForEveryShortKind) {
  for (int kind = kFirstApduKind; kind <= kLastApduKind; ++kind) {
    SCOPED_TRACE(std::string(apdu_kind_name(kind)));
    const bool too_long_or_no_note =
        kind == 1 || kind == 2 || kind == 3 || kind == 10 || kind == 19 || kind == 20;
    EXPECT_EQ(boundary_note_length(kind, 0x7e).has_value(), !too_long_or_no_note);
  }
  EXPECT_THROW(yaz_encode_boundary_sample(1), std::runtime_error);
}

TEST(YazPeer, FindMixedLengthSiteIgnoresPlainIndefiniteAndDefiniteChains) {
  EXPECT_FALSE(find_mixed_length_site(yaz_encode_sample(1)).has_value());     // 61 80 30 80
  EXPECT_FALSE(find_mixed_length_site(yaz_encode_sample(6)).has_value());     // 66 59 30 57
  EXPECT_FALSE(find_mixed_length_site(Bytes{0x61, 0x80, 0x30}).has_value());  // malformed
  SampleOptions options;
  options.with_extension = true;  // Cancel with an extension: 66 80 30 7f
  const auto site = find_mixed_length_site(yaz_encode_sample(6, options));
  ASSERT_TRUE(site.has_value());
  EXPECT_EQ(site->inner_length, 0x7f);
}

// YAZ behaviours that interop tests depend on.

TEST(YazBehaviour, EncodesBooleanTrueAsOne) {
  const Bytes ber = yaz_encode_sample(5);  // Conditional-Reply ends with answer [35] TRUE
  EXPECT_EQ(Bytes(ber.end() - 4, ber.end()), (Bytes{0x9f, 0x23, 0x01, 0x01}));
}

TEST(YazBehaviour, RejectsAbsentDefaultComponent) {
  Bytes ber = yaz_encode_sample(1);
  // retry-flag [21] FALSE then forward-flag [22] FALSE, inside an indefinite SEQUENCE.
  const Bytes flags{0x95, 0x01, 0x00, 0x96, 0x01, 0x00};
  const auto at = std::search(ber.begin(), ber.end(), flags.begin(), flags.end());
  ASSERT_NE(at, ber.end());
  ber.erase(at, at + 3);
  const YazDecodeResult r = yaz_decode(ber);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("Required data element missing"), std::string::npos) << r.error;
  EXPECT_EQ(yaz_reencode(ber), std::nullopt);
}

TEST(YazBehaviour, AcceptsDefiniteLengthsAndReencodesToItsOwnForm) {
  for (int kind = kFirstApduKind; kind <= kLastApduKind; ++kind) {
    SCOPED_TRACE(std::string(apdu_kind_name(kind)));
    SampleOptions options;
    options.with_extension = true;
    const Bytes ber = yaz_encode_sample(kind, options);
    Bytes definite;
    const auto end = to_definite(ber, 0, definite, 0);
    ASSERT_EQ(end, ber.size());
    const YazDecodeResult r = yaz_decode(definite);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(yaz_reencode(definite), ber);
  }
}

TEST(YazBehaviour, ReportsTrailingTruncatedAndGarbageInput) {
  const Bytes ber = yaz_encode_sample(6);
  Bytes trailing = ber;
  trailing.push_back(0x00);
  YazDecodeResult r = yaz_decode(trailing);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.kind, 6);
  EXPECT_EQ(r.consumed, ber.size());
  EXPECT_EQ(yaz_reencode(trailing), std::nullopt);

  const Bytes truncated(ber.begin(), ber.end() - 1);
  r = yaz_decode(truncated);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());

  for (const Bytes& bad : {Bytes{}, Bytes{0x30, 0x00}, Bytes{0x75, 0x00}, Bytes{0x61, 0x80}}) {
    r = yaz_decode(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(YazPeer, RejectsUnknownKinds) {
  EXPECT_THROW(yaz_encode_sample(0), std::invalid_argument);
  EXPECT_THROW(yaz_encode_sample(21), std::invalid_argument);
  EXPECT_EQ(apdu_kind_name(0), "");
  EXPECT_EQ(apdu_kind_name(19), "status-or-error-report");
}

TEST(YazPeer, GoldenSamplesAreTheDocumentedSet) {
  const auto samples = yaz_golden_samples();
  ASSERT_EQ(samples.size(), 24u);
  EXPECT_EQ(samples[0].file_name, "yaz-ill-request.ber");
  EXPECT_EQ(samples[19].file_name, "yaz-expired.ber");
  EXPECT_EQ(samples[20].file_name, "yaz-boundary.ber");
  for (const auto& s : samples) {
    SCOPED_TRACE(s.file_name);
    const YazDecodeResult r = yaz_decode(s.ber);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(yaz_reencode(s.ber), s.ber);
  }
}

#ifdef ILLHUB_TEST_DATA_DIR
// The stored golden vectors still equal what YAZ produces; regenerate with gen_yaz_samples.
TEST(YazPeer, StoredGoldenSamplesMatchYaz) {
  const std::filesystem::path dir = std::filesystem::path(ILLHUB_TEST_DATA_DIR) / "apdu";
  for (const auto& s : yaz_golden_samples()) {
    SCOPED_TRACE(s.file_name);
    std::ifstream in(dir / s.file_name, std::ios::binary);
    ASSERT_TRUE(in) << "missing " << (dir / s.file_name);
    const Bytes stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(stored, s.ber);
  }
}
#endif

}  // namespace
}  // namespace illhub::testing
