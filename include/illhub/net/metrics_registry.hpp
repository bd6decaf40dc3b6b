#pragma once
// MetricsRegistry: counters, gauges and histograms rendered in the Prometheus text exposition
// format (version 0.0.4). Deliberately small: no client library is packaged for Debian 12, and
// illd needs only a dozen series.
//
// Thread-safe: every family guards its values with its own mutex. Most updates come from the
// io thread; commit latency is observed on the database threads.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace illhub::net {

/// Label values, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

/// One metric name with its HELP text; renders its HELP, TYPE and sample lines.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  /// Appends "# HELP", "# TYPE" and the samples, each line ending in '\n'.
  virtual void render(std::string& out) const = 0;

 protected:
  void render_header(std::string& out, std::string_view type) const;

 private:
  std::string name_;
  std::string help_;
};

/// A counter per combination of label values. A series appears once it was first counted.
class CounterFamily : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  /// Adds `n` to the series `labels` (as many values as label names: a bug otherwise).
  void inc(const LabelValues& labels, std::uint64_t n = 1);
  /// The series' value; 0 for a series never counted.
  std::uint64_t value(const LabelValues& labels) const;
  void render(std::string& out) const override;

 private:
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<LabelValues, std::uint64_t> values_;  // ordered: stable output
};

/// One value without labels that goes up and down. Unset (cleared) gauges render no sample:
/// better no value than a stale one presented as current.
class Gauge : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;
  void set(double v);
  void add(double delta);  // an unset gauge counts from 0
  void clear();
  std::optional<double> value() const;
  void render(std::string& out) const override;

 private:
  mutable std::mutex mutex_;
  std::optional<double> value_;
};

/// Observations sorted into fixed buckets (upper bounds, inclusive, ascending; +Inf is
/// implicit), with their sum and count.
class Histogram : public MetricFamily {
 public:
  Histogram(std::string name, std::string help, std::vector<double> upper_bounds);
  /// Counts `v` in the first bucket whose bound is >= v (+Inf above all). NaN is ignored.
  void observe(double v);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& upper_bounds() const { return bounds_; }
  void render(std::string& out) const override;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last one is +Inf
  double sum_ = 0;
};

/// Owns the families and renders them in registration order. Families are registered while
/// the owner is being built, before any other thread sees the registry (registration itself
/// takes no lock); updating and rendering are thread-safe.
class MetricsRegistry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);
  /// The whole exposition, content type "text/plain; version=0.0.4".
  std::string render() const;

 private:
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

/// Escapes a label value: backslash, double quote and newline (exposition format rules).
std::string escape_label_value(std::string_view value);
/// A sample value: shortest text that reads back as the same double; "+Inf", "-Inf", "NaN".
std::string format_sample_value(double v);

}  // namespace illhub::net
