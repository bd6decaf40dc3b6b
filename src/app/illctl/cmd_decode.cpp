// illctl decode FILE|-: prints every APDU in a file of back-to-back BER APDUs (a capture, a
// recording, one APDU saved by a peer), for a person or, with --format, for a program.
#include <iostream>

#include "app/illctl/apdu_summary.hpp"
#include "app/illctl/commands.hpp"
#include "app/illctl/read_input.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/framer.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::app {
namespace {

int run(const std::string& path, const std::string& format) {
  const std::vector<std::uint8_t> input = read_input(path);
  codec::StreamFramer framer;
  framer.feed(input);
  int count = 0;
  bool failed = false;
  std::uint64_t offset = 0;
  while (auto frame = framer.next()) {
    auto apdu = codec::decode(*frame);
    if (!apdu) {
      const auto& err = apdu.error();
      std::cerr << "illctl: APDU " << count + 1 << " at byte " << offset << ": "
                << codec::to_string(codec::general_problem(err)) << ": " << err.detail << "\n";
      failed = true;
    } else if (format == "json") {
      std::cout << codec::to_json(*apdu) << "\n";
    } else if (format == "xer") {
      auto xer = codec::to_xer(*apdu);
      std::cout << (xer ? *xer : std::string()) << "\n" << codec::extensions_as_xer_comments(*apdu);
    } else {
      if (count > 0) std::cout << "\n";
      std::cout << apdu_summary(*apdu);
      std::cout << codec::to_text(*apdu);
    }
    offset += frame->size();
    ++count;
  }
  if (const auto& err = framer.error()) {
    std::cerr << "illctl: cannot frame the input at byte " << err->stream_offset << ": "
              << codec::describe(err->problem) << "\n";
    return 1;
  }
  if (framer.buffered() > 0) {
    std::cerr << "illctl: input ends inside an APDU (" << framer.buffered()
              << " bytes after the last whole one): the file is truncated\n";
    return 1;
  }
  if (count == 0) {
    std::cerr << "illctl: " << path << " holds no APDU\n";
    return 1;
  }
  return failed ? 1 : 0;
}

}  // namespace

void add_decode_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("decode", "Print the ISO 10161 APDUs (BER) in a file or stdin");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("FILE", *path, "File of BER APDUs, or - for standard input")->required();
  cmd->add_option("--format", *format, "text (for people), json or xer")
      ->check(CLI::IsMember({"text", "json", "xer"}));
  cmd->callback([path, format] {
    if (int rc = run(*path, *format); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace illhub::app
