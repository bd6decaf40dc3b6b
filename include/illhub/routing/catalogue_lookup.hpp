#pragma once
// The live holdings look-up (issue #9): does a library's own catalogue hold the requested
// item? One blocking call over YAZ's ZOOM C API (libyaz) against the library's Z39.50 or SRU
// server. libyaz is otherwise a tests-only dependency of illhub; here it is production code
// because the issue asks for a live Z39.50/SRU look-up and YAZ is the Debian-packaged client.
//
// Blocking: never call holds() on illd's io_context threads. CatalogueService
// (catalogue_service.hpp) runs it on its own bounded pool, with a cache in front.

#include <chrono>
#include <cstdint>
#include <string>

#include "illhub/routing/catalogue_target.hpp"
#include "illhub/routing/holdings_query.hpp"

namespace illhub::routing {

enum class LookupStatus {
  kFound,     // a search gave at least one record
  kNotFound,  // every search ran and gave none
  kError,     // the answer is unknown: see LookupError
};

enum class LookupError {
  kNone,
  /// Nothing to search: no well-formed ISBN or ISSN and no title.
  kNothingToSearch,
  /// TCP connect failed (refused, unreachable, name not resolved): ZOOM error 10000.
  kConnectFailed,
  /// No answer within LookupOptions::timeout at some step (connect, init or search).
  kTimeout,
  /// The server answered with a diagnostic (Bib-1, SRU or HTTP), e.g. 109 database unavailable.
  kDiagnostic,
  /// Any other client-side failure reported by ZOOM (protocol, decoding, init refused).
  kProtocol,
  /// CatalogueService's queue was full: the look-up was not attempted.
  kOverloaded,
};

const char* to_string(LookupStatus status);
const char* to_string(LookupError error);

struct LookupOutcome {
  LookupStatus status = LookupStatus::kError;
  LookupError error = LookupError::kNone;
  std::string matched_by;   // found: "isbn", "issn" or "title/author"
  std::int64_t hits = 0;    // found: the server's hit count for that search
  /// For people (logs, `illctl catalogue probe`, the rota's reason): e.g.
  /// "holds isbn 9780131103627 (18 records)", "not found by isbn 0000000000",
  /// "timeout after 2 s (init)", "diagnostic Bib-1 109: Database unavailable (Nope)".
  std::string reason;
  bool from_cache = false;  // set by CatalogueService when the cache answered

  bool found() const { return status == LookupStatus::kFound; }
};

struct LookupOptions {
  /// ZOOM's "timeout": how long each step (connect, init, each search) may wait for the server.
  /// Whole seconds (ZOOM's unit), at least 1. Before each further search the whole look-up's
  /// elapsed time is checked too, so a look-up ends within about twice this.
  std::chrono::seconds timeout{5};
  /// Search the title (and author) when identifiers gave no hit; see plan_searches().
  bool title_fallback = true;
};

/// Asks `target` whether it holds the item: one connection, the planned searches in order until
/// one gives a hit, then closed. Blocks for up to about 2 x options.timeout. Thread-safe: each
/// call owns its ZOOM connection. Never throws; every failure is a kError outcome with a reason.
LookupOutcome holds(const CatalogueTarget& target, const HoldingsQuery& query,
                    const LookupOptions& options = {});

}  // namespace illhub::routing
