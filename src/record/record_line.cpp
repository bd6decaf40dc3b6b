// The writing side of the format (docs/RECORDING.md): one JSON object per line, keys in the
// order the page documents them, so a person reading a recording sees t, conn, event first.

#include <nlohmann/json.hpp>

#include "illhub/record/base64.hpp"
#include "illhub/record/recording.hpp"

namespace illhub::record {
namespace {

using Json = nlohmann::ordered_json;

// Peer symbols and reasons come from the network and may not be UTF-8: replace bad bytes with
// U+FFFD instead of letting the JSON library throw on the data path.
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kOpen: return "open";
    case EventKind::kIn: return "in";
    case EventKind::kOut: return "out";
    case EventKind::kUnframed: return "unframed";
    case EventKind::kClose: return "close";
  }
  return "?";
}

std::string_view to_string(ClosedBy by) {
  return by == ClosedBy::kHub ? "hub" : "peer";
}

std::string header_line(const Header& header) {
  Json json;
  json["illhub-recording"] = header.version;
  json["started_unix_us"] = header.started_unix_us;
  json["node"] = header.node;
  json["listen"] = header.listen;
  return dump(json);
}

std::string record_line(const Record& record) {
  Json json;
  json["t"] = record.offset_us;
  json["conn"] = record.connection;
  json["event"] = to_string(record.kind);
  json["peer"] = record.peer;
  switch (record.kind) {
    case EventKind::kOpen:
      json["dialled"] = record.dialled;
      json["tls"] = record.tls;
      json["remote"] = record.remote;
      json["local"] = record.local;
      break;
    case EventKind::kIn:
    case EventKind::kOut:
    case EventKind::kUnframed:
      json["ber"] = base64_encode(record.bytes);
      break;
    case EventKind::kClose:
      json["by"] = to_string(record.closed_by);
      json["reason"] = record.reason;
      break;
  }
  return dump(json);
}

}  // namespace illhub::record
