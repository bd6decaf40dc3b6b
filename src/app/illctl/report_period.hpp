#pragma once
// The period an operator report covers: --from DATE and --to DATE (YYYY-MM-DD, both days
// included, in UTC). Either may be absent: the period is then open on that side.

#include <optional>
#include <string>

#include "illhub/util/result.hpp"

namespace illhub::app {

struct ReportPeriod {
  /// Inclusive start, as an SQL timestamptz literal ("2024-03-01 00:00:00+00"); empty: open.
  std::string from_timestamp;
  /// Exclusive end: the day after --to, at midnight UTC; empty: open (now).
  std::string to_timestamp;
  /// As given, for headers and JSON ("" when absent).
  std::string from_date, to_date;
};

/// Checks and converts --from / --to. Errors: a date that is not YYYY-MM-DD or not a real
/// day, or --from after --to.
Result<ReportPeriod, std::string> make_period(const std::optional<std::string>& from,
                                              const std::optional<std::string>& to);

}  // namespace illhub::app
