#include "app/illctl/ip_packet.hpp"

#include <arpa/inet.h>

namespace illhub::app {
namespace {

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint8_t kTtl = 64;

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void set16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}

std::uint32_t sum16(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
  // Folded once at the end: an IP packet has at most 32768 16-bit words, whose sum fits 32 bits.
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

std::span<const std::uint8_t> address_bytes(const Endpoint& e) {
  return std::span<const std::uint8_t>(e.address.data(), e.v6 ? 16 : 4);
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t partial) {
  std::uint32_t sum = sum16(bytes, partial);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

Result<Endpoint, std::string> parse_endpoint(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return unexpected("\"" + std::string(text) + "\" is not [address]:port");
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return unexpected("\"" + std::string(text) + "\" has no :port");
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5) return unexpected("\"" + std::string(text) + "\" has no valid port");
  unsigned long port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return unexpected("\"" + std::string(text) + "\" has no valid port");
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) return unexpected("\"" + std::string(text) + "\": port out of range");
  Endpoint e;
  e.port = static_cast<std::uint16_t>(port);
  if (inet_pton(AF_INET, host.c_str(), e.address.data()) == 1) return e;
  if (inet_pton(AF_INET6, host.c_str(), e.address.data()) == 1) {
    e.v6 = true;
    return e;
  }
  return unexpected("\"" + std::string(text) + "\": \"" + host + "\" is not an IPv4 or IPv6 address");
}

Endpoint as_ipv6(const Endpoint& endpoint) {
  if (endpoint.v6) return endpoint;
  Endpoint e;
  e.v6 = true;
  e.port = endpoint.port;
  e.address[10] = 0xFF;
  e.address[11] = 0xFF;
  for (int i = 0; i < 4; ++i) e.address[static_cast<std::size_t>(12 + i)] = endpoint.address[static_cast<std::size_t>(i)];
  return e;
}

std::vector<std::uint8_t> ip_tcp_packet(const Endpoint& from, const Endpoint& to, const TcpSegment& segment,
                                        std::uint16_t ip_id) {
  const std::size_t tcp_length = 20 + segment.payload.size();
  std::vector<std::uint8_t> tcp;
  tcp.reserve(tcp_length);
  put16(tcp, from.port);
  put16(tcp, to.port);
  put32(tcp, segment.seq);
  put32(tcp, (segment.flags & kTcpAck) ? segment.ack : 0);
  tcp.push_back(5 << 4);  // data offset: 5 words, no options
  tcp.push_back(segment.flags);
  put16(tcp, segment.window);
  put16(tcp, 0);  // checksum, filled below
  put16(tcp, 0);  // urgent pointer
  tcp.insert(tcp.end(), segment.payload.begin(), segment.payload.end());

  // The pseudo-header: addresses, protocol and TCP length (RFC 793, RFC 8200 section 8.1).
  std::uint32_t pseudo = sum16(address_bytes(from), 0);
  pseudo = sum16(address_bytes(to), pseudo);
  pseudo += kProtocolTcp;
  pseudo += static_cast<std::uint32_t>(tcp_length & 0xFFFF) + static_cast<std::uint32_t>(tcp_length >> 16);
  set16(tcp, 16, internet_checksum(tcp, pseudo));

  std::vector<std::uint8_t> ip;
  if (from.v6) {
    ip.reserve(40 + tcp_length);
    put32(ip, 0x60000000);  // version 6, traffic class 0, flow label 0
    put16(ip, static_cast<std::uint16_t>(tcp_length));
    ip.push_back(kProtocolTcp);  // next header
    ip.push_back(kTtl);          // hop limit
    auto a = address_bytes(from);
    ip.insert(ip.end(), a.begin(), a.end());
    auto b = address_bytes(to);
    ip.insert(ip.end(), b.begin(), b.end());
  } else {
    ip.reserve(20 + tcp_length);
    ip.push_back(0x45);  // version 4, header length 5 words
    ip.push_back(0);     // DSCP/ECN
    put16(ip, static_cast<std::uint16_t>(20 + tcp_length));
    put16(ip, ip_id);
    put16(ip, 0x4000);  // don't fragment
    ip.push_back(kTtl);
    ip.push_back(kProtocolTcp);
    put16(ip, 0);  // header checksum, filled below
    auto a = address_bytes(from);
    ip.insert(ip.end(), a.begin(), a.end());
    auto b = address_bytes(to);
    ip.insert(ip.end(), b.begin(), b.end());
    set16(ip, 10, internet_checksum(ip));
  }
  ip.insert(ip.end(), tcp.begin(), tcp.end());
  return ip;
}

}  // namespace illhub::app
