// Every recorded input through every fuzz target, in the normal and the sanitizer builds:
// the findings once fixed (tests/data/fuzz-regressions), the golden APDUs and the seeds
// (tests/fuzz/seeds). A target aborts on a broken invariant, which fails this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/fuzz_targets.hpp"

namespace illhub::fuzz {
namespace {

std::vector<std::vector<std::uint8_t>> recorded_inputs() {
  namespace fs = std::filesystem;
  const fs::path data(ILLHUB_TEST_DATA_DIR);
  std::vector<fs::path> dirs = {data / "fuzz-regressions", data / "apdu"};
  for (const auto& seeds : fs::directory_iterator(ILLHUB_FUZZ_SEEDS_DIR)) dirs.push_back(seeds.path());
  std::vector<std::vector<std::uint8_t>> out;
  for (const fs::path& dir : dirs)
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() == ".xer") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  return out;
}

void replay(void (*run)(std::span<const std::uint8_t>)) {
  const auto inputs = recorded_inputs();
  ASSERT_GT(inputs.size(), 20u);
  for (const auto& input : inputs) run(input);
}

TEST(FuzzReplay, DecodeTargetHandlesEveryRecordedInput) { replay(run_decode); }
TEST(FuzzReplay, FramerTargetHandlesEveryRecordedInput) { replay(run_framer); }
TEST(FuzzReplay, AnyPayloadTargetHandlesEveryRecordedInput) { replay(run_any_payload); }
TEST(FuzzReplay, SessionTargetHandlesEveryRecordedInput) { replay(run_session); }

}  // namespace
}  // namespace illhub::fuzz
