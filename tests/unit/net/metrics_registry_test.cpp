// MetricsRegistry: the exposition text, byte for byte, and histogram bucketing.
#include "illhub/net/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace illhub::net {
namespace {

TEST(MetricsRegistry, RendersCountersGaugesAndHistogramsAsGoldenText) {
  MetricsRegistry r;
  auto& apdus = r.counter("t_apdus_total", "APDUs by kind", {"kind", "result"});
  auto& open = r.gauge("t_open", "Open now");
  auto& unset = r.gauge("t_unset", "Never set");
  auto& latency = r.histogram("t_latency_seconds", "Latency", {0.01, 0.1, 1});
  apdus.inc({"Shipped", "accepted"});
  apdus.inc({"ILL-Request", "accepted"}, 2);
  apdus.inc({"ILL-Request", "refused"});
  open.set(3);
  open.add(-1);
  latency.observe(0.005);
  latency.observe(0.1);  // on a bound: counted in that bucket (le is inclusive)
  latency.observe(7);    // above every bound: +Inf only
  (void)unset;

  const std::string golden =
      "# HELP t_apdus_total APDUs by kind\n"
      "# TYPE t_apdus_total counter\n"
      "t_apdus_total{kind=\"ILL-Request\",result=\"accepted\"} 2\n"
      "t_apdus_total{kind=\"ILL-Request\",result=\"refused\"} 1\n"
      "t_apdus_total{kind=\"Shipped\",result=\"accepted\"} 1\n"
      "# HELP t_open Open now\n"
      "# TYPE t_open gauge\n"
      "t_open 2\n"
      "# HELP t_unset Never set\n"
      "# TYPE t_unset gauge\n"
      "# HELP t_latency_seconds Latency\n"
      "# TYPE t_latency_seconds histogram\n"
      "t_latency_seconds_bucket{le=\"0.01\"} 1\n"
      "t_latency_seconds_bucket{le=\"0.1\"} 2\n"
      "t_latency_seconds_bucket{le=\"1\"} 2\n"
      "t_latency_seconds_bucket{le=\"+Inf\"} 3\n"
      "t_latency_seconds_sum 7.105\n"
      "t_latency_seconds_count 3\n";
  EXPECT_EQ(r.render(), golden);
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelpText) {
  MetricsRegistry r;
  auto& c = r.counter("t_total", "Back\\slash and\nnewline, \"quotes\" kept", {"reason"});
  c.inc({"a\"b\\c\nd"});
  EXPECT_EQ(r.render(),
            "# HELP t_total Back\\\\slash and\\nnewline, \"quotes\" kept\n"
            "# TYPE t_total counter\n"
            "t_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, ACounterWithoutLabelsRendersNoBraces) {
  MetricsRegistry r;
  auto& c = r.counter("t_total", "h", {});
  c.inc({});
  c.inc({}, 4);
  EXPECT_EQ(c.value({}), 5u);
  EXPECT_NE(r.render().find("\nt_total 5\n"), std::string::npos) << r.render();
}

TEST(MetricsRegistry, ClearedGaugeRendersNoSample) {
  MetricsRegistry r;
  auto& g = r.gauge("t_g", "h");
  g.set(1.5);
  EXPECT_NE(r.render().find("t_g 1.5\n"), std::string::npos);
  g.clear();
  EXPECT_FALSE(g.value());
  EXPECT_EQ(r.render(), "# HELP t_g h\n# TYPE t_g gauge\n");
}

TEST(Histogram, SortsValuesIntoInclusiveUpperBounds) {
  Histogram h("h", "h", {1, 2, 5});
  for (double v : {0.0, 1.0, 1.0000001, 2.0, 4.9, 5.0, 5.1, -3.0}) h.observe(v);
  const auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 4u);
  EXPECT_EQ(s.cumulative[0], 3u);  // 0, 1, -3
  EXPECT_EQ(s.cumulative[1], 5u);  // + 1.0000001, 2
  EXPECT_EQ(s.cumulative[2], 7u);  // + 4.9, 5
  EXPECT_EQ(s.cumulative[3], 8u);  // + 5.1
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.sum, 0 + 1 + 1.0000001 + 2 + 4.9 + 5 + 5.1 - 3);
}

TEST(Histogram, InfinityLandsInTheLastBucketAndNanIsDropped) {
  Histogram h("h", "h", {1});
  h.observe(std::numeric_limits<double>::infinity());
  h.observe(std::nan(""));
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative[0], 0u);
  EXPECT_EQ(s.cumulative[1], 1u);
  EXPECT_EQ(s.count, 1u);
}

TEST(Histogram, CountsEveryObservationFromManyThreads) {
  Histogram h("h", "h", {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.observe(i % 2 ? 0.25 : 1.0);
    });
  for (auto& t : threads) t.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.cumulative[0], 20000u);
  EXPECT_DOUBLE_EQ(s.sum, 20000 * 0.25 + 20000 * 1.0);
}

TEST(SampleValue, UsesTheShortestExactTextAndPrometheusSpellingsOfSpecialValues) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(42), "42");
  EXPECT_EQ(format_sample_value(0.0025), "0.0025");
  EXPECT_EQ(format_sample_value(1e21), "1e+21");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
}

}  // namespace
}  // namespace illhub::net
