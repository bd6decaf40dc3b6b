#pragma once
#include <cctype>
#include <string>
#include <vector>

#include "illhub/codec/apdu_kind.hpp"

namespace illhub::codec::testing {

/// "yaz-ill-request.ber" for ILL-Request, and so on: the YAZ-encoded golden vector of a kind.
inline std::string yaz_sample_file(ApduKind kind) {
  std::string file = "yaz-";
  for (char c : to_string(kind)) file += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return file + ".ber";
}

/// Every YAZ golden vector: one per kind, then the special cases.
inline std::vector<std::string> all_yaz_sample_files() {
  std::vector<std::string> files;
  for (ApduKind k : kAllApduKinds) files.push_back(yaz_sample_file(k));
  for (const char* f : {"yaz-boundary.ber", "yaz-utf8-note.ber", "yaz-extension.ber", "yaz-external.ber"})
    files.push_back(f);
  return files;
}

}  // namespace illhub::codec::testing
