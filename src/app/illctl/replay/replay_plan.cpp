// The replay plan. See replay_plan.hpp.
#include "app/illctl/replay/replay_plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace illhub::app::replay {

std::string ReplayConnection::label() const {
  std::string s = "conn " + std::to_string(recorded) + " of " + file + " (";
  s += peer.empty() ? "unknown peer" : peer;
  s += dialled ? ", dialled by the hub)" : ", accepted by the hub)";
  return s;
}

namespace {

struct Ref {
  std::int64_t at = 0;
  std::size_t file = 0;
  std::size_t index = 0;
};

enum class ConnPhase { kOpen, kClosed };

}  // namespace

Result<Plan, std::string> make_plan(const std::vector<NamedRecording>& recordings) {
  std::vector<Ref> order;
  std::set<std::vector<std::uint8_t>> sent_by_peers;
  for (std::size_t f = 0; f < recordings.size(); ++f) {
    const auto& rec = recordings[f].recording;
    for (std::size_t i = 0; i < rec.records.size(); ++i) {
      const record::Record& r = rec.records[i];
      order.push_back({rec.header.started_unix_us + r.offset_us, f, i});
      if (r.kind == record::EventKind::kIn) sent_by_peers.insert(r.bytes);
    }
  }
  // Stable: equal times keep file order, then line order (a file's own order is wire order).
  std::stable_sort(order.begin(), order.end(), [](const Ref& a, const Ref& b) { return a.at < b.at; });

  Plan plan;
  std::map<std::pair<std::size_t, std::uint64_t>, std::pair<std::size_t, ConnPhase>> conns;
  for (const Ref& ref : order) {
    const NamedRecording& named = recordings[ref.file];
    const record::Record& r = named.recording.records[ref.index];
    const std::string where = named.name + ":" + std::to_string(line_of(ref.index));
    const auto key = std::make_pair(ref.file, r.connection);
    auto found = conns.find(key);

    Step step;
    step.at_unix_us = ref.at;
    step.where = where;
    if (r.kind == record::EventKind::kOpen) {
      if (found != conns.end())
        return unexpected(where + ": connection " + std::to_string(r.connection) + " is opened a second time");
      ReplayConnection c{named.name, r.connection, r.dialled, r.remote, r.peer};
      conns.emplace(key, std::make_pair(plan.connections.size(), ConnPhase::kOpen));
      step.kind = StepKind::kOpen;
      step.connection = plan.connections.size();
      plan.connections.push_back(std::move(c));
      plan.steps.push_back(std::move(step));
      continue;
    }
    if (found == conns.end())
      return unexpected(where + ": connection " + std::to_string(r.connection) + " was never opened");
    if (found->second.second == ConnPhase::kClosed)
      return unexpected(where + ": connection " + std::to_string(r.connection) + " was closed before");
    step.connection = found->second.first;
    ReplayConnection& conn = plan.connections[step.connection];
    if (conn.peer.empty()) conn.peer = r.peer;  // accepted connections learn their peer later
    switch (r.kind) {
      case record::EventKind::kIn:
      case record::EventKind::kUnframed:
        step.kind = StepKind::kSend;
        step.unframed = r.kind == record::EventKind::kUnframed;
        step.bytes = r.bytes;
        break;
      case record::EventKind::kOut:
        step.kind = StepKind::kExpect;
        step.relayed = sent_by_peers.count(r.bytes) != 0;
        step.bytes = r.bytes;
        break;
      case record::EventKind::kClose:
        step.kind = r.closed_by == record::ClosedBy::kPeer ? StepKind::kPeerClose : StepKind::kHubClose;
        found->second.second = ConnPhase::kClosed;
        break;
      case record::EventKind::kOpen:
        break;  // handled above
    }
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

}  // namespace illhub::app::replay
