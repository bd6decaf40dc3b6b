#pragma once
// PcapngWriter: builds a pcapng file (the capture format Wireshark and tshark read) in memory,
// block by block: one Section Header Block, one Interface Description Block, then Enhanced
// Packet Blocks. No I/O, so tests can parse what it builds. Little-endian throughout; the
// byte-order magic in the section header tells readers so.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace illhub::app {

/// Link type of the packets: LINKTYPE_RAW, each packet a bare IPv4 or IPv6 datagram (the
/// version nibble tells which), so one interface carries both families.
inline constexpr std::uint16_t kLinktypeRaw = 101;

/// pcapng block types.
inline constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
inline constexpr std::uint32_t kInterfaceDescriptionBlock = 1;
inline constexpr std::uint32_t kEnhancedPacketBlock = 6;
inline constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;

class PcapngWriter {
 public:
  /// Starts the file with a Section Header Block (shb_userappl = application) and one
  /// Interface Description Block of the given link type with microsecond timestamps
  /// (the pcapng default resolution, so no if_tsresol option).
  PcapngWriter(std::string_view application, std::uint16_t linktype, std::string_view interface_name);

  /// Appends an Enhanced Packet Block on interface 0: timestamp in microseconds since the
  /// Unix epoch, the whole packet captured, and an optional comment (opt_comment) that
  /// Wireshark shows with the packet.
  void add_packet(std::int64_t unix_us, std::span<const std::uint8_t> packet, std::string_view comment = {});

  std::size_t packet_count() const { return packets_; }
  const std::vector<std::uint8_t>& bytes() const { return out_; }

 private:
  std::vector<std::uint8_t> out_;
  std::size_t packets_ = 0;
};

}  // namespace illhub::app
