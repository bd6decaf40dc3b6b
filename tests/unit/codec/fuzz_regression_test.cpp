// Every input a fuzzer once broke the codec with (tests/data/fuzz-regressions/) must now be
// handled: refused with an error, or decoded, re-encoded and decoded again to the same bytes.
// Under ILLHUB_SANITIZE these also check for the undefined behaviour they first showed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/framer.hpp"

namespace illhub::codec {
namespace {

TEST(FuzzRegressions, EveryRecordedInputIsHandled) {
  const std::filesystem::path dir = std::filesystem::path(ILLHUB_TEST_DATA_DIR) / "fuzz-regressions";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto apdu = decode(bytes);
    if (apdu) {
      auto encoded = encode(*apdu);
      ASSERT_TRUE(encoded) << entry.path();
      auto again = decode(*encoded);
      ASSERT_TRUE(again) << entry.path();
      EXPECT_EQ(*encode(*again), *encoded) << entry.path();
    } else {
      EXPECT_FALSE(apdu.error().detail.empty());
    }
    StreamFramer framer;
    framer.feed(bytes);
    while (auto frame = framer.next()) (void)decode(*frame);
    ++count;
  }
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace illhub::codec
