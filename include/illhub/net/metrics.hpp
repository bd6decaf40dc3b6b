#pragma once
// Metrics: illd's own series (docs/METRICS.md lists each one and what it means). One object per
// Server; sessions and delivery hold a reference and count with a line each.
//
// Label values come from small fixed sets (APDU kind names, the results below, error-report
// problem kinds), never from peer-supplied text, so the number of series stays bounded.

#include <string>
#include <string_view>

#include "illhub/codec/builders.hpp"
#include "illhub/net/metrics_registry.hpp"

namespace illhub::net {

/// What became of an inbound APDU (label `result` of illhub_apdus_total).
enum class ApduResult {
  kAccepted,      // recorded and queued for the recipient
  kDuplicate,     // applied before; nothing new recorded or relayed
  kRefused,       // the hub's rules refused it (recorded as a refusal, answered with a report)
  kMalformed,     // could not be framed or decoded (answered with a general-problem report)
  kUnauthorised,  // the connection may not speak for its sender (security-problem report)
  kStoreFailed,   // the database could not record it (resource-limitation report)
};
std::string_view to_string(ApduResult result);

/// What became of one delivery attempt (label `result` of illhub_deliveries_total).
enum class DeliveryResult {
  kDelivered,  // written to the recipient's connection
  kRetry,      // the attempt failed; the row backs off and is tried again
  kFailed,     // the attempt failed and was the last one allowed: row marked 'failed'
};
std::string_view to_string(DeliveryResult result);

/// The label for an error report the hub sends: the problem kind and, where ISO 10161 gives
/// one, its value, e.g. "general-problem:badly-structured-APDU",
/// "state-transition-prohibited", "unable-to-perform:resource-limitation". Never free text.
std::string refusal_reason(const decltype(codec::ErrorReportSpec::problem)& problem);

struct Metrics {
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Counts an inbound APDU; `kind` is the APDU kind's ISO name or "unknown".
  void count_apdu(std::string_view kind, ApduResult result);
  /// Counts an error report the hub answered with.
  void count_refusal(const decltype(codec::ErrorReportSpec::problem)& problem);

  MetricsRegistry registry;
  CounterFamily& apdus;                // illhub_apdus_total{kind,result}
  CounterFamily& refusals;             // illhub_refusals_total{reason}
  Gauge& connections_open;             // illhub_connections_open
  CounterFamily& connections;          // illhub_connections_total{origin}
  CounterFamily& connections_refused;  // illhub_connections_refused_total{reason}
  Gauge& outbox_pending;               // illhub_outbox_pending (set at scrape time)
  Gauge& outbox_failed;                // illhub_outbox_failed (set at scrape time)
  CounterFamily& deliveries;           // illhub_deliveries_total{result}
  Histogram& delivery_latency;         // illhub_delivery_latency_seconds
  Histogram& commit_latency;           // illhub_commit_latency_seconds
  Histogram& commit_batch_size;        // illhub_commit_batch_size
};

}  // namespace illhub::net
