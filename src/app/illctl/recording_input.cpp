#include "app/illctl/recording_input.hpp"

#include <filesystem>
#include <iostream>
#include <system_error>

namespace illhub::app {

std::optional<record::Recording> read_recording_or_explain(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::cerr << "illctl: " << path << ": no such file (a recording is an .illrec file that illd writes under "
              << "--record-dir or record.dir)\n";
    return std::nullopt;
  }
  auto recording = record::read_recording(path);
  if (!recording) {
    // The reader's message names the file (and the line).
    std::cerr << "illctl: not a readable recording: " << recording.error()
              << "\n  only a torn last line is skipped by itself; a file damaged elsewhere must be cut back to"
              << " its last good line by hand (docs/RECORDING.md)\n";
    return std::nullopt;
  }
  if (recording->warning)
    std::cerr << "illctl: " << path << ": warning: " << *recording->warning << " (the records before it are read)\n";
  return std::move(recording).value();
}

}  // namespace illhub::app
