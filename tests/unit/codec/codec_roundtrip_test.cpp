#include <gtest/gtest.h>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"
#include "asn1c_der.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, DecodeEncodeDecodeKeepsEveryValue) {
  const Bytes original = testing::read_data_file(GetParam());
  ASSERT_FALSE(original.empty()) << "missing tests/data/apdu/" << GetParam();
  auto first = decode(original);
  ASSERT_TRUE(first) << first.error().detail;
  auto encoded = encode(*first);
  ASSERT_TRUE(encoded) << encoded.error().detail;
  auto second = decode(*encoded);
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(to_json(*first), to_json(*second));
  // Our encoding is canonical: encoding again gives the same bytes.
  EXPECT_EQ(*encode(*second), *encoded);
  // Definite lengths only: normalising changes nothing.
  EXPECT_EQ(to_definite(*encoded), *encoded);
}

INSTANTIATE_TEST_SUITE_P(YazSamples, RoundTrip, ::testing::ValuesIn(testing::all_yaz_sample_files()),
                         [](const auto& param_info) {
                           std::string name;
                           for (char c : param_info.param)
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           return name;
                         });

}  // namespace
}  // namespace illhub::codec

namespace illhub::codec {
namespace {

using testing::asn1c_der;

TEST(DerWriter, WritesExactlyWhatAsn1cWrites) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    auto apdu = decode(testing::read_data_file(file));
    ASSERT_TRUE(apdu) << file;
    auto ours = encode(*apdu);
    ASSERT_TRUE(ours) << file;
    EXPECT_EQ(*ours, asn1c_der(apdu->raw())) << file;
  }
}

TEST(DerWriter, WritesLongTagsAndLengths) {
  // An ILL-Request with a 300-byte note: [46] needs a two-byte tag, 300 a two-byte length.
  auto apdu = decode(testing::read_data_file("yaz-ill-request.ber"));
  ASSERT_TRUE(apdu);
  auto& r = apdu->raw().choice.ill_request;
  r.requester_note = asn1::make<ILL_String_t>();
  r.requester_note->present = ILL_String_PR_generalstring;
  asn1::set_text(r.requester_note->choice.generalstring, std::string(300, 'n'));
  auto ours = encode(*apdu);
  ASSERT_TRUE(ours);
  EXPECT_EQ(*ours, asn1c_der(apdu->raw()));
  EXPECT_TRUE(decode(*ours));
}

}  // namespace
}  // namespace illhub::codec
