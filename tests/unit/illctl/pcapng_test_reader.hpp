#pragma once
// A small, independent reader of what PcapngWriter and ip_tcp_packet build, for the tests:
// pcapng blocks (little-endian), then IPv4/IPv6 + TCP headers, verifying every checksum.
// It shares no code with the writer, so a mistake in one is not repeated in the other.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace illhub::app::testing {

inline std::uint32_t le32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b.at(at) | b.at(at + 1) << 8 | b.at(at + 2) << 16) |
         static_cast<std::uint32_t>(b.at(at + 3)) << 24;
}
inline std::uint16_t le16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) | b.at(at + 1) << 8);
}
inline std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b.at(at)) << 24 | static_cast<std::uint32_t>(b.at(at + 1) << 16 | b.at(at + 2) << 8 | b.at(at + 3));
}
inline std::uint16_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

struct Block {
  std::uint32_t type = 0;
  std::vector<std::uint8_t> body;  // between the two length fields
};

/// Splits a pcapng file into blocks, checking that each block's two length fields agree and
/// are multiples of 4.
inline std::vector<Block> read_blocks(const std::vector<std::uint8_t>& file) {
  std::vector<Block> blocks;
  std::size_t at = 0;
  while (at < file.size()) {
    EXPECT_LE(at + 12, file.size());
    const std::uint32_t type = le32(file, at);
    const std::uint32_t total = le32(file, at + 4);
    EXPECT_EQ(total % 4, 0u);
    EXPECT_LE(at + total, file.size());
    EXPECT_EQ(le32(file, at + total - 4), total) << "trailing length of block at " << at;
    blocks.push_back({type, std::vector<std::uint8_t>(file.begin() + static_cast<long>(at + 8),
                                                      file.begin() + static_cast<long>(at + total - 4))});
    at += total;
  }
  return blocks;
}

struct CapturedPacket {
  std::int64_t unix_us = 0;
  std::vector<std::uint8_t> data;
  std::string comment;
};

/// The Enhanced Packet Blocks' contents (interface 0, microseconds).
inline CapturedPacket read_epb(const Block& block) {
  CapturedPacket p;
  const auto& b = block.body;
  EXPECT_EQ(le32(b, 0), 0u) << "interface id";
  p.unix_us = static_cast<std::int64_t>(static_cast<std::uint64_t>(le32(b, 4)) << 32 | le32(b, 8));
  const std::uint32_t captured = le32(b, 12);
  EXPECT_EQ(le32(b, 16), captured) << "original length";
  p.data.assign(b.begin() + 20, b.begin() + 20 + captured);
  std::size_t at = 20 + (captured + 3) / 4 * 4;
  while (at + 4 <= b.size()) {
    const std::uint16_t code = le16(b, at);
    const std::uint16_t len = le16(b, at + 2);
    if (code == 0) break;
    if (code == 1) p.comment.assign(b.begin() + static_cast<long>(at + 4), b.begin() + static_cast<long>(at + 4 + len));
    at += 4 + (len + 3u) / 4 * 4;
  }
  return p;
}

inline std::uint32_t ones_sum(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t to, std::uint32_t sum) {
  for (std::size_t i = from; i < to; i += 2) sum += static_cast<std::uint32_t>(b[i] << 8 | (i + 1 < to ? b[i + 1] : 0));
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

struct TcpPacket {
  int ip_version = 0;
  std::vector<std::uint8_t> src, dst;  // 4 or 16 bytes
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::vector<std::uint8_t> payload;
};

/// Parses an IP datagram carrying TCP; fails the test when a length or checksum is wrong.
inline TcpPacket read_ip_tcp(const std::vector<std::uint8_t>& d) {
  TcpPacket p;
  p.ip_version = d.at(0) >> 4;
  std::size_t tcp_at = 0;
  std::uint32_t pseudo = 0;
  if (p.ip_version == 4) {
    EXPECT_EQ(d[0] & 0xF, 5);
    EXPECT_EQ(be16(d, 2), d.size()) << "IPv4 total length";
    EXPECT_EQ(d[9], 6) << "protocol TCP";
    EXPECT_EQ(ones_sum(d, 0, 20, 0), 0xFFFFu) << "IPv4 header checksum";
    p.src.assign(d.begin() + 12, d.begin() + 16);
    p.dst.assign(d.begin() + 16, d.begin() + 20);
    tcp_at = 20;
  } else {
    EXPECT_EQ(p.ip_version, 6);
    EXPECT_EQ(be16(d, 4) + 40u, d.size()) << "IPv6 payload length";
    EXPECT_EQ(d[6], 6) << "next header TCP";
    p.src.assign(d.begin() + 8, d.begin() + 24);
    p.dst.assign(d.begin() + 24, d.begin() + 40);
    tcp_at = 40;
  }
  const std::size_t tcp_len = d.size() - tcp_at;
  pseudo = ones_sum(p.src, 0, p.src.size(), pseudo);
  pseudo = ones_sum(p.dst, 0, p.dst.size(), pseudo);
  pseudo += 6 + static_cast<std::uint32_t>(tcp_len);
  EXPECT_EQ(ones_sum(d, tcp_at, d.size(), pseudo), 0xFFFFu) << "TCP checksum";
  p.sport = be16(d, tcp_at);
  p.dport = be16(d, tcp_at + 2);
  p.seq = be32(d, tcp_at + 4);
  p.ack = be32(d, tcp_at + 8);
  EXPECT_EQ(d[tcp_at + 12] >> 4, 5) << "TCP header length";
  p.flags = d[tcp_at + 13];
  p.payload.assign(d.begin() + static_cast<long>(tcp_at + 20), d.end());
  return p;
}

}  // namespace illhub::app::testing
