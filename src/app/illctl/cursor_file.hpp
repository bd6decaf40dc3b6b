#pragma once
// `illctl tail --cursor-file F`: where the last tail stopped, so the next one goes on from
// there. One line, "XID ID", the LogPosition after the last event printed (or skipped by the
// filter). Rewritten in place, fixed width, with one write() per update after the event's
// line has been flushed to stdout: a tail killed at any moment loses nothing, and repeats
// at most the one event it was printing when it died.

#include <optional>
#include <string>

#include "app/illctl/commit_order_reader.hpp"
#include "illhub/util/result.hpp"

namespace illhub::app {

class CursorFile {
 public:
  /// Opens (creating it if need be) the cursor file. Errors: a message naming the file.
  static Result<CursorFile, std::string> open(const std::string& path);
  CursorFile(CursorFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }
  CursorFile& operator=(CursorFile&&) = delete;
  CursorFile(const CursorFile&) = delete;
  CursorFile& operator=(const CursorFile&) = delete;
  ~CursorFile();

  /// The position recorded, nothing when the file is new (empty). Errors: a message when it
  /// holds anything but a position.
  Result<std::optional<LogPosition>, std::string> read() const;
  /// Records `pos`. Errors: a message naming the file.
  Result<Ok, std::string> write(const LogPosition& pos);

 private:
  CursorFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace illhub::app
