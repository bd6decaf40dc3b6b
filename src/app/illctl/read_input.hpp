#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace illhub::app {

/// Reads a whole file, or standard input for "-". Throws CLI::RuntimeError(1) after printing
/// a message to stderr when the file cannot be read.
std::vector<std::uint8_t> read_input(const std::string& path);

}  // namespace illhub::app
