// Writes the YAZ golden vectors and fuzz seeds (yaz_golden_samples()) into a directory,
// normally tests/data/apdu/. Usage: gen_yaz_samples <output-dir>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "support/yaz_peer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <output-dir>\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    std::filesystem::create_directories(dir);
    for (const auto& sample : illhub::testing::yaz_golden_samples()) {
      const auto path = dir / sample.file_name;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(sample.ber.data()),
                static_cast<std::streamsize>(sample.ber.size()));
      out.close();
      if (!out) {
        std::cerr << "cannot write " << path << "\n";
        return 1;
      }
      std::cout << path.string() << " " << sample.ber.size() << " bytes\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "gen_yaz_samples: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
