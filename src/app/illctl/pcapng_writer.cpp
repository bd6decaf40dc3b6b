#include "app/illctl/pcapng_writer.hpp"

namespace illhub::app {
namespace {

// Option codes (pcapng draft, section "Options").
constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kOptComment = 1;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void pad4(std::vector<std::uint8_t>& out) {
  while (out.size() % 4 != 0) out.push_back(0);
}

// One option: code, length, value padded to 32 bits.
void put_option(std::vector<std::uint8_t>& body, std::uint16_t code, std::string_view value) {
  put16(body, code);
  put16(body, static_cast<std::uint16_t>(value.size()));
  body.insert(body.end(), value.begin(), value.end());
  pad4(body);
}
void end_options(std::vector<std::uint8_t>& body) {
  put16(body, kOptEndOfOpt);
  put16(body, 0);
}

// A block: type, total length, body (already padded), total length again.
void put_block(std::vector<std::uint8_t>& out, std::uint32_t type, const std::vector<std::uint8_t>& body) {
  const auto total = static_cast<std::uint32_t>(12 + body.size());
  put32(out, type);
  put32(out, total);
  out.insert(out.end(), body.begin(), body.end());
  put32(out, total);
}

}  // namespace

PcapngWriter::PcapngWriter(std::string_view application, std::uint16_t linktype,
                           std::string_view interface_name) {
  std::vector<std::uint8_t> shb;
  put32(shb, kByteOrderMagic);
  put16(shb, 1);  // major version
  put16(shb, 0);  // minor version
  put32(shb, 0xFFFFFFFF);  // section length: not given (-1, 64 bits)
  put32(shb, 0xFFFFFFFF);
  put_option(shb, kShbUserAppl, application);
  end_options(shb);
  put_block(out_, kSectionHeaderBlock, shb);

  std::vector<std::uint8_t> idb;
  put16(idb, linktype);
  put16(idb, 0);  // reserved
  put32(idb, 0);  // snaplen: no limit
  put_option(idb, kIfName, interface_name);
  end_options(idb);
  put_block(out_, kInterfaceDescriptionBlock, idb);
}

void PcapngWriter::add_packet(std::int64_t unix_us, std::span<const std::uint8_t> packet,
                              std::string_view comment) {
  std::vector<std::uint8_t> epb;
  const auto ts = static_cast<std::uint64_t>(unix_us);
  put32(epb, 0);  // interface id
  put32(epb, static_cast<std::uint32_t>(ts >> 32));
  put32(epb, static_cast<std::uint32_t>(ts));
  put32(epb, static_cast<std::uint32_t>(packet.size()));  // captured length
  put32(epb, static_cast<std::uint32_t>(packet.size()));  // original length
  epb.insert(epb.end(), packet.begin(), packet.end());
  pad4(epb);
  if (!comment.empty()) {
    put_option(epb, kOptComment, comment);
    end_options(epb);
  }
  put_block(out_, kEnhancedPacketBlock, epb);
  ++packets_;
}

}  // namespace illhub::app
