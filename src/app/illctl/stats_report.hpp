#pragma once
// `illctl stats`'s figures, computed from the transaction facts (stats_query.hpp). Pure.
// Every figure is defined in docs/illctl-stats.md.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/illctl/stats_query.hpp"

namespace illhub::app {

/// Durations of one stage in seconds: how many transactions reached both ends, and the
/// nearest-rank median and 90th percentile (a value that occurred, never interpolated).
struct StageTimes {
  std::int64_t count = 0;
  std::optional<std::int64_t> median, p90;
};

/// The stages, in order: request → shipped, shipped → received, received → returned.
inline constexpr std::array<const char*, 3> kStageNames = {"request_to_shipped", "shipped_to_received",
                                                           "received_to_returned"};

struct StatsFigures {
  std::int64_t requests = 0;
  std::int64_t filled = 0;    // shipped (loan or copy)
  std::int64_t unfilled = 0;  // not shipped, last answer unfilled
  std::map<std::string, std::int64_t> unfilled_by_reason;
  std::array<StageTimes, 3> stages;
  std::int64_t loans = 0;    // filled loans (the item must come back)
  std::int64_t overdue = 0;  // of those loans
  std::int64_t lost = 0;     // of those loans
  /// Ratios in [0, 1]; empty when the denominator is 0.
  std::optional<double> fill_rate() const;
  std::optional<double> overdue_rate() const;
  std::optional<double> loss_rate() const;
};

struct RepeatedTitle {
  std::string title;       // as first requested
  std::int64_t requests = 0;
  std::int64_t borrowers = 0;  // distinct requesting libraries
};

struct StatsReport {
  StatsFigures overall;
  std::map<std::string, StatsFigures> months;       // YYYY-MM
  std::map<std::string, StatsFigures> as_borrower;  // by library
  std::map<std::string, StatsFigures> as_lender;    // by library
  /// Items supplied (filled requests) per (lender, borrower).
  std::map<std::pair<std::string, std::string>, std::int64_t> flow;
  std::vector<RepeatedTitle> repeated_titles;  // most requested first
};

/// Nearest-rank percentile (p in 1..100) of `values` (sorted here); empty for no values.
std::optional<std::int64_t> nearest_rank(std::vector<std::int64_t> values, int p);

/// Builds the report. `only_library` non-empty: the per-library maps keep that library alone
/// (the facts are expected to be filtered to its transactions already).
StatsReport build_stats_report(const std::vector<TransactionFacts>& facts, const std::string& only_library);

}  // namespace illhub::app
