#pragma once
// Small helpers shared by everything that talks to libpq directly (PgConnection, the LISTEN
// connection): libpq's messages end in a newline, and its default notice processor prints to
// stderr, which illhub never wants (notices are not errors, and the log is spdlog's).

#include <string>

namespace illhub::store {

/// libpq's message (PQerrorMessage, PQresultErrorMessage) without its trailing newline and spaces.
inline std::string trimmed_libpq_message(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// A notice processor (PQsetNoticeProcessor) that drops notices.
inline void ignore_libpq_notice(void*, const char*) {}

}  // namespace illhub::store
