// MetricsRegistry and its families: the Prometheus text format. See the header.
#include "illhub/net/metrics_registry.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace illhub::net {

namespace {

// HELP text escapes backslash and newline only (quotes are fine there).
std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void render_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values) {
  if (names.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  out += '}';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_sample_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

void MetricFamily::render_header(std::string& out, std::string_view type) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " ";
  out += type;
  out += '\n';
}

// ---------------------------------------------------------------------------------------------

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::inc(const LabelValues& labels, std::uint64_t n) {
  assert(labels.size() == label_names_.size());
  std::lock_guard lock(mutex_);
  values_[labels] += n;
}

std::uint64_t CounterFamily::value(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  const auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void CounterFamily::render(std::string& out) const {
  render_header(out, "counter");
  std::lock_guard lock(mutex_);
  for (const auto& [labels, v] : values_) {
    out += name();
    render_labels(out, label_names_, labels);
    out += ' ' + std::to_string(v) + '\n';
  }
}

// ---------------------------------------------------------------------------------------------

void Gauge::set(double v) {
  std::lock_guard lock(mutex_);
  value_ = v;
}

void Gauge::add(double delta) {
  std::lock_guard lock(mutex_);
  value_ = value_.value_or(0) + delta;
}

void Gauge::clear() {
  std::lock_guard lock(mutex_);
  value_.reset();
}

std::optional<double> Gauge::value() const {
  std::lock_guard lock(mutex_);
  return value_;
}

void Gauge::render(std::string& out) const {
  render_header(out, "gauge");
  std::lock_guard lock(mutex_);
  if (value_) out += name() + ' ' + format_sample_value(*value_) + '\n';
}

// ---------------------------------------------------------------------------------------------

Histogram::Histogram(std::string name, std::string help, std::vector<double> upper_bounds)
    : MetricFamily(std::move(name), std::move(help)),
      bounds_(std::move(upper_bounds)),
      counts_(bounds_.size() + 1, 0) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::observe(double v) {
  // A NaN is no measurement (and would make the sum NaN for good): dropped.
  if (std::isnan(v)) return;
  // The first bound >= v: "le" buckets include their upper bound.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  const auto bucket = static_cast<std::size_t>(it - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[bucket];
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::lock_guard lock(mutex_);
  std::uint64_t running = 0;
  for (std::uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

void Histogram::render(std::string& out) const {
  render_header(out, "histogram");
  const Snapshot s = snapshot();
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    const std::string le = i < bounds_.size() ? format_sample_value(bounds_[i]) : "+Inf";
    out += name() + "_bucket{le=\"" + le + "\"} " + std::to_string(s.cumulative[i]) + '\n';
  }
  out += name() + "_sum " + format_sample_value(s.sum) + '\n';
  out += name() + "_count " + std::to_string(s.count) + '\n';
}

// ---------------------------------------------------------------------------------------------

CounterFamily& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  auto family = std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  auto family = std::make_unique<Gauge>(std::move(name), std::move(help));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help, std::vector<double> upper_bounds) {
  auto family = std::make_unique<Histogram>(std::move(name), std::move(help), std::move(upper_bounds));
  auto& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

std::string MetricsRegistry::render() const {
  std::string out;
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace illhub::net
