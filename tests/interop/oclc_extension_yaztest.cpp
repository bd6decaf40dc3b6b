// OCLC's ILL-Request extension (1.0.10161.13.2) against YAZ, the one independent codec that has
// it: YAZ encodes the value, wraps it in an EXTERNAL and an Extension the way its ILL client
// does (identifier 1, single-ASN1-type), and encodes the whole ILL-Request; we decode it to the
// same field values. Back: our encoding of the value we decoded is read by YAZ's decoder to
// the same values, and YAZ reads our relayed APDU as the very same APDU.
#include <gtest/gtest.h>

#include "codec/asn1_types.hpp"
#include "codec/extension_item.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "support/yaz_peer.hpp"
#include "yaz_oclc_extension.hpp"

namespace illhub {
namespace {

using Bytes = std::vector<std::uint8_t>;

const codec::OclcIllRequest kAllFields{"Chemistry", "IFM",        "Hamlet", "Thesis (PhD)",
                                       "4",         "12",         "OhioLINK", "WorldCat"};

Bytes der(asn_TYPE_descriptor_t* type, const void* value) {
  Bytes out;
  const asn_enc_rval_t rv = der_encode(
      type, const_cast<void*>(value),
      [](const void* p, size_t n, void* key) {
        auto* v = static_cast<Bytes*>(key);
        v->insert(v->end(), static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n);
        return 0;
      },
      &out);
  EXPECT_GE(rv.encoded, 0);
  return out;
}

class OclcExtensionInterop : public ::testing::TestWithParam<codec::OclcIllRequest> {};

TEST_P(OclcExtensionInterop, WeReadWhatYazWritesAndYazReadsWhatWeWrite) {
  const codec::OclcIllRequest& expected = GetParam();
  const Bytes yaz_ber = testing::yaz_request_with_extension(testing::yaz_oclc_external(expected));
  ASSERT_FALSE(yaz_ber.empty());

  auto ours = codec::decode(yaz_ber);
  ASSERT_TRUE(ours) << ours.error().detail;
  const codec::Envelope e = codec::read_envelope(*ours);
  ASSERT_TRUE(e.oclc_request);
  EXPECT_EQ(*e.oclc_request, expected);

  // Back: our DER of the value we decoded, read by YAZ's decoder, gives the same fields.
  const auto extensions = codec::asn1::extensions_of(ours->raw());
  ASSERT_EQ(extensions.size(), 1u);
  const auto item = codec::asn1::read_extension_item(*extensions[0]);
  ASSERT_TRUE(item.decoded()) << item.problem;
  const auto from_yaz = testing::yaz_read_oclc(der(item.known->type, item.value.get()));
  ASSERT_TRUE(from_yaz);
  EXPECT_EQ(*from_yaz, expected);

  // The APDU we would relay is, for YAZ, the same APDU it wrote.
  auto reencoded = codec::encode(*ours);
  ASSERT_TRUE(reencoded);
  const auto yaz_view = testing::yaz_decode(yaz_ber);
  const auto yaz_view_of_ours = testing::yaz_decode(*reencoded);
  ASSERT_TRUE(yaz_view.ok && yaz_view_of_ours.ok) << yaz_view_of_ours.error;
  EXPECT_EQ(yaz_view_of_ours.dump, yaz_view.dump);
}

INSTANTIATE_TEST_SUITE_P(Values, OclcExtensionInterop,
                         ::testing::Values(kAllFields, codec::OclcIllRequest{},  // all absent
                                           codec::OclcIllRequest{"", "", "", "", "", "12", "", ""},
                                           codec::OclcIllRequest{"Département de chimie", "", "",
                                                                 "", "", "", "", "WorldCat"}));

TEST(OclcExtensionInterop, YazsClientExtensionListShowsFieldsByName) {
  const Bytes yaz_ber = testing::yaz_request_with_extension(testing::yaz_oclc_external(kAllFields));
  auto ours = codec::decode(yaz_ber);
  ASSERT_TRUE(ours);
  const std::string text = codec::to_text(*ours);
  EXPECT_NE(text.find("direct-reference: 1.0.10161.13.2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("uniformTitle: Hamlet\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace illhub
