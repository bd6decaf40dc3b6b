#include "app/illctl/cursor_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace illhub::app {
namespace {

constexpr std::size_t kRecordSize = 42;  // 20 digits, space, 20 digits, newline

}  // namespace

Result<CursorFile, std::string> CursorFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return unexpected("cannot open cursor file " + path + ": " + std::strerror(errno));
  return CursorFile(path, fd);
}

CursorFile::~CursorFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::optional<LogPosition>, std::string> CursorFile::read() const {
  char buf[128];
  const ssize_t n = ::pread(fd_, buf, sizeof buf, 0);
  if (n < 0) return unexpected("cannot read cursor file " + path_ + ": " + std::strerror(errno));
  if (n == 0) return std::optional<LogPosition>();
  const char* p = buf;
  const char* end = buf + n;
  auto skip_spaces = [&] { while (p < end && *p == ' ') ++p; };
  LogPosition pos;
  skip_spaces();
  auto a = std::from_chars(p, end, pos.xid);
  p = a.ptr;
  skip_spaces();
  auto b = std::from_chars(p, end, pos.id);
  p = b.ptr;
  if (a.ec != std::errc() || b.ec != std::errc() || p >= end || *p != '\n' || pos.id < 0)
    return unexpected("cursor file " + path_ + " does not hold a position (\"XID ID\"); "
                      "remove it to start afresh");
  return std::optional<LogPosition>(pos);
}

Result<Ok, std::string> CursorFile::write(const LogPosition& pos) {
  char buf[kRecordSize + 1];
  std::snprintf(buf, sizeof buf, "%20llu %20lld\n", static_cast<unsigned long long>(pos.xid),
                static_cast<long long>(pos.id));
  // Same size every time: the one write replaces the old record whole.
  if (::pwrite(fd_, buf, kRecordSize, 0) != static_cast<ssize_t>(kRecordSize))
    return unexpected("cannot write cursor file " + path_ + ": " + std::strerror(errno));
  return Ok{};
}

}  // namespace illhub::app
