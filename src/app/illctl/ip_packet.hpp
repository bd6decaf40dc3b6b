#pragma once
// IPv4/IPv6 + TCP packets built byte by byte, with correct header and TCP checksums, for the
// synthetic captures `illctl record to-pcap` writes. No sockets, no I/O.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::app {

/// One end of a TCP connection. An IPv4 address is kept in the first 4 bytes of address.
struct Endpoint {
  bool v6 = false;
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

/// Parses "192.0.2.1:4990", "[2001:db8::1]:4990" or "2001:db8::1:4990" (the last colon
/// separates the port). Error: a message saying what is wrong with the text.
Result<Endpoint, std::string> parse_endpoint(std::string_view text);

/// The same address as an IPv4-mapped IPv6 address (::ffff:a.b.c.d); an IPv6 one unchanged.
/// For a connection whose two ends were recorded in different families.
Endpoint as_ipv6(const Endpoint& endpoint);

/// TCP header flags.
inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAck = 0x10;

struct TcpSegment {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;  // sent only with kTcpAck, else zero
  std::uint8_t flags = 0;
  std::uint16_t window = 65535;
  std::span<const std::uint8_t> payload;
};

/// An IP datagram (IPv4 when both ends are IPv4, else IPv6; both ends must be of the same
/// family: see as_ipv6) carrying one TCP segment with a 20-byte header and no options.
/// ip_id is the IPv4 identification field (ignored for IPv6).
std::vector<std::uint8_t> ip_tcp_packet(const Endpoint& from, const Endpoint& to, const TcpSegment& segment,
                                        std::uint16_t ip_id);

/// The Internet checksum (RFC 1071) of bytes, starting from a partial sum.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t partial = 0);

}  // namespace illhub::app
