#pragma once
// PgResult: owns one PGresult and frees it on every path. Values come back in libpq's text
// format; bytea columns are decoded from PostgreSQL's hex output by get_bytea().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "illhub/util/result.hpp"

struct pg_result;  // libpq's PGresult, kept out of this header

namespace illhub::store {

class PgResult {
 public:
  PgResult() = default;
  /// Takes ownership of `result` (may be null: an empty result).
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  int columns() const;
  /// Rows changed by INSERT/UPDATE/DELETE (PQcmdTuples), 0 when not applicable.
  std::int64_t affected_rows() const;
  /// The command tag, e.g. "INSERT 0 1", "COMMIT", "ROLLBACK".
  std::string_view command_status() const;
  /// Column number for a name, or -1.
  int column(const char* name) const;

  bool is_null(int row, int col) const;
  /// The text value; empty for NULL. Valid while this PgResult lives.
  std::string_view get(int row, int col) const;
  std::optional<std::string> get_optional(int row, int col) const;
  /// The value as an integer; nothing for NULL or text that is not one.
  std::optional<std::int64_t> get_int64(int row, int col) const;
  /// A bytea column (hex text format) as bytes; empty for NULL.
  std::vector<std::uint8_t> get_bytea(int row, int col) const;

  pg_result* native() const { return result_; }

 private:
  pg_result* result_ = nullptr;
};

}  // namespace illhub::store
