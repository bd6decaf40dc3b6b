// The reports a session sends on its own account, decoded again with our codec.
#include "illhub/net/reports.hpp"

#include <gtest/gtest.h>

#include "illhub/codec/codec.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::net {
namespace {

/// The report's JSON rendering, or "" when it does not build or decode.
std::string framing_report_json(codec::BerProblem problem) {
  auto report = framing_failure_report(3, codec::FramingError{problem, 17}, "IRL:BOR");
  if (!report) return {};
  auto apdu = codec::decode(*report);
  return apdu ? codec::to_json(*apdu) : std::string();
}

TEST(FramingFailureReport, AnApduOverTheSizeLimitIsGeneralProblemOther) {
  EXPECT_EQ(framing_general_problem({codec::BerProblem::kTooLarge, 0}), codec::GeneralProblem::kOther);
  const std::string json = framing_report_json(codec::BerProblem::kTooLarge);
  EXPECT_NE(json.find(R"("general-problem": "other")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("correlation-information": "frame 3")"), std::string::npos) << json;
}

TEST(FramingFailureReport, EveryOtherFramingProblemIsBadlyStructured) {
  for (const auto problem : {codec::BerProblem::kTooDeep, codec::BerProblem::kBadTag, codec::BerProblem::kBadLength,
                             codec::BerProblem::kIndefinitePrimitive, codec::BerProblem::kStrayEndOfContents,
                             codec::BerProblem::kMalformedEndOfContents, codec::BerProblem::kOverrun}) {
    EXPECT_EQ(framing_general_problem({problem, 0}), codec::GeneralProblem::kBadlyStructuredApdu)
        << codec::describe(problem);
    const std::string json = framing_report_json(problem);
    EXPECT_NE(json.find(R"("general-problem": "badly-structured-APDU")"), std::string::npos) << json;
  }
}

}  // namespace
}  // namespace illhub::net
