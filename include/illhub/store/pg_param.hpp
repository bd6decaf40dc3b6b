#pragma once
// PgParam: one statement parameter, passed to PostgreSQL out of band (PQexecParams /
// PQexecPrepared), never spliced into SQL text. Text parameters go in text format, bytea in
// binary format so bytes (NULs included) travel verbatim. A PgParam refers to the caller's
// data: it must not outlive the string or bytes it was built from (integers are kept inside).

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace illhub::store {

/// Marks bytes to be sent as a binary bytea parameter.
struct Bytea {
  std::span<const std::uint8_t> bytes;
};

class PgParam {
 public:
  /// SQL NULL.
  PgParam(std::nullopt_t) {}  // NOLINT: implicit so that {std::nullopt, ...} reads naturally
  PgParam(std::string_view text) : is_null_(false), view_(text) {}  // NOLINT
  PgParam(const char* text) : PgParam(std::string_view(text)) {}    // NOLINT
  PgParam(const std::string& text) : PgParam(std::string_view(text)) {}  // NOLINT
  PgParam(std::optional<std::string_view> text)  // NOLINT
      : is_null_(!text), view_(text.value_or(std::string_view())) {}
  PgParam(const std::optional<std::string>& text)  // NOLINT
      : is_null_(!text), view_(text ? std::string_view(*text) : std::string_view()) {}
  PgParam(Bytea data)  // NOLINT
      : is_null_(false), binary_(true),
        view_(reinterpret_cast<const char*>(data.bytes.data()), data.bytes.size()) {}
  /// Integers and bool are written out as text; PostgreSQL casts them to the column's type.
  template <std::integral I>
  PgParam(I value)  // NOLINT
      : is_null_(false) {
    if constexpr (std::same_as<I, bool>) {
      view_ = value ? "true" : "false";
    } else {
      owned_ = std::to_string(value);
      uses_owned_ = true;
    }
  }

  bool is_null() const { return is_null_; }
  bool is_binary() const { return binary_; }
  /// The value's bytes (text, or raw bytes for bytea); empty for NULL.
  std::string_view value() const { return uses_owned_ ? std::string_view(owned_) : view_; }

 private:
  bool is_null_ = true;
  bool binary_ = false;
  bool uses_owned_ = false;  // the value lives in owned_ (copies stay valid), else in view_
  std::string owned_;        // integers written out as text
  std::string_view view_;    // the value, in the caller's storage
};

}  // namespace illhub::store
