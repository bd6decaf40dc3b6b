// illd: the illhub server. The network server, store and relay are not built yet (see
// docs/STATUS.md); until they are, illd describes the codec it was built with and exits, so
// the README's first command shows a working build.
#include <cstring>
#include <iostream>

#include "illhub/codec/apdu_kind.hpp"
#include "illhub/codec/limits.hpp"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << "usage: illd\n  Prints the ISO 10161 codec's self-description. The hub server "
                   "itself is not implemented yet.\n";
      return 0;
    }
  }
  const illhub::codec::CodecLimits limits;
  std::cout << "illhub " << "0.1.0" << ": ISO 10161 interlibrary-loan hub\n"
            << "codec: ISO-10161-ILL-1 (protocol versions 1 and 2), BER, asn1c 0.9.28 with "
               "illhub's skeleton fixes\n"
            << "limits: " << limits.max_apdu_bytes << " bytes per APDU, nesting depth "
            << limits.max_depth << ", decoder stack " << limits.max_decoder_stack << " bytes\n"
            << "APDUs:";
  for (auto kind : illhub::codec::kAllApduKinds)
    std::cout << " " << illhub::codec::to_string(kind) << "[" << illhub::codec::application_tag(kind) << "]";
  std::cout << "\n\nThe hub server (listening, relaying, PostgreSQL store) is not implemented yet;\n"
               "use `illctl decode FILE` to inspect APDUs. See docs/STATUS.md.\n";
  return 0;
}
