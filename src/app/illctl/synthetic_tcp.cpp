#include "app/illctl/synthetic_tcp.hpp"

#include <algorithm>

namespace illhub::app {
namespace {

// The receiver acknowledges after this many segments at most, so the sender never has more
// than 32 * 1460 bytes unacknowledged: within the 65535-byte window it advertises.
constexpr std::size_t kSegmentsPerAck = 32;

}  // namespace

SyntheticTcp::SyntheticTcp(Endpoint peer, Endpoint hub, std::uint32_t isn_seed) {
  if (peer.v6 != hub.v6) {
    peer = as_ipv6(peer);
    hub = as_ipv6(hub);
  }
  peer_.endpoint = peer;
  hub_.endpoint = hub;
  // Arbitrary but distinct per connection and per side; Wireshark shows them relative.
  peer_.next_seq = 0x10000000u + isn_seed * 0x00100000u;
  hub_.next_seq = 0x80000000u + isn_seed * 0x00100000u;
}

void SyntheticTcp::emit(Side from, std::uint8_t flags, std::span<const std::uint8_t> payload,
                        std::int64_t unix_us, std::string comment, std::vector<SyntheticPacket>& out) {
  Half& me = half(from);
  const Half& them = half(other(from));
  TcpSegment segment;
  segment.seq = me.next_seq;
  segment.ack = them.next_seq;
  segment.flags = flags;
  segment.payload = payload;
  out.push_back({unix_us, ip_tcp_packet(me.endpoint, them.endpoint, segment, me.ip_id++), std::move(comment)});
  me.next_seq += static_cast<std::uint32_t>(payload.size());
  if (flags & (kTcpSyn | kTcpFin)) me.next_seq += 1;  // SYN and FIN each take one number
}

void SyntheticTcp::open(bool hub_dialled, std::int64_t unix_us, std::vector<SyntheticPacket>& out) {
  const Side client = hub_dialled ? Side::kHub : Side::kPeer;
  emit(client, kTcpSyn, {}, unix_us, {}, out);
  emit(other(client), kTcpSyn | kTcpAck, {}, unix_us, {}, out);
  emit(client, kTcpAck, {}, unix_us, {}, out);
  open_ = true;
}

void SyntheticTcp::send(Side from, std::span<const std::uint8_t> data, std::int64_t unix_us,
                        const std::string& comment, std::vector<SyntheticPacket>& out) {
  std::size_t offset = 0;
  std::size_t unacknowledged = 0;
  while (offset < data.size()) {
    const std::size_t n = std::min(kMaxSegment, data.size() - offset);
    const bool last = offset + n == data.size();
    emit(from, static_cast<std::uint8_t>(kTcpAck | (last ? kTcpPsh : 0)), data.subspan(offset, n), unix_us,
         offset == 0 ? comment : std::string(), out);
    offset += n;
    if (++unacknowledged == kSegmentsPerAck || last) {
      emit(other(from), kTcpAck, {}, unix_us, {}, out);
      unacknowledged = 0;
    }
  }
}

void SyntheticTcp::close(Side by, std::int64_t unix_us, std::vector<SyntheticPacket>& out) {
  emit(by, kTcpFin | kTcpAck, {}, unix_us, {}, out);
  emit(other(by), kTcpFin | kTcpAck, {}, unix_us, {}, out);
  emit(by, kTcpAck, {}, unix_us, {}, out);
  open_ = false;
}

}  // namespace illhub::app
