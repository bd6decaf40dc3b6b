#include <gtest/gtest.h>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"
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
