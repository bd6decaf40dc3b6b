#pragma once
// Recordings (docs/RECORDING.md) to one pcapng capture for Wireshark and tshark: records of
// all files merged in time order (started_unix_us + t), each recorded connection a synthetic
// TCP connection between its `remote` (the peer) and `local` (the hub) addresses. Pure: the
// caller reads the files and writes the result.

#include <cstdint>
#include <string>
#include <vector>

#include "illhub/record/recording.hpp"

namespace illhub::app {

struct NamedRecording {
  std::string name;  // for warnings: the file name
  record::Recording recording;
};

struct PcapConversion {
  std::vector<std::uint8_t> pcapng;
  std::size_t packets = 0;
  std::size_t connections = 0;
  std::size_t apdus = 0;  // in, out and unframed records carried
  /// Records that could not be shown as recorded (no `open` before them, an address that
  /// does not parse, events after `close`): how each was shown instead.
  std::vector<std::string> warnings;
};

/// Never fails: what cannot be shown as recorded is shown with made-up documentation
/// addresses (192.0.2.0/24) and a warning.
PcapConversion recordings_to_pcapng(const std::vector<NamedRecording>& files);

}  // namespace illhub::app
