#include "app/illctl/record_listing.hpp"

#include <cstdio>
#include <ctime>

#include "app/illctl/apdu_summary.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::app {
namespace {

using record::EventKind;

std::string seconds(std::int64_t us) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%4lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  return buf;
}

std::string utc(std::int64_t unix_us) {
  const std::time_t secs = static_cast<std::time_t>(unix_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(unix_us % 1000000));
  return buf;
}

// The first bytes of refused input in hex, for a person to recognise them.
std::string hex_start(const std::vector<std::uint8_t>& bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < 16; ++i) {
    if (i > 0) out += ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
  }
  if (bytes.size() > 16) out += " ...";
  return out;
}

std::string apdu_text(const std::vector<std::uint8_t>& bytes) {
  auto apdu = codec::decode(bytes);
  const std::string size = std::to_string(bytes.size()) + " bytes";
  if (!apdu) {
    const auto& err = apdu.error();
    return "APDU that does not decode (" + std::string(codec::to_string(codec::general_problem(err))) + ": " +
           err.detail + ")  " + size;
  }
  return std::string(codec::to_string(apdu->kind())) + "  " + transaction_label(*apdu) + "  " + size;
}

}  // namespace

std::string recording_heading(const std::string& file, const record::Header& header) {
  return "# " + file + ": illd " + (header.node.empty() ? "?" : header.node) + " listening on " +
         (header.listen.empty() ? "?" : header.listen) + ", started " + utc(header.started_unix_us);
}

std::string record_listing_line(const record::Record& r) {
  // Direction: who sent the bytes; for open, who dialled; for close, who ended it.
  bool from_hub = false;
  std::string what;
  switch (r.kind) {
    case EventKind::kOpen:
      from_hub = r.dialled;
      what = std::string("open") + (r.tls ? " (TLS)" : "") + "  " + (r.dialled ? "hub dialled " : "peer connected from ") +
             r.remote + (r.dialled ? " from " : " to ") + r.local;
      break;
    case EventKind::kIn:
      what = apdu_text(r.bytes);
      break;
    case EventKind::kOut:
      from_hub = true;
      what = apdu_text(r.bytes);
      break;
    case EventKind::kUnframed:
      what = "unframed bytes  " + std::to_string(r.bytes.size()) + " bytes: " + hex_start(r.bytes);
      break;
    case EventKind::kClose:
      from_hub = r.closed_by == record::ClosedBy::kHub;
      what = std::string("close by ") + std::string(record::to_string(r.closed_by)) +
             (r.reason.empty() ? "" : ": " + r.reason);
      break;
  }
  return seconds(r.offset_us) + "  conn " + std::to_string(r.connection) + "  " + (from_hub ? "hub->" : "->hub") +
         "  " + (r.peer.empty() ? "-" : r.peer) + "  " + what;
}

}  // namespace illhub::app
