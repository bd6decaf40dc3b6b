#include "app/illctl/stats_plot.hpp"

#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/illctl/child_process.hpp"

namespace illhub::app {
namespace {

/// A gnuplot single-quoted string: the only escape is '' for a quote.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string percent_or_nan(const std::optional<double>& rate) {
  if (!rate) return "NaN";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", *rate * 100.0);
  return text;
}

std::string days_or_nan(const std::optional<std::int64_t>& seconds) {
  if (!seconds) return "NaN";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(*seconds) / 86400.0);
  return text;
}

/// Removes the temporary directory on every path.
struct TempDir {
  std::filesystem::path path;
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

std::string gnuplot_data(const StatsReport& report) {
  std::ostringstream data;
  data << "# month\trequests\tfilled\tunfilled\tfill%\toverdue%\tlost%\tmedian request-to-shipped days\n";
  for (const auto& [month, f] : report.months)
    data << month << '\t' << f.requests << '\t' << f.filled << '\t' << f.unfilled << '\t'
         << percent_or_nan(f.fill_rate()) << '\t' << percent_or_nan(f.overdue_rate()) << '\t'
         << percent_or_nan(f.loss_rate()) << '\t' << days_or_nan(f.stages[0].median) << '\n';
  return data.str();
}

Result<std::string, std::string> gnuplot_script(const std::filesystem::path& output,
                                                const std::filesystem::path& data_file, std::size_t months) {
  const std::string extension = output.extension().string();
  std::string terminal;
  if (extension == ".svg") terminal = "set terminal svg size 960,720 dynamic enhanced font 'Sans,11' background rgb 'white'";
  else if (extension == ".png") terminal = "set terminal pngcairo size 960,720 enhanced font 'Sans,10' background rgb 'white'";
  else return unexpected("--plot " + output.string() + ": the file name must end in .svg or .png");
  const std::string data = quoted(data_file.string());
  std::ostringstream s;
  s << terminal << "\n"
    << "set output " << quoted(output.string()) << "\n"
    << "set datafile separator '\\t'\n"
    << "set multiplot layout 2,1 title 'Interlending by month of request'\n"
    // Both panels put month k at x = k, so the bars and the points line up.
    << "set xrange [-0.5:" << months << "-0.5]\n"
    << "set grid ytics\nset key top left\nset xtics rotate by -30\n"
    << "set style data histograms\nset style histogram clustered gap 1\n"
    << "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
    << "set ylabel 'requests'\nset yrange [0:*]\n"
    << "plot " << data << " using 2:xtic(1) title 'requests' lc rgb '#4472c4', "
    << "'' using 3 title 'filled' lc rgb '#70ad47', '' using 4 title 'unfilled' lc rgb '#c00000'\n"
    << "set style data linespoints\nset ylabel 'percent'\nset yrange [0:100]\n"
    << "set y2label 'days'\nset y2tics\nset y2range [0:*]\nset key below horizontal\n"
    << "plot " << data << " using 0:5:xtic(1) title 'fill rate %' lw 2 lc rgb '#70ad47', "
    << "'' using 0:6 title 'overdue % of loans' lw 2 lc rgb '#ed7d31', "
    << "'' using 0:7 title 'lost % of loans' lw 2 lc rgb '#c00000', "
    << "'' using 0:8 axes x1y2 title 'median request to shipped (days)' dt 2 lw 2 lc rgb '#4472c4'\n"
    << "unset multiplot\n";
  return s.str();
}

Result<Ok, std::string> plot_monthly_stats(const StatsReport& report, const std::filesystem::path& output,
                                           std::chrono::milliseconds limit) {
  if (report.months.empty()) return unexpected(std::string("--plot: no requests in the period, nothing to draw"));
  const auto gnuplot = find_program("gnuplot");
  if (!gnuplot) return unexpected(std::string("--plot needs gnuplot, which is not on PATH (Debian: apt-get install gnuplot-nox)"));
  TempDir dir;
  std::string pattern = (std::filesystem::temp_directory_path() / "illctl-plot-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return unexpected(std::string("cannot create a temporary directory"));
  dir.path = pattern;
  const std::filesystem::path data_file = dir.path / "monthly.tsv", script_file = dir.path / "chart.gp";
  auto script = gnuplot_script(std::filesystem::absolute(output), data_file, report.months.size());
  if (!script) return unexpected(script.error());
  std::ofstream(data_file) << gnuplot_data(report);
  std::ofstream(script_file) << *script;
  auto ran = run_child({gnuplot->string(), script_file.string()}, dir.path / "gnuplot.out", limit);
  if (!ran) return unexpected("gnuplot: " + ran.error());
  if (ran->exit_code != 0) return unexpected("gnuplot failed (exit " + std::to_string(ran->exit_code) + "): " + ran->errors);
  std::error_code ec;
  if (std::filesystem::file_size(output, ec) == 0 || ec)
    return unexpected("gnuplot wrote nothing to " + output.string() + ": " + ran->errors);
  return Ok{};
}

}  // namespace illhub::app
