// The Recorder: appends one line per event to a file of its own (docs/RECORDING.md).
//
// Each line goes out with a single write(2) on an O_APPEND descriptor, so a crash of illd (even
// kill -9) leaves every earlier line whole and at most the last one torn. Nothing is buffered in
// the process, which is also why a crash loses no record that was already "written". A failed
// or short write (disk full, file system gone) ends the recording, logged once: recording is for
// diagnosis, the database is the hub's record, so the hub goes on serving.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "illhub/record/recording.hpp"

namespace illhub::record {
namespace {

/// "20260125T010203Z": the file name's time, UTC, sorts like the time itself.
std::string utc_stamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
  return text;
}

/// Writes all of LINE (with its newline) in one write(2). Returns the error text, empty on
/// success. EINTR before anything was written is retried; a short write is an error (the file
/// now ends in a torn line, which readers skip).
std::string write_line(int fd, const std::string& line) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const ssize_t written = ::write(fd, line.data(), line.size());
    if (written == static_cast<ssize_t>(line.size())) return {};
    if (written >= 0) {
      return "short write (" + std::to_string(written) + " of " + std::to_string(line.size()) + " bytes)";
    }
    if (errno != EINTR) return std::strerror(errno);
  }
  return "write interrupted 8 times in a row";
}

}  // namespace

Result<std::unique_ptr<Recorder>, std::string> Recorder::create(const std::filesystem::path& dir, std::string node,
                                                                 std::string listen) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unexpected("cannot create recording directory " + dir.string() + ": " + ec.message());

  const auto wall_start = std::chrono::system_clock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  const std::string base = "illd-" + utc_stamp(wall_start) + "-" + std::to_string(::getpid());

  // O_EXCL: never append to an existing file, even our own from a restart with the same pid in
  // the same second (or a second Recorder in one process); such a name gets "-2", "-3", ...
  constexpr int kMaxNames = 100;
  int fd = -1;
  std::filesystem::path path;
  for (int n = 1; n <= kMaxNames && fd < 0; ++n) {
    path = dir / (base + (n == 1 ? std::string() : "-" + std::to_string(n)) + ".illrec");
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) {
      return unexpected("cannot create recording file " + path.string() + ": " + std::strerror(errno));
    }
  }
  if (fd < 0) {
    return unexpected("cannot create a recording file in " + dir.string() + ": " + std::to_string(kMaxNames) +
                      " names starting " + base + " are taken");
  }

  Header header;
  header.started_unix_us =
      std::chrono::duration_cast<std::chrono::microseconds>(wall_start.time_since_epoch()).count();
  header.node = std::move(node);
  header.listen = std::move(listen);
  if (const std::string failed = write_line(fd, header_line(header) + '\n'); !failed.empty()) {
    ::close(fd);
    return unexpected("cannot write recording file " + path.string() + ": " + failed);
  }
  return std::unique_ptr<Recorder>(new Recorder(std::move(path), fd, steady_start));
}

Recorder::Recorder(std::filesystem::path path, int fd, std::chrono::steady_clock::time_point start)
    : path_(std::move(path)), fd_(fd), start_(start) {}

Recorder::~Recorder() {
  if (fd_ >= 0) ::close(fd_);
}

void Recorder::open(std::uint64_t connection, bool dialled, bool tls, std::string_view remote, std::string_view local,
                    std::string_view peer) {
  Record record;
  record.kind = EventKind::kOpen;
  record.connection = connection;
  record.peer = peer;
  record.dialled = dialled;
  record.tls = tls;
  record.remote = remote;
  record.local = local;
  append(std::move(record));
}

void Recorder::apdu(std::uint64_t connection, EventKind in_or_out, std::string_view peer,
                    const std::vector<std::uint8_t>& bytes) {
  Record record;
  record.kind = in_or_out == EventKind::kOut ? EventKind::kOut : EventKind::kIn;
  record.connection = connection;
  record.peer = peer;
  record.bytes = bytes;
  append(std::move(record));
}

void Recorder::unframed(std::uint64_t connection, std::string_view peer, const std::vector<std::uint8_t>& bytes) {
  Record record;
  record.kind = EventKind::kUnframed;
  record.connection = connection;
  record.peer = peer;
  record.bytes = bytes;
  append(std::move(record));
}

void Recorder::close(std::uint64_t connection, std::string_view peer, ClosedBy by, std::string_view reason) {
  Record record;
  record.kind = EventKind::kClose;
  record.connection = connection;
  record.peer = peer;
  record.closed_by = by;
  record.reason = reason;
  append(std::move(record));
}

void Recorder::append(Record record) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return;  // stopped after a failed write
  // Stamped under the lock, so the offsets in the file never decrease even with several threads.
  record.offset_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_).count();
  if (const std::string failed = write_line(fd_, record_line(record) + '\n'); !failed.empty()) {
    spdlog::error("recording to {} stopped: {}; the hub goes on without recording", path_.string(), failed);
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace illhub::record
