#pragma once
// Writing `illctl stats`'s report: a table for people, CSV (RFC 4180, one header row, one
// figure per record) and JSON. Durations in seconds, rates as fractions with four decimals.

#include <ostream>

#include "app/illctl/report_period.hpp"
#include "app/illctl/stats_report.hpp"

namespace illhub::app {

void write_stats_table(std::ostream& out, const StatsReport& report, const ReportPeriod& period);

/// Header: group,key,counterparty,measure,value. group: overall, month, borrower, lender,
/// flow (key lender, counterparty borrower), title. An undefined rate or percentile is "".
void write_stats_csv(std::ostream& out, const StatsReport& report);

void write_stats_json(std::ostream& out, const StatsReport& report, const ReportPeriod& period);

/// "0.6667", or "" when the rate is undefined.
std::string rate_text(const std::optional<double>& rate);

}  // namespace illhub::app
