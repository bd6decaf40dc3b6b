#pragma once
// Recordings of the hub's wire traffic (docs/RECORDING.md): every connection's opening and
// closing and every APDU in either direction, with its exact bytes, in one append-only file per
// illd run. JSON Lines: line 1 is the header, each further line one record, written with one
// write(2) so a crash leaves at most one torn line at the end, which the reader skips with a
// warning.
//
// This layer depends on nothing but the standard library, nlohmann-json and spdlog: the
// network layer writes recordings, illctl reads them (show, to-pcap, replay).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/util/result.hpp"

namespace illhub::record {

/// The format version written in the header; a reader refuses a larger one.
inline constexpr int kFormatVersion = 1;

enum class EventKind {
  kOpen,      // a connection opened (accepted by the hub, or dialled by it)
  kIn,        // one whole APDU the peer sent (as framed, before decoding)
  kOut,       // one whole APDU the hub sent (recorded as it is handed to the writer)
  kUnframed,  // bytes the peer sent that could not be framed (the hub then closed)
  kClose,     // the connection closed
};
std::string_view to_string(EventKind kind);

/// Who ended a connection (kClose).
enum class ClosedBy { kPeer, kHub };
std::string_view to_string(ClosedBy by);

struct Header {
  int version = kFormatVersion;
  /// When the recording started, UTC, microseconds since the Unix epoch. Record offsets count
  /// from here, so records of several files can be merged in time order.
  std::int64_t started_unix_us = 0;
  /// Which illd wrote it ("host/pid"), and the address it listened on, for people reading.
  std::string node;
  std::string listen;
};

struct Record {
  EventKind kind = EventKind::kIn;
  /// Microseconds since Header::started_unix_us (steady clock, never goes back).
  std::int64_t offset_us = 0;
  /// The hub's connection number, unique within one file.
  std::uint64_t connection = 0;
  /// The library symbol the connection speaks for at that moment; empty while unknown.
  std::string peer;
  /// kIn, kOut: one whole APDU; kUnframed: the bytes the framer refused.
  std::vector<std::uint8_t> bytes;
  // kOpen only:
  bool dialled = false;  // the hub dialled the peer (else the peer connected to the hub)
  bool tls = false;
  std::string remote;  // the peer's "address:port"
  std::string local;   // the hub's "address:port"
  // kClose only:
  ClosedBy closed_by = ClosedBy::kPeer;
  std::string reason;  // for people: "peer closed the connection", "idle timeout", ...
};

/// Writes one recording. Thread-safe. A failed write (disk full) is logged once and ends the
/// recording; the hub goes on serving (recording is for diagnosis, not for durability: the
/// database is the record).
class Recorder {
 public:
  /// Creates DIR (if missing) and a new file in it named illd-<UTC time>-<pid>.illrec,
  /// writing the header. Never reuses a file.
  static Result<std::unique_ptr<Recorder>, std::string> create(const std::filesystem::path& dir,
                                                               std::string node, std::string listen);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Each stamps the record with the current offset and appends it.
  void open(std::uint64_t connection, bool dialled, bool tls, std::string_view remote, std::string_view local,
            std::string_view peer);
  void apdu(std::uint64_t connection, EventKind in_or_out, std::string_view peer,
            const std::vector<std::uint8_t>& bytes);
  void unframed(std::uint64_t connection, std::string_view peer, const std::vector<std::uint8_t>& bytes);
  void close(std::uint64_t connection, std::string_view peer, ClosedBy by, std::string_view reason);

 private:
  Recorder(std::filesystem::path path, int fd, std::chrono::steady_clock::time_point start);
  void append(Record record);

  std::filesystem::path path_;
  std::mutex mutex_;
  int fd_ = -1;  // -1 once closed or after a failed write
  std::chrono::steady_clock::time_point start_;
};

struct Recording {
  Header header;
  std::vector<Record> records;
  /// Set when the last line was torn (no newline at the end, or not a whole record): it was
  /// skipped. Says where.
  std::optional<std::string> warning;
};

/// One line of a recording, as written (without the newline).
std::string header_line(const Header& header);
std::string record_line(const Record& record);

/// Parses a whole recording. A torn last line is skipped with Recording::warning; anything
/// else that is not a valid line is an error naming the line.
Result<Recording, std::string> parse_recording(std::string_view text);
/// Reads and parses a file.
Result<Recording, std::string> read_recording(const std::filesystem::path& path);

}  // namespace illhub::record
