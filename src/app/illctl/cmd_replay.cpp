// illctl replay FILE... --hub HOST:PORT: plays the peers' side of recordings (docs/RECORDING.md)
// against a hub and compares what the hub sends with what was recorded. Exit 0 when all
// matched, 1 on any divergence, 2 on bad usage or an unreadable recording.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "app/illctl/commands.hpp"
#include "app/illctl/replay/id_rewrite.hpp"
#include "app/illctl/replay/replay_driver.hpp"
#include "app/illctl/replay/replay_options.hpp"
#include "app/illctl/replay/replay_plan.hpp"

namespace illhub::app {
namespace {

struct ReplayArgs {
  std::vector<std::string> files;
  std::string hub;
  std::string speed = "fast";
  std::optional<std::string> rewrite_ids;  // set: rewrite; empty text: a suffix of this run
  std::vector<std::string> peer_endpoints;
  double timeout_s = 5;
  double grace_s = 0.3;
  bool verbose = false;
};

int usage(const std::string& message) {
  std::cerr << "illctl replay: " << message << "\n";
  return 2;
}

std::string plural(std::size_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

int run(const ReplayArgs& args) {
  replay::DriverOptions options;
  auto hub = replay::parse_endpoint(args.hub);
  if (!hub) return usage("--hub " + hub.error());
  options.hub = *hub;
  auto speed = replay::parse_speed(args.speed);
  if (!speed) return usage(speed.error());
  options.speed = *speed;
  if (!(args.timeout_s > 0) || args.timeout_s > 3600) return usage("--timeout must be more than 0 and at most 3600 s");
  if (!(args.grace_s >= 0) || args.grace_s > 60) return usage("--grace must be from 0 to 60 s");
  options.timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_s * 1000));
  options.grace = std::chrono::milliseconds(static_cast<long>(args.grace_s * 1000));
  options.verbose = args.verbose;
  for (const auto& text : args.peer_endpoints) {
    auto pe = replay::parse_peer_endpoint(text);
    if (!pe) return usage(pe.error());
    options.peer_endpoints[pe->first] = pe->second;
  }

  std::vector<replay::NamedRecording> recordings;
  for (const auto& file : args.files) {
    auto rec = record::read_recording(file);
    if (!rec) return usage(file + ": " + rec.error());
    // A torn last line (a crash while writing): replay what is whole, and say so.
    if (rec->warning) std::cerr << "illctl replay: warning: " << file << ": " << *rec->warning << "\n";
    recordings.push_back({std::filesystem::path(file).filename().string(), std::move(rec).value()});
  }
  auto plan = replay::make_plan(recordings);
  if (!plan) return usage(plan.error());
  if (args.rewrite_ids) {
    // CLI11 also takes "--rewrite-ids FILE" as a suffix: only simple suffixes pass.
    const bool simple = std::all_of(args.rewrite_ids->begin(), args.rewrite_ids->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (!simple)
      return usage("--rewrite-ids '" + *args.rewrite_ids +
                   "': a suffix is letters, digits, '-' and '_' (give it as --rewrite-ids=SUFFIX)");
    const std::string suffix = args.rewrite_ids->empty() ? replay::default_id_suffix() : *args.rewrite_ids;
    auto rewritten = replay::rewrite_ids(*plan, suffix);
    if (!rewritten) return usage("--rewrite-ids: " + rewritten.error());
    std::cout << "transaction qualifiers rewritten with the suffix " << suffix << "\n";
  }

  auto summary = replay::run_replay(*plan, options, std::cout);
  if (!summary) {
    std::cerr << "illctl replay: " << summary.error() << "\n";
    return 2;
  }
  const replay::Summary& s = *summary;
  for (const auto& [path, count] : s.normalised_fields) std::cout << "normalised " << path << " (" << count << "x)\n";
  std::cout << "replay: " << plural(s.sent, "APDU") << " sent, " << s.received << " received, " << s.matched
            << " matched, " << plural(s.normalised, "field") << " normalised, " << plural(s.divergences, "divergence")
            << "\n";
  return s.divergences == 0 ? 0 : 1;
}

}  // namespace

void add_replay_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("replay", "Play recorded peers against a hub and compare its answers (docs/RECORDING.md)");
  auto args = std::make_shared<ReplayArgs>();
  cmd->add_option("FILE", args->files, "Recordings (illd --record-dir), merged in time order")->required();
  cmd->add_option("--hub", args->hub, "The hub to replay against, HOST:PORT (an IP address)")->required();
  cmd->add_option("--speed", args->speed, "fast (default), original, or a factor (2 = twice as fast as recorded)");
  cmd->add_option("--rewrite-ids", args->rewrite_ids,
                  "Append a suffix (default: unique to this run) to every transaction-qualifier, sent and expected")
      ->expected(0, 1);
  cmd->add_option("--peer-endpoint", args->peer_endpoints,
                  "SYMBOL=HOST:PORT: listen there for the hub's dials to SYMBOL (default: the recorded address)");
  cmd->add_option("--timeout", args->timeout_s, "Seconds to wait for each expected APDU or close (default 5)");
  cmd->add_option("--grace", args->grace_s, "Seconds to watch for unexpected APDUs at the end (default 0.3)");
  cmd->add_flag("-v,--verbose", args->verbose, "One line per APDU sent and matched");
  cmd->callback([args] {
    if (int rc = run(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace illhub::app
