// PcapngWriter and ip_tcp_packet, read back by an independent reader (pcapng_test_reader.hpp).
#include "app/illctl/pcapng_writer.hpp"

#include <gtest/gtest.h>

#include "app/illctl/ip_packet.hpp"
#include "pcapng_test_reader.hpp"

namespace illhub::app {
namespace {

using namespace testing;

TEST(PcapngWriter, WritesSectionHeaderInterfaceAndPacketBlocks) {
  PcapngWriter writer("test app", kLinktypeRaw, "if0");
  const std::vector<std::uint8_t> packet = {1, 2, 3, 4, 5};  // not a multiple of 4: padded
  const std::int64_t ts = 1795568523123456;                  // needs both timestamp words
  writer.add_packet(ts, packet, "hello");
  writer.add_packet(ts + 7, packet);
  EXPECT_EQ(writer.packet_count(), 2u);

  const auto blocks = read_blocks(writer.bytes());
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].type, 0x0A0D0D0Au);
  EXPECT_EQ(le32(blocks[0].body, 0), 0x1A2B3C4Du) << "byte-order magic, little-endian";
  EXPECT_EQ(le16(blocks[0].body, 4), 1) << "major version";
  EXPECT_EQ(le16(blocks[0].body, 6), 0) << "minor version";
  EXPECT_EQ(blocks[1].type, 1u);
  EXPECT_EQ(le16(blocks[1].body, 0), 101) << "LINKTYPE_RAW";
  ASSERT_EQ(blocks[2].type, 6u);
  const CapturedPacket first = read_epb(blocks[2]);
  EXPECT_EQ(first.unix_us, ts);
  EXPECT_EQ(first.data, packet);
  EXPECT_EQ(first.comment, "hello");
  const CapturedPacket second = read_epb(blocks[3]);
  EXPECT_EQ(second.unix_us, ts + 7);
  EXPECT_EQ(second.comment, "");
}

TEST(IpPacket, ParsesIpv4AndIpv6EndpointsAndRefusesBadOnes) {
  auto v4 = parse_endpoint("192.0.2.7:4990");
  ASSERT_TRUE(v4);
  EXPECT_FALSE(v4->v6);
  EXPECT_EQ(v4->port, 4990);
  EXPECT_EQ(v4->address[0], 192);
  EXPECT_EQ(v4->address[3], 7);
  auto bracketed = parse_endpoint("[2001:db8::1]:499");
  ASSERT_TRUE(bracketed);
  EXPECT_TRUE(bracketed->v6);
  EXPECT_EQ(bracketed->port, 499);
  EXPECT_EQ(bracketed->address[15], 1);
  auto bare = parse_endpoint("::1:5000");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->v6);
  EXPECT_EQ(bare->port, 5000);
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "host:80",
                          "[::1]", "[::1]80"}) {
    auto e = parse_endpoint(bad);
    ASSERT_FALSE(e) << bad;
    EXPECT_NE(e.error().find(bad), std::string::npos) << "the message quotes the text: " << e.error();
  }
}

TEST(IpPacket, BuildsIpv4TcpWithValidChecksums) {
  const Endpoint a = *parse_endpoint("10.1.2.3:40000");
  const Endpoint b = *parse_endpoint("10.9.8.7:4990");
  const std::vector<std::uint8_t> payload = {0xA1, 0x03, 0x02, 0x01, 0x02};  // odd length
  TcpSegment seg;
  seg.seq = 0xFFFFFFF0;
  seg.ack = 42;
  seg.flags = kTcpAck | kTcpPsh;
  seg.payload = payload;
  const TcpPacket p = read_ip_tcp(ip_tcp_packet(a, b, seg, 77));
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(p.src, (std::vector<std::uint8_t>{10, 1, 2, 3}));
  EXPECT_EQ(p.dst, (std::vector<std::uint8_t>{10, 9, 8, 7}));
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 4990);
  EXPECT_EQ(p.seq, 0xFFFFFFF0u);
  EXPECT_EQ(p.ack, 42u);
  EXPECT_EQ(p.flags, kTcpAck | kTcpPsh);
  EXPECT_EQ(p.payload, payload);
}

TEST(IpPacket, BuildsIpv6TcpWithValidChecksumAndMapsMixedFamilies) {
  const Endpoint a = *parse_endpoint("[2001:db8::5]:40000");
  const Endpoint b = as_ipv6(*parse_endpoint("127.0.0.1:4990"));
  EXPECT_TRUE(b.v6);
  EXPECT_EQ(b.address[10], 0xFF);
  EXPECT_EQ(b.address[15], 1);
  std::vector<std::uint8_t> payload(1460, 0xEE);
  TcpSegment seg;
  seg.seq = 1;
  seg.flags = kTcpSyn;
  seg.ack = 99;  // not sent without the ACK flag
  seg.payload = payload;
  const TcpPacket p = read_ip_tcp(ip_tcp_packet(a, b, seg, 0));
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.src.size(), 16u);
  EXPECT_EQ(p.ack, 0u);
  EXPECT_EQ(p.payload.size(), 1460u);
}

TEST(IpPacket, ChecksumMatchesTheRfc1071Example) {
  // RFC 1071 section 3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2, so the checksum is 220d.
  const std::vector<std::uint8_t> bytes = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(bytes), 0x220D);
}

}  // namespace
}  // namespace illhub::app
