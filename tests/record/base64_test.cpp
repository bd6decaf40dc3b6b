#include "illhub/record/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace illhub::record {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

struct Vector {
  const char* plain;
  const char* encoded;
};

// RFC 4648 section 10.
constexpr Vector kRfc4648Vectors[] = {
    {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesTheRfc4648TestVectors) {
  for (const auto& v : kRfc4648Vectors) EXPECT_EQ(base64_encode(bytes_of(v.plain)), v.encoded) << v.plain;
}

TEST(Base64, DecodesTheRfc4648TestVectors) {
  for (const auto& v : kRfc4648Vectors) {
    const auto decoded = base64_decode(v.encoded);
    ASSERT_TRUE(decoded) << v.encoded << ": " << decoded.error();
    EXPECT_EQ(*decoded, bytes_of(v.plain)) << v.encoded;
  }
}

TEST(Base64, RoundTripsEveryByteValueAtEveryTailLength) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(255 - i));
  for (std::size_t cut = 253; cut <= 256; ++cut) {  // remainders 1, 2, 0, 1 of three
    const std::vector<std::uint8_t> bytes(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cut));
    const auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{0xFB, 0xFF}), "+/8=");  // the two last characters
}

TEST(Base64, RefusesALengthThatIsNotAMultipleOfFour) {
  const auto decoded = base64_decode("Zm9");
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().find("not a multiple of 4"), std::string::npos) << decoded.error();
}

TEST(Base64, RefusesCharactersOutsideTheAlphabetNamingWhere) {
  const auto decoded = base64_decode("Zm9v*mFy");
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().find("character 5"), std::string::npos) << decoded.error();  // counted from 1
  EXPECT_NE(decoded.error().find("not in the alphabet"), std::string::npos) << decoded.error();
  EXPECT_FALSE(base64_decode("Zm9v YmF"));   // whitespace
  EXPECT_FALSE(base64_decode("Zm9v-_Fy"));   // the URL-safe alphabet is not this one
}

TEST(Base64, RefusesPaddingAnywhereButTheEnd) {
  EXPECT_FALSE(base64_decode("Zg==Zm9v"));
  EXPECT_FALSE(base64_decode("Z=8="));
  EXPECT_FALSE(base64_decode("===="));
  EXPECT_FALSE(base64_decode("Z==="));
}

TEST(Base64, RefusesNonZeroUnusedBitsSoEveryByteStringHasOneSpelling) {
  EXPECT_TRUE(base64_decode("Zg=="));
  EXPECT_FALSE(base64_decode("Zh=="));
  EXPECT_TRUE(base64_decode("Zm8="));
  EXPECT_FALSE(base64_decode("Zm9="));
}

}  // namespace
}  // namespace illhub::record
