// PgResult: PQclear on every path; text-format accessors.
#include "illhub/store/pg_result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

namespace illhub::store {

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return result_ ? PQntuples(result_) : 0; }
int PgResult::columns() const { return result_ ? PQnfields(result_) : 0; }

std::int64_t PgResult::affected_rows() const {
  if (!result_) return 0;
  const std::string_view text = PQcmdTuples(result_);
  std::int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

std::string_view PgResult::command_status() const {
  return result_ ? std::string_view(PQcmdStatus(result_)) : std::string_view();
}

int PgResult::column(const char* name) const { return result_ ? PQfnumber(result_, name) : -1; }

bool PgResult::is_null(int row, int col) const {
  return !result_ || PQgetisnull(result_, row, col) != 0;
}

std::string_view PgResult::get(int row, int col) const {
  if (is_null(row, col)) return {};
  return {PQgetvalue(result_, row, col), static_cast<std::size_t>(PQgetlength(result_, row, col))};
}

std::optional<std::string> PgResult::get_optional(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return std::string(get(row, col));
}

std::optional<std::int64_t> PgResult::get_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  const std::string_view text = get(row, col);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

std::vector<std::uint8_t> PgResult::get_bytea(int row, int col) const {
  if (is_null(row, col)) return {};
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, col)), &length);
  if (!raw) return {};
  std::vector<std::uint8_t> bytes(raw, raw + length);
  PQfreemem(raw);
  return bytes;
}

}  // namespace illhub::store
