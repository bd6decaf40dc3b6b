// codec_bench: illhub's ISO 10161 codec against YAZ's (libyaz ill_APDU), in the same run, on
// the same bytes (issue 2). After Google Benchmark's own table it prints ours/YAZ ratios of
// the time per APDU; the target is <= 1.0 for decode and encode.
//
// Inputs are the YAZ-encoded golden vectors tests/data/apdu/yaz-ill-request.ber and
// yaz-shipped.ber. YAZ writes indefinite lengths above 127 content bytes, so our decode of
// them includes the indefinite->definite normalisation; "decode/<kind>/ours-definite" decodes
// the definite form (to_definite of the same bytes) and the "normalise/" rows time the TLV
// walk alone and the walk that also writes the definite form (what decode() does).
//
// What one iteration is:
//   decode/<kind>/ours           codec::decode(bytes) and destroying the Result (Apdu + copy)
//   decode/<kind>/yaz            odr_reset + odr_setbuf + ill_APDU (odr_reset frees the last one)
//   encode/<kind>/ours           codec::encode(apdu) into a fresh std::vector, then freeing it
//   encode/<kind>/yaz            odr_reset + ill_APDU + odr_getbuf (YAZ keeps its buffer)
//   normalise/<kind>/scan_tlv    the TLV walk alone (what the stream framer does)
//   normalise/<kind>/scan_to_definite  the walk decode() does: scan_tlv + the definite form, one pass
//   floor/<kind>/asn1c-decode    asn1c's ber_decode of the definite form + asn1c's free, nothing else
//   floor/<kind>/asn1c-decode-arena  the same with asn1c's memory from a DecodeArena, as decode()
//   floor/<kind>/asn1c-encode    asn1c's der_encode into a reused vector (no constraint check)
// The floor rows are what any wrapper around asn1c 0.9.28 can at best reach.
//
// Ratios come from the median when run with --benchmark_repetitions=N (N > 1), otherwise from
// the single run. Only the console output format is supported (the ratio collector is the
// display reporter); --benchmark_out=FILE still writes JSON/CSV alongside.

#include <benchmark/benchmark.h>
#include <unistd.h>
#include <yaz/ill.h>
#include <yaz/odr.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "asn1c_floor.hpp"
#include "illhub/codec/ber_scan.hpp"
#include "illhub/codec/codec.hpp"

namespace {

namespace codec = illhub::codec;

// ---------------------------------------------------------------------------------- inputs

struct Sample {
  std::string kind;                  // "ILL-Request"
  std::vector<std::uint8_t> ber;     // as YAZ encoded it (indefinite lengths above 127 bytes)
  std::vector<std::uint8_t> definite;  // the same TLVs with definite lengths only
};

bool read_file(const std::string& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !out.empty();
}

// ---------------------------------------------------------------------------------- YAZ

struct OdrDestroy {
  void operator()(ODR o) const { odr_destroy(o); }
};
using OdrPtr = std::unique_ptr<std::remove_pointer_t<ODR>, OdrDestroy>;

OdrPtr make_odr(int direction) { return OdrPtr(odr_createmem(direction)); }

/// Decodes one APDU into `o` (after resetting it); true if YAZ took exactly every byte.
/// The decoded structure lives until the next odr_reset(o).
bool yaz_decode_into(ODR o, std::span<const std::uint8_t> ber, ILL_APDU** apdu) {
  odr_reset(o);
  // ODR_DECODE only reads the buffer; its API is not const-correct.
  odr_setbuf(o, reinterpret_cast<char*>(const_cast<std::uint8_t*>(ber.data())),
             static_cast<int>(ber.size()), 0);
  *apdu = nullptr;
  return ill_APDU(o, apdu, 0, nullptr) && *apdu &&
         static_cast<std::size_t>(odr_offset(o)) == ber.size();
}

// ---------------------------------------------------------------------------------- benchmarks

void set_throughput(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes));
}

void bm_our_decode(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  for (auto _ : state) {
    auto result = codec::decode(*ber);  // destroyed (Apdu freed) at the end of the iteration
    if (!result.has_value()) {
      state.SkipWithError("codec::decode failed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  set_throughput(state, ber->size());
}

void bm_yaz_decode(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  OdrPtr dec = make_odr(ODR_DECODE);
  for (auto _ : state) {
    ILL_APDU* apdu = nullptr;
    if (!yaz_decode_into(dec.get(), *ber, &apdu)) {
      state.SkipWithError("YAZ ill_APDU decode failed");
      break;
    }
    benchmark::DoNotOptimize(apdu);
  }
  set_throughput(state, ber->size());
}

void bm_our_encode(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  auto decoded = codec::decode(*ber);
  if (!decoded.has_value()) {
    state.SkipWithError("codec::decode failed");
    for (auto _ : state) {
    }
    return;
  }
  std::size_t out_size = 0;
  for (auto _ : state) {
    auto out = codec::encode(*decoded);  // a fresh vector per APDU, freed here
    if (!out.has_value()) {
      state.SkipWithError("codec::encode failed");
      break;
    }
    out_size = out->size();
    benchmark::DoNotOptimize(out);
  }
  set_throughput(state, out_size);
}

void bm_yaz_encode(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  OdrPtr dec = make_odr(ODR_DECODE);  // holds the decoded APDU for the whole run
  OdrPtr enc = make_odr(ODR_ENCODE);
  ILL_APDU* apdu = nullptr;
  if (!yaz_decode_into(dec.get(), *ber, &apdu)) {
    state.SkipWithError("YAZ ill_APDU decode failed");
    for (auto _ : state) {
    }
    return;
  }
  int out_size = 0;
  for (auto _ : state) {
    odr_reset(enc.get());
    if (!ill_APDU(enc.get(), &apdu, 0, nullptr)) {
      state.SkipWithError("YAZ ill_APDU encode failed");
      break;
    }
    char* out = odr_getbuf(enc.get(), &out_size, nullptr);
    benchmark::DoNotOptimize(out);
  }
  set_throughput(state, static_cast<std::size_t>(out_size));
}

void bm_scan_tlv(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  const codec::CodecLimits limits;
  for (auto _ : state) {
    codec::TlvScan scan = codec::scan_tlv(*ber, limits);
    benchmark::DoNotOptimize(scan);
  }
  set_throughput(state, ber->size());
}

void bm_scan_to_definite(benchmark::State& state, const std::vector<std::uint8_t>* ber) {
  const codec::CodecLimits limits;
  std::vector<std::uint8_t> out;  // reused, as decode() reuses its buffer
  for (auto _ : state) {
    codec::TlvScan scan = codec::scan_to_definite(*ber, limits, out);
    benchmark::DoNotOptimize(scan);
    benchmark::DoNotOptimize(out.data());
  }
  set_throughput(state, ber->size());
}

void bm_asn1c_decode(benchmark::State& state, const std::vector<std::uint8_t>* definite) {
  for (auto _ : state) {
    if (!illhub::bench::asn1c_decode_and_free(*definite)) {
      state.SkipWithError("asn1c ber_decode failed");
      break;
    }
  }
  set_throughput(state, definite->size());
}

void bm_asn1c_decode_arena(benchmark::State& state, const std::vector<std::uint8_t>* definite) {
  for (auto _ : state) {
    if (!illhub::bench::asn1c_decode_and_free_in_arena(*definite)) {
      state.SkipWithError("asn1c ber_decode failed");
      break;
    }
  }
  set_throughput(state, definite->size());
}

void bm_asn1c_encode(benchmark::State& state, const std::vector<std::uint8_t>* definite) {
  const illhub::bench::Asn1cEncoder encoder(*definite);
  std::vector<std::uint8_t> out;
  out.reserve(1024);
  for (auto _ : state) {
    if (!encoder.ok() || encoder.encode(out) < 0) {
      state.SkipWithError("asn1c der_encode failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  set_throughput(state, out.size());
}

// ---------------------------------------------------------------------------------- ratios

/// The console reporter, also keeping each benchmark's time per iteration (ns): the median
/// when repetitions are aggregated, else the single run.
class RatioCollector : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  struct Time {
    double real_ns = 0;
    double cpu_ns = 0;
    bool from_median = false;
  };

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string& name = run.run_name.function_name;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Aggregate && !median) continue;
      Time& t = times_[name];
      if (t.from_median && !median) continue;
      // Every benchmark here is registered with Unit(kNanosecond).
      t = Time{run.GetAdjustedRealTime(), run.GetAdjustedCPUTime(), median};
    }
  }

  const Time* find(const std::string& name) const {
    auto it = times_.find(name);
    return it == times_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Time> times_;
};

void print_ratios(const RatioCollector& times, const std::vector<Sample>& samples) {
  std::printf("\nours/YAZ, time per APDU (target <= 1.00)\n");
  std::printf("%-34s %12s %12s %10s %10s\n", "", "ours ns", "yaz ns", "real", "cpu");
  auto row = [&](const std::string& label, const std::string& ours, const std::string& yaz) {
    const RatioCollector::Time* a = times.find(ours);
    const RatioCollector::Time* b = times.find(yaz);
    if (!a || !b) return;  // filtered out or failed
    std::printf("%-34s %12.0f %12.0f %10.2f %10.2f\n", label.c_str(), a->real_ns, b->real_ns,
                a->real_ns / b->real_ns, a->cpu_ns / b->cpu_ns);
  };
  for (const Sample& s : samples) {
    row("decode " + s.kind, "decode/" + s.kind + "/ours", "decode/" + s.kind + "/yaz");
    if (!s.definite.empty())
      row("decode " + s.kind + " (definite in)", "decode/" + s.kind + "/ours-definite",
          "decode/" + s.kind + "/yaz");
    row("encode " + s.kind, "encode/" + s.kind + "/ours", "encode/" + s.kind + "/yaz");
  }
  bool any_floor = false;
  for (const Sample& s : samples)
    any_floor = any_floor || times.find("floor/" + s.kind + "/asn1c-decode") ||
                times.find("floor/" + s.kind + "/asn1c-encode");
  if (any_floor) std::printf("asn1c alone (the floor for a codec on asn1c 0.9.28), /YAZ:\n");
  for (const Sample& s : samples) {
    row("decode " + s.kind + " asn1c", "floor/" + s.kind + "/asn1c-decode",
        "decode/" + s.kind + "/yaz");
    row("decode " + s.kind + " asn1c in an arena", "floor/" + s.kind + "/asn1c-decode-arena",
        "decode/" + s.kind + "/yaz");
    row("encode " + s.kind + " asn1c", "floor/" + s.kind + "/asn1c-encode",
        "encode/" + s.kind + "/yaz");
  }
  std::printf("\n");
  for (const Sample& s : samples) {
    for (const char* op : {"decode", "encode"}) {
      const RatioCollector::Time* a = times.find(std::string(op) + "/" + s.kind + "/ours");
      const RatioCollector::Time* b = times.find(std::string(op) + "/" + s.kind + "/yaz");
      if (a && b)
        std::printf("ratio %s %s ours/yaz = %.2f%s\n", op, s.kind.c_str(), a->real_ns / b->real_ns,
                    a->real_ns <= b->real_ns ? "" : "  (above target)");
    }
  }
  // What the walk and the indefinite->definite normalisation cost inside our decode.
  for (const Sample& s : samples) {
    const RatioCollector::Time* dec = times.find("decode/" + s.kind + "/ours");
    const RatioCollector::Time* scan = times.find("normalise/" + s.kind + "/scan_tlv");
    const RatioCollector::Time* fused = times.find("normalise/" + s.kind + "/scan_to_definite");
    if (!dec) continue;
    if (scan)
      std::printf("%s: scan_tlv %.0f ns = %.1f%% of our decode\n", s.kind.c_str(), scan->real_ns,
                  100.0 * scan->real_ns / dec->real_ns);
    if (fused)
      std::printf("%s: scan_to_definite %.0f ns = %.1f%% of our decode\n", s.kind.c_str(),
                  fused->real_ns, 100.0 * fused->real_ns / dec->real_ns);
  }
}

// ---------------------------------------------------------------------------------- checks

/// Both codecs must accept the inputs and each other's encodings before anything is timed.
bool check_inputs(const std::vector<Sample>& samples) {
  bool ok = true;
  OdrPtr dec = make_odr(ODR_DECODE);
  OdrPtr enc = make_odr(ODR_ENCODE);
  OdrPtr check = make_odr(ODR_DECODE);
  for (const Sample& s : samples) {
    auto fail = [&](const std::string& what) {
      std::fprintf(stderr, "codec_bench: %s: %s\n", s.kind.c_str(), what.c_str());
      ok = false;
    };
    auto ours = codec::decode(s.ber);
    if (!ours.has_value()) {
      fail("our decode failed: " + ours.error().detail);
      continue;
    }
    if (!s.definite.empty() && !codec::decode(s.definite).has_value())
      fail("our decode of the definite form failed");
    auto our_bytes = codec::encode(*ours);
    if (!our_bytes.has_value()) {
      fail("our encode failed: " + our_bytes.error().detail);
      continue;
    }
    ILL_APDU* apdu = nullptr;
    if (!yaz_decode_into(dec.get(), s.ber, &apdu)) {
      fail("YAZ cannot decode the input");
      continue;
    }
    odr_reset(enc.get());
    if (!ill_APDU(enc.get(), &apdu, 0, nullptr)) {
      fail("YAZ cannot encode it again");
      continue;
    }
    int len = 0;
    const char* buf = odr_getbuf(enc.get(), &len, nullptr);
    const std::span<const std::uint8_t> yaz_bytes(reinterpret_cast<const std::uint8_t*>(buf),
                                                  static_cast<std::size_t>(len));
    if (!codec::decode(yaz_bytes).has_value()) fail("our decode of YAZ's re-encoding failed");
    ILL_APDU* back = nullptr;
    if (!yaz_decode_into(check.get(), *our_bytes, &back)) fail("YAZ cannot decode our encoding");
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::string dir = ILLHUB_TEST_DATA_DIR "/apdu/";
  std::vector<Sample> samples = {{"ILL-Request", {}, {}}, {"Shipped", {}, {}}};
  const char* files[] = {"yaz-ill-request.ber", "yaz-shipped.ber"};
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Sample& s = samples[i];
    if (!read_file(dir + files[i], s.ber)) {
      std::fprintf(stderr, "codec_bench: cannot read %s%s\n", dir.c_str(), files[i]);
      return 1;
    }
    const codec::TlvScan scan = codec::scan_tlv(s.ber, codec::CodecLimits{});
    if (scan.status != codec::TlvScan::Status::kComplete || scan.size != s.ber.size()) {
      std::fprintf(stderr, "codec_bench: %s%s is not one BER value\n", dir.c_str(), files[i]);
      return 1;
    }
    if (scan.has_indefinite) s.definite = codec::to_definite(s.ber);
    std::printf("%s: %zu bytes as YAZ encoded it%s", s.kind.c_str(), s.ber.size(),
                scan.has_indefinite ? " (indefinite lengths)" : " (definite lengths)");
    if (scan.has_indefinite) std::printf(", %zu bytes definite", s.definite.size());
    std::printf("\n");
  }
  if (!check_inputs(samples)) return 1;

  for (const Sample& s : samples) {
    const auto* ber = &s.ber;
    auto reg = [](const std::string& name, void (*fn)(benchmark::State&, const std::vector<std::uint8_t>*),
                  const std::vector<std::uint8_t>* bytes) {
      benchmark::RegisterBenchmark(name.c_str(), fn, bytes)->Unit(benchmark::kNanosecond);
    };
    reg("decode/" + s.kind + "/ours", bm_our_decode, ber);
    if (!s.definite.empty()) reg("decode/" + s.kind + "/ours-definite", bm_our_decode, &s.definite);
    reg("decode/" + s.kind + "/yaz", bm_yaz_decode, ber);
    reg("encode/" + s.kind + "/ours", bm_our_encode, ber);
    reg("encode/" + s.kind + "/yaz", bm_yaz_encode, ber);
    reg("normalise/" + s.kind + "/scan_tlv", bm_scan_tlv, ber);
    reg("normalise/" + s.kind + "/scan_to_definite", bm_scan_to_definite, ber);
    const auto* definite = s.definite.empty() ? ber : &s.definite;
    reg("floor/" + s.kind + "/asn1c-decode", bm_asn1c_decode, definite);
    reg("floor/" + s.kind + "/asn1c-decode-arena", bm_asn1c_decode_arena, definite);
    reg("floor/" + s.kind + "/asn1c-encode", bm_asn1c_encode, definite);
  }

  RatioCollector collector(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                 : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&collector);
  std::fflush(stdout);
  print_ratios(collector, samples);
  benchmark::Shutdown();
  return 0;
}
