#pragma once
// SyntheticTcp: turns one recorded connection's events into the TCP segments a capture of it
// would have held, so Wireshark's TCP analysis finds nothing amiss: a three-way handshake
// (started by whichever side dialled), each APDU as data segments of at most kMaxSegment
// bytes with consistent sequence numbers, ACKs from the other side, and FIN/ACK at close
// from the side that ended it. The bytes are the recording's; the TCP framing is made up.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "app/illctl/ip_packet.hpp"

namespace illhub::app {

/// One packet of a synthetic capture: when (microseconds since the Unix epoch), the IP
/// datagram, and a comment for people (empty for handshake and ACK packets).
struct SyntheticPacket {
  std::int64_t unix_us = 0;
  std::vector<std::uint8_t> bytes;
  std::string comment;
};

/// The payload of one data segment, at most (Ethernet's usual MSS).
inline constexpr std::size_t kMaxSegment = 1460;

class SyntheticTcp {
 public:
  enum class Side { kPeer, kHub };

  /// peer: the recording's `remote`; hub: its `local`. If their families differ, both are
  /// written as IPv6 (IPv4-mapped). isn_seed makes initial sequence numbers differ between
  /// connections (any value works).
  SyntheticTcp(Endpoint peer, Endpoint hub, std::uint32_t isn_seed);

  /// SYN, SYN/ACK, ACK: the hub sends the SYN when it dialled the peer.
  void open(bool hub_dialled, std::int64_t unix_us, std::vector<SyntheticPacket>& out);
  /// The bytes from one side as data segments (PSH on the last), each run of segments
  /// acknowledged by the other side. comment goes on the first segment.
  void send(Side from, std::span<const std::uint8_t> data, std::int64_t unix_us, const std::string& comment,
            std::vector<SyntheticPacket>& out);
  /// FIN/ACK from the side that closed, FIN/ACK back, the last ACK.
  void close(Side by, std::int64_t unix_us, std::vector<SyntheticPacket>& out);

  bool is_open() const { return open_; }

 private:
  struct Half {
    Endpoint endpoint;
    std::uint32_t next_seq = 0;  // the sequence number of the next byte (or SYN/FIN) it sends
    std::uint16_t ip_id = 0;
  };
  Half& half(Side side) { return side == Side::kPeer ? peer_ : hub_; }
  static Side other(Side side) { return side == Side::kPeer ? Side::kHub : Side::kPeer; }
  void emit(Side from, std::uint8_t flags, std::span<const std::uint8_t> payload, std::int64_t unix_us,
            std::string comment, std::vector<SyntheticPacket>& out);

  Half peer_;
  Half hub_;
  bool open_ = false;
};

}  // namespace illhub::app
