// illctl record show|to-pcap: reading the recordings illd writes with --record-dir
// (docs/RECORDING.md). Exit codes: 0 ok (a torn last line only warns), 1 a file cannot be
// read or written, 2 usage.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/illctl/commands.hpp"
#include "app/illctl/record_listing.hpp"
#include "app/illctl/recording_input.hpp"
#include "app/illctl/recording_to_pcap.hpp"

namespace illhub::app {
namespace {

int show(const std::vector<std::string>& paths) {
  bool failed = false;
  for (const auto& path : paths) {
    auto recording = read_recording_or_explain(path);
    if (!recording) {
      failed = true;
      continue;
    }
    std::cout << recording_heading(path, recording->header) << "\n";
    for (const auto& r : recording->records) std::cout << record_listing_line(r) << "\n";
  }
  return failed ? 1 : 0;
}

int to_pcap(const std::vector<std::string>& paths, const std::string& out_path) {
  std::vector<NamedRecording> files;
  for (const auto& path : paths) {
    auto recording = read_recording_or_explain(path);
    if (!recording) return 1;  // nothing written: a capture missing one file would mislead
    files.push_back({path, std::move(*recording)});
  }
  const PcapConversion conversion = recordings_to_pcapng(files);
  for (const auto& w : conversion.warnings) std::cerr << "illctl: warning: " << w << "\n";
  // Written beside the target and renamed, so a failed write never leaves half a capture.
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(conversion.pcapng.data()),
              static_cast<std::streamsize>(conversion.pcapng.size()));
    out.close();
    if (!out) {
      std::cerr << "illctl: cannot write " << tmp << " (is the directory there and writable?)\n";
      std::remove(tmp.c_str());
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::cerr << "illctl: cannot rename " << tmp << " to " << out_path << "\n";
    std::remove(tmp.c_str());
    return 1;
  }
  std::cerr << "illctl: wrote " << out_path << ": " << conversion.packets << " packets, " << conversion.connections
            << " connections, " << conversion.apdus << " APDUs from " << files.size() << " recording(s)\n";
  return 0;
}

}  // namespace

void add_record_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("record", "Read recordings of the hub's wire traffic (illd --record-dir)");
  cmd->require_subcommand(1);

  auto* show_cmd = cmd->add_subcommand("show", "List every record: time, connection, direction, peer, APDU");
  auto show_paths = std::make_shared<std::vector<std::string>>();
  show_cmd->add_option("FILE", *show_paths, "Recording files (.illrec)")->required();
  show_cmd->callback([show_paths] {
    if (int rc = show(*show_paths); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto* pcap_cmd = cmd->add_subcommand("to-pcap", "Convert recordings to one pcapng capture (Wireshark, tshark)");
  auto pcap_paths = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  pcap_cmd->add_option("FILE", *pcap_paths, "Recording files (.illrec), merged in time order")->required();
  pcap_cmd->add_option("-o,--output", *out, "The pcapng file to write")->required();
  pcap_cmd->callback([pcap_paths, out] {
    if (int rc = to_pcap(*pcap_paths, *out); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace illhub::app
