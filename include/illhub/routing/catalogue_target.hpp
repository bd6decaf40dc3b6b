#pragma once
// CatalogueTarget: where a library's catalogue answers holdings look-ups (issue #9), as the
// operator configures it per library:
//   z3950:HOST:PORT/DATABASE     a Z39.50 server, e.g. "z3950:opac.example.org:210/Books"
//   sru:http://HOST[:PORT]/PATH  an SRU server (HTTP GET, SRU 1.2), e.g. "sru:http://opac:8080/sru"
// The database part may carry what the server reads after '?' (yaz-ztest's "Default?search-delay=3").

#include <cstdint>
#include <string>
#include <string_view>

#include "illhub/util/result.hpp"

namespace illhub::routing {

enum class CatalogueProtocol { kZ3950, kSru };

struct CatalogueTarget {
  CatalogueProtocol protocol = CatalogueProtocol::kZ3950;
  std::string host;          // z3950: host name or address; sru: the URL's host
  std::uint16_t port = 0;    // z3950: always given; sru: 80 when the URL has none
  std::string database;      // z3950: the database name; sru: the URL's path without the '/'
  std::string spec;          // the string it was parsed from: logs and cache keys use it

  /// The address handed to YAZ's ZOOM: "HOST:PORT/DATABASE" or "http://HOST:PORT/PATH".
  std::string zoom_address() const;
};

/// Parses a target string (syntax above). Errors name what is wrong, e.g.
/// "catalogue target \"ftp://x\": expected z3950:HOST:PORT/DATABASE or sru:http://HOST[:PORT]/PATH".
/// No name resolution happens here.
Result<CatalogueTarget, std::string> parse_catalogue_target(std::string_view spec);

}  // namespace illhub::routing
