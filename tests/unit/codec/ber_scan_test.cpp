#include "illhub/codec/ber_scan.hpp"

#include <gtest/gtest.h>

#include "ber_test_util.hpp"
#include "illhub/codec/builders.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

TlvScan scan(const Bytes& b, CodecLimits limits = {}) { return scan_tlv(b, limits); }

Bytes expired_ber() {
  const auto apdu = build_expired(testing::sample_header());
  return Bytes(apdu->bytes().begin(), apdu->bytes().end());
}

TEST(BerScan, FindsTheEndOfADefiniteApdu) {
  Bytes b = expired_ber();
  const std::size_t size = b.size();
  b.push_back(0x42);  // the start of the next APDU is not part of this one
  const TlvScan s = scan(b);
  ASSERT_EQ(s.status, TlvScan::Status::kComplete);
  EXPECT_EQ(s.size, size);
  EXPECT_FALSE(s.has_indefinite);
  EXPECT_EQ(s.tag_class, 1);
  EXPECT_TRUE(s.constructed);
  EXPECT_EQ(s.tag_number, 20u);
}

TEST(BerScan, FindsTheEndOfAnIndefiniteApdu) {
  const Bytes b = testing::to_indefinite(expired_ber());
  const TlvScan s = scan(b);
  ASSERT_EQ(s.status, TlvScan::Status::kComplete);
  EXPECT_EQ(s.size, b.size());
  EXPECT_TRUE(s.has_indefinite);
}

TEST(BerScan, AsksForTheWholeDefiniteValueAtOnce) {
  const Bytes b = expired_ber();
  const TlvScan s = scan(Bytes(b.begin(), b.begin() + 3));
  ASSERT_EQ(s.status, TlvScan::Status::kNeedMore);
  EXPECT_EQ(s.size, b.size());  // the outer length says exactly how much is needed
}

TEST(BerScan, NeedsMoreForEveryProperPrefix) {
  for (const Bytes& b : {expired_ber(), testing::to_indefinite(expired_ber())}) {
    for (std::size_t n = 0; n < b.size(); ++n) {
      const TlvScan s = scan(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)));
      ASSERT_EQ(s.status, TlvScan::Status::kNeedMore) << "prefix " << n;
      EXPECT_GT(s.size, n);
      EXPECT_LE(s.size, b.size());
    }
  }
}

TEST(BerScan, RefusesIndefiniteLengthOnAPrimitive) {
  const TlvScan s = scan({0x64, 0x80, 0x04, 0x80, 0x00, 0x00, 0x00, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kIndefinitePrimitive);
  EXPECT_EQ(s.offset, 2u);
}

TEST(BerScan, RefusesAStrayEndOfContents) {
  const TlvScan s = scan({0x64, 0x04, 0x00, 0x00, 0x02, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kStrayEndOfContents);
}

TEST(BerScan, RefusesAnEndOfContentsWithANonZeroLength) {
  // 00 01 inside an indefinite value: the input that hangs asn1c 0.9.28's CHOICE decoder.
  const TlvScan s = scan({0x64, 0x80, 0x30, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kMalformedEndOfContents);
  EXPECT_EQ(s.offset, 4u);
}

TEST(BerScan, RefusesMoreThanEightLengthOctets) {
  const TlvScan s = scan({0x64, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kBadLength);
}

TEST(BerScan, RefusesTheReservedLengthForm) {
  const TlvScan s = scan({0x64, 0xFF, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kBadLength);
}

TEST(BerScan, RefusesAnOverlongTagNumber) {
  const TlvScan s = scan({0x7F, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kBadTag);
}

TEST(BerScan, RefusesAnAbsurdLengthBeforeBufferingIt) {
  // Declares 2^63 bytes: refused from the header alone.
  const TlvScan s = scan({0x64, 0x88, 0x80, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kTooLarge);
}

TEST(BerScan, RefusesAChildRunningPastItsParent) {
  const TlvScan s = scan({0x64, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00});
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kOverrun);
}

Bytes nested(int depth, bool indefinite) {
  Bytes b;
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x30, 0x80});
  for (int i = 0; i < depth; ++i) b.insert(b.end(), {0x00, 0x00});
  if (indefinite) return b;
  return to_definite(b);
}

TEST(BerScan, AcceptsNestingUpToTheLimit) {
  CodecLimits limits;
  limits.max_depth = 10;
  for (bool indefinite : {true, false}) {
    EXPECT_EQ(scan(nested(9, indefinite), limits).status, TlvScan::Status::kComplete);
    EXPECT_EQ(scan(nested(10, indefinite), limits).status, TlvScan::Status::kComplete);
    const TlvScan s = scan(nested(11, indefinite), limits);
    ASSERT_EQ(s.status, TlvScan::Status::kError);
    EXPECT_EQ(s.problem, BerProblem::kTooDeep);
  }
}

TEST(BerScan, RefusesTenThousandLevelsQuickly) {
  const TlvScan s = scan(nested(10000, true));
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kTooDeep);
}

TEST(BerScan, AcceptsSizesUpToTheLimit) {
  auto octets = [](std::size_t content) {
    Bytes b{0x04, 0x82, static_cast<std::uint8_t>(content >> 8), static_cast<std::uint8_t>(content)};
    b.resize(4 + content, 'x');
    return b;
  };
  CodecLimits limits;
  limits.max_apdu_bytes = 1000;
  EXPECT_EQ(scan(octets(995), limits).status, TlvScan::Status::kComplete);  // 999 bytes
  EXPECT_EQ(scan(octets(996), limits).status, TlvScan::Status::kComplete);  // 1000 bytes
  const TlvScan s = scan(octets(997), limits);                                // 1001 bytes
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kTooLarge);
}

TEST(BerScan, RefusesAnIndefiniteValueThatGrowsPastTheLimit) {
  CodecLimits limits;
  limits.max_apdu_bytes = 100;
  Bytes b{0x30, 0x80};
  while (b.size() < 200) b.insert(b.end(), {0x04, 0x01, 0x41});
  const TlvScan s = scan(b, limits);
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kTooLarge);
}

TEST(BerScan, CountsEndOfContentsTowardsTheLimit) {
  // Found by framer_fuzz: an indefinite value that arrived whole ended past the limit,
  // because only definite ends were checked. 30 80 30 80 00 00 00 00 is 8 bytes.
  const Bytes b{0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00};
  CodecLimits limits;
  limits.max_apdu_bytes = 8;
  EXPECT_EQ(scan(b, limits).status, TlvScan::Status::kComplete);  // at the limit
  limits.max_apdu_bytes = 7;
  const TlvScan s = scan(b, limits);  // one over: the last end-of-contents
  ASSERT_EQ(s.status, TlvScan::Status::kError);
  EXPECT_EQ(s.problem, BerProblem::kTooLarge);
  limits.max_apdu_bytes = 5;
  EXPECT_EQ(scan(b, limits).problem, BerProblem::kTooLarge);  // the inner end-of-contents
}

TEST(ToDefinite, UndoesIndefiniteLengthsExactly) {
  const Bytes definite = expired_ber();
  EXPECT_EQ(to_definite(testing::to_indefinite(definite)), definite);
}

TEST(ToDefinite, HandlesAMixOfLengthForms) {
  // Indefinite outer tag around a definite inner SEQUENCE, as YAZ writes it.
  const Bytes mixed{0x68, 0x80, 0x30, 0x03, 0x02, 0x01, 0x05, 0x00, 0x00};
  EXPECT_EQ(to_definite(mixed), (Bytes{0x68, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05}));
}

TEST(ToDefinite, WritesLongFormLengthsWhenNeeded) {
  Bytes in{0x30, 0x80, 0x04, 0x81, 0xC8};
  in.resize(in.size() + 200, 'a');
  in.insert(in.end(), {0x00, 0x00});
  const Bytes out = to_definite(in);
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[0], 0x30);
  EXPECT_EQ(out[1], 0x81);
  EXPECT_EQ(out[2], 203);
  EXPECT_EQ(out.size(), 3u + 203u);
}


// ------------------------------------------------------------------ scan_to_definite

/// scan_to_definite must report exactly what scan_tlv reports.
void expect_same_scan(const TlvScan& a, const TlvScan& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.has_indefinite, b.has_indefinite);
  EXPECT_EQ(a.problem, b.problem);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.tag_class, b.tag_class);
  EXPECT_EQ(a.constructed, b.constructed);
  EXPECT_EQ(a.tag_number, b.tag_number);
}

TEST(ScanToDefinite, WritesTheDefiniteFormOfEveryGoldenApduInOnePass) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    SCOPED_TRACE(file);
    const Bytes golden = testing::read_data_file(file);
    const Bytes definite = to_definite(golden);
    for (const Bytes& in : {golden, testing::to_indefinite(definite)}) {
      Bytes out;
      const TlvScan s = scan_to_definite(in, CodecLimits{}, out);
      expect_same_scan(s, scan(in));
      if (s.has_indefinite) {
        EXPECT_EQ(out, definite);
      } else {
        EXPECT_TRUE(out.empty());
      }
    }
  }
}

TEST(ScanToDefinite, LeavesADefiniteInputAlone) {
  const Bytes definite = expired_ber();
  Bytes out{1, 2, 3};  // whatever was in the buffer goes
  const TlvScan s = scan_to_definite(definite, CodecLimits{}, out);
  EXPECT_EQ(s.status, TlvScan::Status::kComplete);
  EXPECT_FALSE(s.has_indefinite);
  EXPECT_TRUE(out.empty());
}

TEST(ScanToDefinite, ReportsWhatScanTlvReportsForPrefixesAndErrors) {
  const Bytes whole = testing::to_indefinite(expired_ber());
  for (std::size_t n = 0; n <= whole.size(); ++n) {
    const Bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    Bytes out;
    SCOPED_TRACE(n);
    expect_same_scan(scan_to_definite(prefix, CodecLimits{}, out), scan(prefix));
    if (n < whole.size()) {
      EXPECT_TRUE(out.empty());
    }
  }
  CodecLimits tight;
  tight.max_depth = 2;
  tight.max_apdu_bytes = 20;
  for (const Bytes& bad : {Bytes{0x30, 0x80, 0x00, 0x01}, Bytes{0x30, 0x80, 0x30, 0x80, 0x30, 0x80},
                           Bytes{0x30, 0x80, 0x04, 0x80}, Bytes{0x00, 0x00},
                           Bytes{0x30, 0x03, 0x04, 0x05, 0x00}, Bytes{0x30, 0x84, 0x10, 0, 0, 0}}) {
    Bytes out;
    const TlvScan s = scan_to_definite(bad, tight, out);
    EXPECT_EQ(s.status, TlvScan::Status::kError);
    expect_same_scan(s, scan(bad, tight));
    EXPECT_TRUE(out.empty());
  }
}

TEST(ScanToDefinite, ShortensALengthWrittenLongerThanNeeded) {
  const Bytes in{0x30, 0x80, 0x04, 0x82, 0x00, 0x02, 'a', 'b', 0x00, 0x00};
  Bytes out;
  scan_to_definite(in, CodecLimits{}, out);
  EXPECT_EQ(out, (Bytes{0x30, 0x04, 0x04, 0x02, 'a', 'b'}));
  EXPECT_EQ(to_definite(in), out);
}

TEST(ScanToDefinite, ShrinksADefiniteParentOfAnIndefiniteChild) {
  // A definite length counts its indefinite child's end-of-contents; without them it shrinks.
  const Bytes in{0x30, 0x06, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00};
  Bytes out;
  const TlvScan s = scan_to_definite(in, CodecLimits{}, out);
  EXPECT_TRUE(s.has_indefinite);
  EXPECT_EQ(out, (Bytes{0x30, 0x04, 0x30, 0x02, 0x05, 0x00}));
}

}  // namespace
}  // namespace illhub::codec
