// Metrics: illd's series and their names. See include/illhub/net/metrics.hpp, docs/METRICS.md.
#include "illhub/net/metrics.hpp"

#include <type_traits>

namespace illhub::net {

namespace {

// Commit latency: one short transaction, milliseconds when healthy, seconds when the database
// struggles (applies rerun up to 8 times).
const std::vector<double> kCommitBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Delivery latency spans a recipient connected now (milliseconds) to one that was offline for
// hours (its rows wait in the outbox): the upper buckets are coarse on purpose.
const std::vector<double> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64};
const std::vector<double> kDeliveryBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                              2.5,   5,      10,    30,   60,    300,  1800, 3600, 21600, 86400};

}  // namespace

std::string_view to_string(ApduResult result) {
  switch (result) {
    case ApduResult::kAccepted: return "accepted";
    case ApduResult::kDuplicate: return "duplicate";
    case ApduResult::kRefused: return "refused";
    case ApduResult::kMalformed: return "malformed";
    case ApduResult::kUnauthorised: return "unauthorised";
    case ApduResult::kStoreFailed: return "store_failed";
  }
  return "unknown";
}

std::string_view to_string(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kDelivered: return "delivered";
    case DeliveryResult::kRetry: return "retry";
    case DeliveryResult::kFailed: return "failed";
  }
  return "unknown";
}

std::string refusal_reason(const decltype(codec::ErrorReportSpec::problem)& problem) {
  return std::visit(
      [](const auto& p) -> std::string {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, codec::GeneralProblem>) {
          return std::string("general-problem:") + codec::to_string(p);
        } else if constexpr (std::is_same_v<P, codec::TransactionIdProblem>) {
          switch (p) {
            case codec::TransactionIdProblem::kDuplicate: return "transaction-id-problem:duplicate";
            case codec::TransactionIdProblem::kInvalid: return "transaction-id-problem:invalid";
            case codec::TransactionIdProblem::kUnknown: return "transaction-id-problem:unknown";
          }
          return "transaction-id-problem";
        } else if constexpr (std::is_same_v<P, codec::StateTransitionProhibited>) {
          return "state-transition-prohibited";
        } else if constexpr (std::is_same_v<P, codec::SecurityProblem>) {
          return "security-problem";  // its text names peers: kept out of the label
        } else {
          switch (p) {
            case codec::UnableToPerform::kNotAvailable: return "unable-to-perform:not-available";
            case codec::UnableToPerform::kResourceLimitation: return "unable-to-perform:resource-limitation";
            case codec::UnableToPerform::kOther: return "unable-to-perform:other";
          }
          return "unable-to-perform";
        }
      },
      problem);
}

Metrics::Metrics()
    : apdus(registry.counter("illhub_apdus_total",
                             "Inbound APDUs by kind (ISO 10161 name, 'unknown' when undecodable) and result",
                             {"kind", "result"})),
      refusals(registry.counter("illhub_refusals_total",
                                "Error reports the hub answered with, by error-report problem kind",
                                {"reason"})),
      connections_open(registry.gauge("illhub_connections_open", "Peer connections open now (accepted and dialled)")),
      connections(registry.counter("illhub_connections_total", "Peer connections opened, by origin",
                                   {"origin"})),
      connections_refused(registry.counter("illhub_connections_refused_total",
                                           "Connections closed at once instead of served, by reason",
                                           {"reason"})),
      outbox_pending(registry.gauge("illhub_outbox_pending",
                                    "Outbox rows waiting for delivery (all nodes; read at scrape time)")),
      outbox_failed(registry.gauge("illhub_outbox_failed",
                                   "Outbox rows that ran out of attempts (all nodes; read at scrape time)")),
      deliveries(registry.counter("illhub_deliveries_total", "Delivery attempts by this node, by result",
                                  {"result"})),
      delivery_latency(registry.histogram(
          "illhub_delivery_latency_seconds",
          "From an APDU's acceptance (outbox row created) to its bytes written to the recipient", kDeliveryBuckets)),
      commit_latency(registry.histogram("illhub_commit_latency_seconds",
                                        "Duration of the apply an APDU was in (one APDU, or a batch sharing one COMMIT), on a database thread",
                                        kCommitBuckets)),
      commit_batch_size(registry.histogram("illhub_commit_batch_size",
                                           "APDUs applied under one COMMIT (group commit, database.group_commit)",
                                           kBatchBuckets)) {
  connections_open.set(0);  // a known value from the start; the outbox gauges need the database
}

void Metrics::count_apdu(std::string_view kind, ApduResult result) {
  apdus.inc({std::string(kind), std::string(to_string(result))});
}

void Metrics::count_refusal(const decltype(codec::ErrorReportSpec::problem)& problem) {
  refusals.inc({refusal_reason(problem)});
}

}  // namespace illhub::net
