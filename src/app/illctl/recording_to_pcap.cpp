#include "app/illctl/recording_to_pcap.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "app/illctl/pcapng_writer.hpp"
#include "app/illctl/synthetic_tcp.hpp"

namespace illhub::app {
namespace {

using record::EventKind;
using record::Record;

struct Ordered {
  std::int64_t unix_us;
  std::size_t file;
  std::size_t index;
};

// Addresses from TEST-NET-1 (RFC 5737) for a connection whose own were not recorded or do
// not parse: plainly made up, never a real host's.
Endpoint placeholder_peer(std::uint64_t connection) {
  Endpoint e;
  e.address = {192, 0, 2, 1};
  e.port = static_cast<std::uint16_t>(20000 + connection % 40000);
  return e;
}
Endpoint placeholder_hub(const record::Header& header) {
  Endpoint e;
  e.address = {192, 0, 2, 2};
  auto listen = parse_endpoint(header.listen);
  e.port = listen ? listen->port : 4990;
  return e;
}

std::string where(const NamedRecording& file, const Record& r) {
  return file.name + ": connection " + std::to_string(r.connection) + " at t=" + std::to_string(r.offset_us) + "us";
}

std::string comment_for(const Record& r) {
  std::string text = "illhub connection " + std::to_string(r.connection) + " " +
                     (r.kind == EventKind::kOut ? "hub->" : "->hub");
  if (!r.peer.empty()) text += " " + r.peer;
  if (r.kind == EventKind::kUnframed) text += " unframed bytes";
  return text + ", " + std::to_string(r.bytes.size()) + " bytes";
}

}  // namespace

PcapConversion recordings_to_pcapng(const std::vector<NamedRecording>& files) {
  PcapConversion result;
  // Stable sort: records of one file keep their order (their t never decreases), and at the
  // same instant the earlier file on the command line comes first.
  std::vector<Ordered> order;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const auto& rec = files[f].recording;
    for (std::size_t i = 0; i < rec.records.size(); ++i)
      order.push_back({rec.header.started_unix_us + rec.records[i].offset_us, f, i});
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Ordered& a, const Ordered& b) { return a.unix_us < b.unix_us; });

  PcapngWriter writer("illctl record to-pcap (illhub)", kLinktypeRaw, "illhub recording");
  std::map<std::pair<std::size_t, std::uint64_t>, SyntheticTcp> connections;
  std::uint32_t next_seed = 0;
  std::vector<SyntheticPacket> packets;

  // A connection for a record that has no `open` before it: made-up addresses, the peer dialling.
  auto ensure_open = [&](std::size_t f, const Record& r, std::int64_t unix_us) -> SyntheticTcp& {
    const auto key = std::make_pair(f, r.connection);
    auto it = connections.find(key);
    if (it != connections.end() && it->second.is_open()) return it->second;
    result.warnings.push_back(where(files[f], r) + ": " + std::string(record::to_string(r.kind)) +
                              " with no open connection before it; shown on a made-up connection from 192.0.2.1");
    SyntheticTcp tcp(placeholder_peer(r.connection), placeholder_hub(files[f].recording.header), next_seed++);
    tcp.open(false, unix_us, packets);
    ++result.connections;
    return connections.insert_or_assign(key, std::move(tcp)).first->second;
  };

  for (const Ordered& o : order) {
    const NamedRecording& file = files[o.file];
    const Record& r = file.recording.records[o.index];
    packets.clear();
    switch (r.kind) {
      case EventKind::kOpen: {
        auto peer = parse_endpoint(r.remote);
        auto hub = parse_endpoint(r.local);
        Endpoint peer_ep = peer ? *peer : placeholder_peer(r.connection);
        Endpoint hub_ep = hub ? *hub : placeholder_hub(file.recording.header);
        if (!peer) result.warnings.push_back(where(file, r) + ": remote " + peer.error() + "; shown as 192.0.2.1");
        if (!hub) result.warnings.push_back(where(file, r) + ": local " + hub.error() + "; shown as 192.0.2.2");
        const auto key = std::make_pair(o.file, r.connection);
        if (auto it = connections.find(key); it != connections.end() && it->second.is_open())
          result.warnings.push_back(where(file, r) + ": opened again before it closed; shown as a new connection");
        SyntheticTcp tcp(peer_ep, hub_ep, next_seed++);
        tcp.open(r.dialled, o.unix_us, packets);
        connections.insert_or_assign(key, std::move(tcp));
        ++result.connections;
        break;
      }
      case EventKind::kIn:
      case EventKind::kOut:
      case EventKind::kUnframed: {
        SyntheticTcp& tcp = ensure_open(o.file, r, o.unix_us);
        tcp.send(r.kind == EventKind::kOut ? SyntheticTcp::Side::kHub : SyntheticTcp::Side::kPeer, r.bytes,
                 o.unix_us, comment_for(r), packets);
        ++result.apdus;
        break;
      }
      case EventKind::kClose: {
        SyntheticTcp& tcp = ensure_open(o.file, r, o.unix_us);
        tcp.close(r.closed_by == record::ClosedBy::kHub ? SyntheticTcp::Side::kHub : SyntheticTcp::Side::kPeer,
                  o.unix_us, packets);
        break;
      }
    }
    for (const auto& p : packets) writer.add_packet(p.unix_us, p.bytes, p.comment);
  }
  result.packets = writer.packet_count();
  result.pcapng = writer.bytes();
  return result;
}

}  // namespace illhub::app
