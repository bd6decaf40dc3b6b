#include "app/illctl/read_input.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

namespace illhub::app {

std::vector<std::uint8_t> read_input(const std::string& path) {
  if (path == "-") {
    std::cin >> std::noskipws;
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "illctl: cannot read " << path << ": " << std::strerror(errno) << "\n";
    throw CLI::RuntimeError(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace illhub::app
