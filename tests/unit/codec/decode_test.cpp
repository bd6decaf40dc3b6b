#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "asn1c_der.hpp"
#include "ber_test_util.hpp"
#include "codec/asn1_types.hpp"
#include "codec/defaults.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes request() { return testing::read_data_file("yaz-ill-request.ber"); }

/// Re-encodes a decoded APDU after changing it, for inputs a good encoder would not make.
template <class F>
Bytes mutated(const Bytes& ber, F&& change) {
  auto apdu = decode(ber);
  EXPECT_TRUE(apdu.has_value());
  change(apdu->raw());
  return testing::asn1c_der(apdu->raw());
}

TEST(Decode, AcceptsAnIllRequestFromYaz) {
  const Bytes ber = request();
  ASSERT_FALSE(ber.empty());
  auto apdu = decode(ber);
  ASSERT_TRUE(apdu.has_value()) << apdu.error().detail;
  EXPECT_EQ(apdu->kind(), ApduKind::kIllRequest);
  EXPECT_TRUE(std::equal(ber.begin(), ber.end(), apdu->bytes().begin(), apdu->bytes().end()));
}

TEST(Decode, RefusesEmptyInputAsTruncated) {
  auto r = decode(Bytes{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kTruncated);
  EXPECT_EQ(general_problem(r.error()), GeneralProblem::kBadlyStructuredApdu);
}

TEST(Decode, RefusesATruncatedApdu) {
  const Bytes ber = request();
  auto r = decode(std::span(ber).first(ber.size() - 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kTruncated);
}

TEST(Decode, RefusesTrailingBytes) {
  Bytes ber = request();
  ber.push_back(0);
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kTrailingBytes);
  EXPECT_EQ(r.error().offset, ber.size() - 1);
}

TEST(Decode, RefusesAnUnknownApplicationTagAsUnrecognized) {
  Bytes ber = request();
  ber[0] = 0x75;  // [APPLICATION 21]
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kUnrecognizedApdu);
  EXPECT_EQ(general_problem(r.error()), GeneralProblem::kUnrecognizedApdu);
}

TEST(Decode, RefusesAPrimitiveWhereTheApduIsConstructed) {
  Bytes ber{0x41, 0x01, 0x00};  // [APPLICATION 1] primitive
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kUnrecognizedApdu);
}

TEST(Decode, RefusesAMissingMandatoryField) {
  // An ILL-Request holding only protocol-version-num.
  auto r = decode(Bytes{0x61, 0x03, 0x80, 0x01, 0x02});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kStructure);
  EXPECT_EQ(general_problem(r.error()), GeneralProblem::kBadlyStructuredApdu);
  EXPECT_NE(r.error().detail.find("ILL-Request"), std::string::npos);
}

TEST(Decode, RefusesProtocolVersionThree) {
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) { a.choice.ill_request.protocol_version_num = 3; });
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kUnsupportedVersion);
  EXPECT_EQ(general_problem(r.error()), GeneralProblem::kProtocolVersionNotSupported);
}

TEST(Decode, AcceptsProtocolVersionOne) {
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) { a.choice.ill_request.protocol_version_num = 1; });
  auto r = decode(ber);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(read_envelope(*r).protocol_version, 1);
}

TEST(Decode, RefusesSixServiceTypesAsMistyped) {
  // SIZE (1..5): the asn1c decoder alone would accept six.
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) {
    auto& list = a.choice.ill_request.iLL_service_type.list;
    while (list.count < 6) {
      auto* t = asn1::make<ILL_Service_Type_t>();
      *t = 2;
      ASN_SEQUENCE_ADD(&list, t);
    }
  });
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kConstraint);
  EXPECT_EQ(general_problem(r.error()), GeneralProblem::kMistypedApdu);
}

TEST(Decode, RefusesAnIssnOfTheWrongLength) {
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) {
    auto* s = asn1::make<ILL_String_t>();
    s->present = ILL_String_PR_generalstring;
    asn1::set_text(s->choice.generalstring, "1234-56789");
    a.choice.ill_request.item_id.iSSN = s;
  });
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kConstraint);
  EXPECT_NE(r.error().detail.find("iSSN"), std::string::npos);
}

TEST(Decode, AcceptsAThirteenDigitIsbn) {
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) {
    asn1::set_text(a.choice.ill_request.item_id.iSBN->choice.generalstring, "978-0-12-345678-6");
  });
  auto r = decode(ber);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(read_envelope(*r).item.isbn, "978-0-12-345678-6");
}

TEST(Decode, RefusesAnEdifactStringOutsideItsAlphabet) {
  const Bytes ber = mutated(request(), [](ILL_APDU_t& a) {
    auto& q = a.choice.ill_request.transaction_id.transaction_qualifier;
    q.present = ILL_String_PR_edifactstring;  // both alternatives are OCTET STRINGs in one union
    asn1::set_text(q.choice.edifactstring, "T0001#");  // '#' is not in EDIFACTString
  });
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kConstraint);
}

TEST(Decode, RefusesAnApduOverTheSizeLimitWithoutParsingIt) {
  const Bytes ber = request();
  CodecLimits limits;
  limits.max_apdu_bytes = ber.size() - 1;
  auto r = decode(ber, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kTooLarge);
  limits.max_apdu_bytes = ber.size();
  EXPECT_TRUE(decode(ber, limits));
}

TEST(Decode, RefusesAMalformedEndOfContentsInsteadOfHanging) {
  // An Expired whose System-Id CHOICE ends with 00 01: asn1c 0.9.28 loops forever on it.
  Bytes ber = testing::to_indefinite(testing::read_data_file("yaz-expired.ber"));
  // Replace the first end-of-contents pair with 00 01.
  for (std::size_t i = 0; i + 1 < ber.size(); ++i)
    if (ber[i] == 0 && ber[i + 1] == 0) {
      ber[i + 1] = 1;
      break;
    }
  auto r = decode(ber);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().problem, DecodeProblem::kBadBer);
  EXPECT_EQ(r.error().ber, BerProblem::kMalformedEndOfContents);
}

TEST(Decode, DecodesIndefiniteAndDefiniteFormsToTheSameValues) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    const Bytes ber = testing::read_data_file(file);
    ASSERT_FALSE(ber.empty()) << file;
    const Bytes definite = to_definite(ber);
    const Bytes indefinite = testing::to_indefinite(definite);
    auto a = decode(definite);
    auto b = decode(indefinite);
    ASSERT_TRUE(a) << file << ": " << a.error().detail;
    ASSERT_TRUE(b) << file << ": " << b.error().detail;
    EXPECT_EQ(*encode(*a), *encode(*b)) << file;
  }
}

TEST(Defaults, EveryDefaultOfTheModuleIsKnownToTheFiller) {
  std::ifstream in(std::string(ILLHUB_SOURCE_DIR) + "/asn1/ill.asn");
  std::stringstream text;
  text << in.rdbuf();
  const std::string module = text.str();
  const std::regex default_re(R"(\bDEFAULT\b)");
  const auto count = std::distance(std::sregex_iterator(module.begin(), module.end(), default_re),
                                   std::sregex_iterator());
  EXPECT_EQ(count, asn1::known_default_count());
}

}  // namespace
}  // namespace illhub::codec
