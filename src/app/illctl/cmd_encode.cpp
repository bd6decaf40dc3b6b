// illctl encode FILE|-: turns an APDU written in XER (as `illctl decode --format xer` prints
// it, edited by hand) back into BER, the bytes a peer would send.
#include <fstream>
#include <iostream>

#include "app/illctl/commands.hpp"
#include "app/illctl/read_input.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::app {
namespace {

int run(const std::string& path, const std::string& output) {
  const std::vector<std::uint8_t> input = read_input(path);
  auto apdu = codec::from_xer(std::string_view(reinterpret_cast<const char*>(input.data()), input.size()));
  if (!apdu) {
    std::cerr << "illctl: " << path << ": " << apdu.error().detail << "\n";
    return 1;
  }
  const auto bytes = apdu->bytes();
  if (output == "-") {
    std::cout.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return std::cout ? 0 : 1;
  }
  std::ofstream out(output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "illctl: cannot write " << output << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("encode", "Encode an APDU written in XER as BER");
  auto path = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>("-");
  cmd->add_option("FILE", *path, "XER file, or - for standard input")->required();
  cmd->add_option("-o,--output", *output, "Where to write the BER (default: standard output)");
  cmd->callback([path, output] {
    if (int rc = run(*path, *output); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace illhub::app
