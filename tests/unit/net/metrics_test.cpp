// Metrics: illd's series names and the bounded label values they are counted under.
#include "illhub/net/metrics.hpp"

#include <gtest/gtest.h>

namespace illhub::net {
namespace {

TEST(RefusalReason, NamesTheProblemKindAndItsValueNeverItsText) {
  EXPECT_EQ(refusal_reason(codec::GeneralProblem::kBadlyStructuredApdu), "general-problem:badly-structured-APDU");
  EXPECT_EQ(refusal_reason(codec::TransactionIdProblem::kUnknown), "transaction-id-problem:unknown");
  EXPECT_EQ(refusal_reason(codec::StateTransitionProhibited{codec::ApduKind::kReturned, 2}),
            "state-transition-prohibited");
  EXPECT_EQ(refusal_reason(codec::SecurityProblem{"IRL:BOR may not send from 10.0.0.1"}), "security-problem");
  EXPECT_EQ(refusal_reason(codec::UnableToPerform::kResourceLimitation), "unable-to-perform:resource-limitation");
}

TEST(Metrics, CountsApdusAndRefusalsUnderTheirLabels) {
  Metrics m;
  m.count_apdu("ILL-Request", ApduResult::kAccepted);
  m.count_apdu("ILL-Request", ApduResult::kAccepted);
  m.count_apdu("unknown", ApduResult::kMalformed);
  m.count_refusal(codec::GeneralProblem::kMistypedApdu);
  EXPECT_EQ(m.apdus.value({"ILL-Request", "accepted"}), 2u);
  EXPECT_EQ(m.apdus.value({"unknown", "malformed"}), 1u);
  EXPECT_EQ(m.apdus.value({"ILL-Request", "refused"}), 0u);
  const std::string text = m.registry.render();
  EXPECT_NE(text.find("illhub_apdus_total{kind=\"ILL-Request\",result=\"accepted\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("illhub_refusals_total{reason=\"general-problem:mistyped-APDU\"} 1\n"), std::string::npos);
}

TEST(Metrics, EveryDocumentedSeriesIsRegisteredWithItsType) {
  const std::string text = Metrics().registry.render();
  for (const char* line :
       {"# TYPE illhub_apdus_total counter\n", "# TYPE illhub_refusals_total counter\n",
        "# TYPE illhub_connections_open gauge\n", "# TYPE illhub_connections_total counter\n",
        "# TYPE illhub_connections_refused_total counter\n", "# TYPE illhub_outbox_pending gauge\n",
        "# TYPE illhub_outbox_failed gauge\n", "# TYPE illhub_deliveries_total counter\n",
        "# TYPE illhub_delivery_latency_seconds histogram\n", "# TYPE illhub_commit_latency_seconds histogram\n",
        "# TYPE illhub_commit_batch_size histogram\n",
        "illhub_connections_open 0\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line;
  // Unknown until the database was asked: no sample rather than a made-up 0.
  EXPECT_EQ(text.find("illhub_outbox_pending 0"), std::string::npos);
}

TEST(ResultNames, AreTheDocumentedLabelValues) {
  EXPECT_EQ(to_string(ApduResult::kAccepted), "accepted");
  EXPECT_EQ(to_string(ApduResult::kDuplicate), "duplicate");
  EXPECT_EQ(to_string(ApduResult::kRefused), "refused");
  EXPECT_EQ(to_string(ApduResult::kMalformed), "malformed");
  EXPECT_EQ(to_string(ApduResult::kUnauthorised), "unauthorised");
  EXPECT_EQ(to_string(ApduResult::kStoreFailed), "store_failed");
  EXPECT_EQ(to_string(DeliveryResult::kDelivered), "delivered");
  EXPECT_EQ(to_string(DeliveryResult::kRetry), "retry");
  EXPECT_EQ(to_string(DeliveryResult::kFailed), "failed");
}

}  // namespace
}  // namespace illhub::net
