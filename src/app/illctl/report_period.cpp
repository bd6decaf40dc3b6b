#include "app/illctl/report_period.hpp"

#include <chrono>
#include <cstdio>

namespace illhub::app {
namespace {

/// YYYY-MM-DD as a calendar day; nothing when malformed or not a real day.
std::optional<std::chrono::year_month_day> parse_day(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year{std::stoi(text.substr(0, 4))},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(text.substr(5, 2)))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(text.substr(8, 2)))}};
  if (!day.ok()) return std::nullopt;
  return day;
}

std::string midnight_utc(std::chrono::year_month_day day) {
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u 00:00:00+00", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

}  // namespace

Result<ReportPeriod, std::string> make_period(const std::optional<std::string>& from,
                                              const std::optional<std::string>& to) {
  ReportPeriod period;
  std::optional<std::chrono::year_month_day> first, last;
  if (from) {
    first = parse_day(*from);
    if (!first) return unexpected("--from \"" + *from + "\" is not a date (YYYY-MM-DD)");
    period.from_date = *from;
    period.from_timestamp = midnight_utc(*first);
  }
  if (to) {
    last = parse_day(*to);
    if (!last) return unexpected("--to \"" + *to + "\" is not a date (YYYY-MM-DD)");
    period.to_date = *to;
    // --to names the last day included: the period ends at the next midnight.
    const auto next = std::chrono::year_month_day{std::chrono::sys_days{*last} + std::chrono::days{1}};
    period.to_timestamp = midnight_utc(next);
  }
  if (first && last && std::chrono::sys_days{*first} > std::chrono::sys_days{*last})
    return unexpected("--from " + *from + " is after --to " + *to);
  return period;
}

}  // namespace illhub::app
