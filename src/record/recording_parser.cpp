// The reading side of the format (docs/RECORDING.md). A recording is cut at the end by a crash
// at worst, so only the last line may be torn: it is skipped with a warning. A bad line anywhere
// else means the file was damaged or is not a recording, and that is an error.

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "illhub/record/base64.hpp"
#include "illhub/record/recording.hpp"

namespace illhub::record {
namespace {

using Json = nlohmann::json;
using LineResult = Result<Record, std::string>;

Result<std::string, std::string> string_field(const Json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end()) return unexpected(std::string("no \"") + key + "\"");
  if (!it->is_string()) return unexpected(std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

Result<bool, std::string> bool_field(const Json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end()) return unexpected(std::string("no \"") + key + "\"");
  if (!it->is_boolean()) return unexpected(std::string("\"") + key + "\" is not true or false");
  return it->get<bool>();
}

// A non-negative integer that fits in std::int64_t.
Result<std::int64_t, std::string> count_field(const Json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end()) return unexpected(std::string("no \"") + key + "\"");
  if (it->is_number_unsigned() && it->get<std::uint64_t>() <= INT64_MAX) {
    return static_cast<std::int64_t>(it->get<std::uint64_t>());
  }
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return it->get<std::int64_t>();
  return unexpected(std::string("\"") + key + "\" is not a non-negative integer");
}

Result<EventKind, std::string> event_kind(const std::string& name) {
  for (const EventKind kind :
       {EventKind::kOpen, EventKind::kIn, EventKind::kOut, EventKind::kUnframed, EventKind::kClose}) {
    if (to_string(kind) == name) return kind;
  }
  return unexpected("unknown event \"" + name + "\"");
}

#define ILLHUB_TAKE(var, expr)                           \
  auto var##_result = (expr);                            \
  if (!var##_result) return unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

LineResult parse_record(const Json& json) {
  Record record;
  ILLHUB_TAKE(t, count_field(json, "t"));
  ILLHUB_TAKE(conn, count_field(json, "conn"));
  ILLHUB_TAKE(event, string_field(json, "event"));
  ILLHUB_TAKE(kind, event_kind(event));
  ILLHUB_TAKE(peer, string_field(json, "peer"));
  record.offset_us = t;
  record.connection = static_cast<std::uint64_t>(conn);
  record.kind = kind;
  record.peer = std::move(peer);
  switch (kind) {
    case EventKind::kOpen: {
      ILLHUB_TAKE(dialled, bool_field(json, "dialled"));
      ILLHUB_TAKE(tls, bool_field(json, "tls"));
      ILLHUB_TAKE(remote, string_field(json, "remote"));
      ILLHUB_TAKE(local, string_field(json, "local"));
      record.dialled = dialled;
      record.tls = tls;
      record.remote = std::move(remote);
      record.local = std::move(local);
      break;
    }
    case EventKind::kIn:
    case EventKind::kOut:
    case EventKind::kUnframed: {
      ILLHUB_TAKE(ber, string_field(json, "ber"));
      ILLHUB_TAKE(bytes, base64_decode(ber));
      record.bytes = std::move(bytes);
      break;
    }
    case EventKind::kClose: {
      ILLHUB_TAKE(by, string_field(json, "by"));
      ILLHUB_TAKE(reason, string_field(json, "reason"));
      if (by == "peer") {
        record.closed_by = ClosedBy::kPeer;
      } else if (by == "hub") {
        record.closed_by = ClosedBy::kHub;
      } else {
        return unexpected("\"by\" is \"" + by + "\", not \"peer\" or \"hub\"");
      }
      record.reason = std::move(reason);
      break;
    }
  }
  return record;
}

Result<Header, std::string> parse_header(const Json& json) {
  const auto version = json.find("illhub-recording");
  if (version == json.end()) return unexpected(std::string("not a recording header (no \"illhub-recording\")"));
  if (!version->is_number_integer() || version->get<std::int64_t>() < 1) {
    return unexpected(std::string("\"illhub-recording\" is not a format version (a positive integer)"));
  }
  if (version->get<std::int64_t>() > kFormatVersion) {
    return unexpected("format version " + std::to_string(version->get<std::int64_t>()) +
                      " is newer than this reader understands (" + std::to_string(kFormatVersion) + ")");
  }
  Header header;
  header.version = static_cast<int>(version->get<std::int64_t>());
  ILLHUB_TAKE(started, count_field(json, "started_unix_us"));
  ILLHUB_TAKE(node, string_field(json, "node"));
  ILLHUB_TAKE(listen, string_field(json, "listen"));
  header.started_unix_us = started;
  header.node = std::move(node);
  header.listen = std::move(listen);
  return header;
}

#undef ILLHUB_TAKE

// Parses one line's JSON object, or says why it is not one.
Result<Json, std::string> parse_object(std::string_view line) {
  Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return unexpected(std::string("not valid JSON"));
  if (!json.is_object()) return unexpected(std::string("not a JSON object"));
  return json;
}

}  // namespace

Result<Recording, std::string> parse_recording(std::string_view text) {
  if (text.empty()) return unexpected(std::string("empty: not a recording (no header line)"));
  Recording recording;
  std::size_t start = 0;
  std::size_t line_number = 0;
  while (start < text.size()) {
    ++line_number;
    const std::size_t newline = text.find('\n', start);
    const bool whole = newline != std::string_view::npos;
    const std::string_view line = text.substr(start, whole ? newline - start : std::string_view::npos);
    const std::size_t line_start = start;
    start = whole ? newline + 1 : text.size();
    const bool last = start >= text.size();
    const std::string where = "line " + std::to_string(line_number);

    auto torn = [&](const std::string& why) {
      recording.warning = where + " (at byte " + std::to_string(line_start) + ", " + std::to_string(line.size()) +
                          " bytes) is torn (" + why + "): skipped; the recording is read up to it";
    };

    auto json = parse_object(line);
    if (line_number == 1) {
      if (!whole) return unexpected(where + ": the header line is torn (no newline): not a whole recording");
      if (!json) return unexpected(where + ": header " + json.error());
      auto header = parse_header(*json);
      if (!header) return unexpected(where + ": " + header.error());
      recording.header = std::move(*header);
      continue;
    }
    if (!whole) {  // only the last line can lack its newline
      torn("no newline at the end");
      break;
    }
    if (!json) {
      if (last) {
        torn(json.error());
        break;
      }
      return unexpected(where + ": " + json.error());
    }
    auto record = parse_record(*json);
    if (!record) {
      if (last) {
        torn(record.error());
        break;
      }
      return unexpected(where + ": " + record.error());
    }
    recording.records.push_back(std::move(*record));
  }
  return recording;
}

Result<Recording, std::string> read_recording(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return unexpected("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return unexpected("cannot read " + path.string());
  auto recording = parse_recording(text.str());
  if (!recording) return unexpected(path.string() + ": " + recording.error());
  return recording;
}

}  // namespace illhub::record
