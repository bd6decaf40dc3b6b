#pragma once
// `illctl stats --plot FILE.svg|FILE.png`: the monthly figures drawn by gnuplot (Debian
// package gnuplot-nox), run as a child process with a time limit.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "app/illctl/stats_report.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app {

/// The gnuplot script drawing `months` months from `data_file` (gnuplot_data) into `output`.
/// The terminal follows the extension (.svg or .png); anything else is an error.
Result<std::string, std::string> gnuplot_script(const std::filesystem::path& output,
                                                const std::filesystem::path& data_file, std::size_t months);
std::string gnuplot_data(const StatsReport& report);

/// Draws the chart. Errors, each with what to do: no months to draw, gnuplot missing
/// ("install gnuplot-nox"), gnuplot failing (its own message), or running past `limit`.
Result<Ok, std::string> plot_monthly_stats(const StatsReport& report, const std::filesystem::path& output,
                                           std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace illhub::app
