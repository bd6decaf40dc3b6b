#include "illhub/codec/framer.hpp"

#include <gtest/gtest.h>

#include "ber_test_util.hpp"
#include "illhub/codec/builders.hpp"
#include "sample_apdus.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(const Result<Apdu, EncodeError>& apdu) {
  return Bytes(apdu->bytes().begin(), apdu->bytes().end());
}

/// Three different APDUs, the middle one in indefinite form.
std::vector<Bytes> three_apdus() {
  const ApduHeader h = testing::sample_header();
  StatusOrErrorReportSpec report;
  report.error = ErrorReportSpec{"T0001", GeneralProblem::kBadlyStructuredApdu};
  return {bytes_of(build_expired(h)),
          testing::to_indefinite(bytes_of(build_overdue(h, DateDue{"20261231", true}, "please return"))),
          bytes_of(build_status_or_error_report(h, report))};
}

std::vector<Bytes> drain(StreamFramer& f) {
  std::vector<Bytes> out;
  while (auto frame = f.next()) out.push_back(std::move(*frame));
  return out;
}

TEST(StreamFramer, SplitsAStreamAtEveryPossiblePoint) {
  const std::vector<Bytes> apdus = three_apdus();
  Bytes stream;
  for (const auto& a : apdus) stream.insert(stream.end(), a.begin(), a.end());
  for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= stream.size(); cut2 += 7) {
      StreamFramer f;
      std::vector<Bytes> got;
      const std::size_t cuts[] = {0, cut1, cut2, stream.size()};
      for (int i = 0; i < 3; ++i) {
        f.feed(std::span(stream).subspan(cuts[i], cuts[i + 1] - cuts[i]));
        for (auto& frame : drain(f)) got.push_back(std::move(frame));
      }
      ASSERT_EQ(got, apdus) << "cuts at " << cut1 << " and " << cut2;
      EXPECT_EQ(f.buffered(), 0u);
      EXPECT_FALSE(f.error());
    }
  }
}

TEST(StreamFramer, DeliversOneByteAtATime) {
  const std::vector<Bytes> apdus = three_apdus();
  StreamFramer f;
  std::vector<Bytes> got;
  for (const auto& a : apdus)
    for (std::uint8_t b : a) {
      f.feed(std::span(&b, 1));
      for (auto& frame : drain(f)) got.push_back(std::move(frame));
    }
  EXPECT_EQ(got, apdus);
}

TEST(StreamFramer, HoldsATruncatedApduUntilTheRestArrives) {
  const Bytes a = three_apdus()[1];
  StreamFramer f;
  f.feed(std::span(a).first(a.size() - 1));
  EXPECT_TRUE(drain(f).empty());
  EXPECT_EQ(f.buffered(), a.size() - 1);
  EXPECT_FALSE(f.error());
  f.feed(std::span(a).last(1));
  EXPECT_EQ(drain(f), std::vector<Bytes>{a});
}

TEST(StreamFramer, StopsAtAnOversizeApduBeforeBufferingIt) {
  CodecLimits limits;
  limits.max_apdu_bytes = 64;
  StreamFramer f(limits);
  const Bytes header{0x61, 0x82, 0x10, 0x00};  // declares 4096 bytes
  f.feed(header);
  EXPECT_TRUE(drain(f).empty());
  ASSERT_TRUE(f.error());
  EXPECT_EQ(f.error()->problem, BerProblem::kTooLarge);
}

TEST(StreamFramer, ReportsTheStreamOffsetOfGarbageAfterGoodApdus) {
  const Bytes good = three_apdus()[0];
  StreamFramer f;
  f.feed(good);
  const Bytes garbage{0x61, 0x80, 0x04, 0x80};  // indefinite primitive: cannot be framed
  f.feed(garbage);
  EXPECT_EQ(drain(f), std::vector<Bytes>{good});
  ASSERT_TRUE(f.error());
  EXPECT_EQ(f.error()->problem, BerProblem::kIndefinitePrimitive);
  EXPECT_EQ(f.error()->stream_offset, good.size() + 2);
  f.feed(good);  // a broken stream stays broken
  EXPECT_TRUE(drain(f).empty());
}

TEST(StreamFramer, StopsAtTooDeepNesting) {
  StreamFramer f;
  Bytes deep;
  for (int i = 0; i < 100; ++i) deep.insert(deep.end(), {0x30, 0x80});
  f.feed(deep);
  EXPECT_TRUE(drain(f).empty());
  ASSERT_TRUE(f.error());
  EXPECT_EQ(f.error()->problem, BerProblem::kTooDeep);
}

TEST(StreamFramer, FramesWellFormedTlvsThatAreNotApdusForTheDecoderToRefuse) {
  // A framer knows BER, not ISO 10161: a stray UNIVERSAL value is one frame, and the
  // connection can carry on after the decoder's error report.
  StreamFramer f;
  const Bytes stray{0x04, 0x02, 0x41, 0x42};
  const Bytes good = three_apdus()[0];
  f.feed(stray);
  f.feed(good);
  EXPECT_EQ(drain(f), (std::vector<Bytes>{stray, good}));
}

}  // namespace
}  // namespace illhub::codec
