// recordings_to_pcapng: the capture read back holds each recorded connection as a TCP
// connection Wireshark would accept, and each direction's payload is the recorded bytes.
#include "app/illctl/recording_to_pcap.hpp"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "app/illctl/ip_packet.hpp"
#include "pcapng_test_reader.hpp"

namespace illhub::app {
namespace {

using namespace testing;
using record::EventKind;
using record::Record;

constexpr std::uint8_t kSyn = 0x02, kFin = 0x01, kAck = 0x10;

Record open_record(std::int64_t t, std::uint64_t conn, bool dialled, std::string remote, std::string local) {
  Record r;
  r.kind = EventKind::kOpen;
  r.offset_us = t;
  r.connection = conn;
  r.dialled = dialled;
  r.remote = std::move(remote);
  r.local = std::move(local);
  return r;
}
Record data_record(EventKind kind, std::int64_t t, std::uint64_t conn, std::vector<std::uint8_t> bytes) {
  Record r;
  r.kind = kind;
  r.offset_us = t;
  r.connection = conn;
  r.peer = "IRL:DUB";
  r.bytes = std::move(bytes);
  return r;
}
Record close_record(std::int64_t t, std::uint64_t conn, record::ClosedBy by) {
  Record r;
  r.kind = EventKind::kClose;
  r.offset_us = t;
  r.connection = conn;
  r.closed_by = by;
  return r;
}
std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
  return v;
}

std::vector<std::pair<std::int64_t, TcpPacket>> packets_of(const PcapConversion& c) {
  std::vector<std::pair<std::int64_t, TcpPacket>> out;
  const auto blocks = read_blocks(c.pcapng);
  EXPECT_GE(blocks.size(), 2u);
  for (std::size_t i = 2; i < blocks.size(); ++i) {
    EXPECT_EQ(blocks[i].type, 6u);
    const CapturedPacket p = read_epb(blocks[i]);
    out.emplace_back(p.unix_us, read_ip_tcp(p.data));
  }
  return out;
}

// What one direction of one TCP connection carried, checked for consistency as it goes:
// every data segment starts where the previous one ended, and every ACK acknowledges no more
// than the other side has sent.
struct Flow {
  std::uint32_t isn = 0;
  std::uint32_t next = 0;
  bool syn = false, fin = false;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> flags;
};
using FlowKey = std::tuple<std::vector<std::uint8_t>, std::uint16_t, std::vector<std::uint8_t>, std::uint16_t>;

std::map<FlowKey, Flow> flows_of(const std::vector<std::pair<std::int64_t, TcpPacket>>& packets) {
  std::map<FlowKey, Flow> flows;
  for (const auto& [ts, p] : packets) {
    Flow& f = flows[{p.src, p.sport, p.dst, p.dport}];
    if (p.flags & kSyn) {
      EXPECT_FALSE(f.syn) << "one SYN per direction";
      f.syn = true;
      f.isn = p.seq;
      f.next = p.seq + 1;
    } else {
      EXPECT_TRUE(f.syn) << "data or ACK before the handshake";
      EXPECT_EQ(p.seq, f.next) << "sequence numbers continue";
      f.next += static_cast<std::uint32_t>(p.payload.size());
      if (p.flags & kFin) {
        f.fin = true;
        f.next += 1;
      }
    }
    if (p.flags & kAck) {
      const Flow& back = flows[{p.dst, p.dport, p.src, p.sport}];
      EXPECT_TRUE(back.syn);
      EXPECT_EQ(p.ack, back.next) << "ACK acknowledges everything the other side sent so far";
    }
    EXPECT_LE(p.payload.size(), 1460u);
    f.bytes.insert(f.bytes.end(), p.payload.begin(), p.payload.end());
    f.flags.push_back(p.flags);
  }
  return flows;
}

TEST(RecordingToPcap, EachConnectionBecomesAConsistentTcpConnectionCarryingTheRecordedBytes) {
  NamedRecording file{"a.illrec", {}};
  file.recording.header.started_unix_us = 1'700'000'000'000'000;
  const auto request = bytes_of(3000, 1);  // three segments: 1460 + 1460 + 80
  const auto report = bytes_of(90, 2);
  const auto second = bytes_of(10, 3);
  file.recording.records = {
      open_record(100, 1, false, "127.0.0.1:40001", "127.0.0.1:4990"),
      data_record(EventKind::kIn, 200, 1, request),
      data_record(EventKind::kOut, 300, 1, report),
      data_record(EventKind::kIn, 400, 1, second),
      close_record(500, 1, record::ClosedBy::kHub),
  };
  const PcapConversion c = recordings_to_pcapng({file});
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.connections, 1u);
  EXPECT_EQ(c.apdus, 3u);
  const auto packets = packets_of(c);
  EXPECT_EQ(c.packets, packets.size());
  // 3 handshake + (3 data + 1 ACK) + (1 + 1) + (1 + 1) + 3 closing.
  ASSERT_EQ(packets.size(), 14u);

  // The peer dialled: its SYN first, from its port to the hub's.
  EXPECT_EQ(packets[0].second.flags, kSyn);
  EXPECT_EQ(packets[0].second.sport, 40001);
  EXPECT_EQ(packets[0].second.dport, 4990);
  EXPECT_EQ(packets[1].second.flags, kSyn | kAck);
  EXPECT_EQ(packets[2].second.flags, kAck);
  EXPECT_EQ(packets[0].first, file.recording.header.started_unix_us + 100);
  EXPECT_EQ(packets[3].first, file.recording.header.started_unix_us + 200);
  EXPECT_EQ(packets.back().first, file.recording.header.started_unix_us + 500);
  // The hub closed: its FIN first.
  EXPECT_EQ(packets[11].second.flags, kFin | kAck);
  EXPECT_EQ(packets[11].second.sport, 4990);
  EXPECT_EQ(packets[13].second.flags, kAck);
  EXPECT_EQ(packets[13].second.sport, 4990);

  const auto flows = flows_of(packets);
  ASSERT_EQ(flows.size(), 2u);
  std::vector<std::uint8_t> in = request;
  in.insert(in.end(), second.begin(), second.end());
  const std::vector<std::uint8_t> lo = {127, 0, 0, 1};
  EXPECT_EQ(flows.at({lo, 40001, lo, 4990}).bytes, in);
  EXPECT_EQ(flows.at({lo, 4990, lo, 40001}).bytes, report);
  EXPECT_TRUE(flows.at({lo, 4990, lo, 40001}).fin);
  EXPECT_TRUE(flows.at({lo, 40001, lo, 4990}).fin);
}

TEST(RecordingToPcap, HubDialledConnectionStartsWithTheHubsSynAndIpv6StaysIpv6) {
  NamedRecording file{"b.illrec", {}};
  file.recording.records = {
      open_record(0, 7, true, "[::1]:9999", "[::1]:51000"),
      data_record(EventKind::kOut, 1, 7, bytes_of(20, 4)),
      close_record(2, 7, record::ClosedBy::kPeer),
  };
  const auto packets = packets_of(recordings_to_pcapng({file}));
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(packets[0].second.ip_version, 6);
  EXPECT_EQ(packets[0].second.flags, kSyn);
  EXPECT_EQ(packets[0].second.sport, 51000) << "the hub's side dials";
  EXPECT_EQ(packets[0].second.dport, 9999);
  const auto& fin = packets[packets.size() - 3].second;
  EXPECT_EQ(fin.flags, kFin | kAck);
  EXPECT_EQ(fin.sport, 9999) << "the peer closed";
  flows_of(packets);
}

TEST(RecordingToPcap, MergesFilesInTimeOrderByStartPlusOffset) {
  NamedRecording early{"early.illrec", {}};
  NamedRecording late{"late.illrec", {}};
  early.recording.header.started_unix_us = 1'000'000;
  late.recording.header.started_unix_us = 1'000'050;
  early.recording.records = {open_record(0, 1, false, "10.0.0.1:1000", "10.0.0.9:4990"),
                             data_record(EventKind::kIn, 100, 1, bytes_of(5, 5))};  // at 1'000'100
  late.recording.records = {open_record(0, 1, false, "10.0.0.2:2000", "10.0.0.9:4990"),     // at 1'000'050
                            data_record(EventKind::kIn, 20, 1, bytes_of(6, 6))};           // at 1'000'070
  // The later file named first: order comes from the times, not the command line.
  const PcapConversion c = recordings_to_pcapng({late, early});
  EXPECT_EQ(c.connections, 2u);
  const auto packets = packets_of(c);
  std::int64_t previous = 0;
  for (const auto& [ts, p] : packets) {
    EXPECT_GE(ts, previous);
    previous = ts;
  }
  EXPECT_EQ(packets[0].first, 1'000'000);
  EXPECT_EQ(packets[0].second.sport, 1000);
  EXPECT_EQ(packets[3].second.sport, 2000);
  EXPECT_EQ(packets[6].second.payload.size(), 6u);   // late's APDU at 1'000'070
  EXPECT_EQ(packets[8].second.payload.size(), 5u);   // early's at 1'000'100
  flows_of(packets);
}

TEST(RecordingToPcap, ARecordWithoutOpenOrWithABadAddressIsShownOnMadeUpAddressesWithAWarning) {
  NamedRecording file{"torn-start.illrec", {}};
  file.recording.header.listen = "127.0.0.1:4999";
  file.recording.records = {data_record(EventKind::kIn, 0, 3, bytes_of(8, 7)),
                            open_record(1, 4, false, "not-an-address", "127.0.0.1:4999")};
  const PcapConversion c = recordings_to_pcapng({file});
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("torn-start.illrec: connection 3"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[0].find("no open connection"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[1].find("not-an-address"), std::string::npos) << c.warnings[1];
  const auto packets = packets_of(c);
  ASSERT_GE(packets.size(), 5u);
  EXPECT_EQ(packets[0].second.src, (std::vector<std::uint8_t>{192, 0, 2, 1}));
  EXPECT_EQ(packets[0].second.dport, 4999) << "the hub's port from the header's listen address";
  EXPECT_EQ(packets[3].second.payload, bytes_of(8, 7));
  flows_of(packets);
}

}  // namespace
}  // namespace illhub::app
