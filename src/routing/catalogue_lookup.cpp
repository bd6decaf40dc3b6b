// holds(): one live look-up over YAZ's ZOOM C API, in ZOOM's blocking mode (the caller gives it
// a thread of its own; see CatalogueService). ZOOM's own timeout bounds each step.
#include "illhub/routing/catalogue_lookup.hpp"

#include <yaz/zoom.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

namespace illhub::routing {
namespace {

// ZOOM handles freed on every path.
struct OptionsFree { void operator()(ZOOM_options o) const { ZOOM_options_destroy(o); } };
struct ConnectionFree { void operator()(ZOOM_connection c) const { ZOOM_connection_destroy(c); } };
struct QueryFree { void operator()(ZOOM_query q) const { ZOOM_query_destroy(q); } };
struct ResultFree { void operator()(ZOOM_resultset r) const { ZOOM_resultset_destroy(r); } };
using OptionsPtr = std::unique_ptr<std::remove_pointer_t<ZOOM_options>, OptionsFree>;
using ConnectionPtr = std::unique_ptr<std::remove_pointer_t<ZOOM_connection>, ConnectionFree>;
using QueryPtr = std::unique_ptr<std::remove_pointer_t<ZOOM_query>, QueryFree>;
using ResultPtr = std::unique_ptr<std::remove_pointer_t<ZOOM_resultset>, ResultFree>;

LookupOutcome failure(LookupError error, std::string reason) {
  LookupOutcome outcome;
  outcome.status = LookupStatus::kError;
  outcome.error = error;
  outcome.reason = std::move(reason);
  return outcome;
}

// The connection's pending error as an outcome, or nothing. `step` says what was under way.
// ZOOM reports a Z39.50 connect that timed out at connect time and then lets a search "succeed"
// with 0 hits: callers check after every step.
std::optional<LookupOutcome> error_of(ZOOM_connection connection, const CatalogueTarget& target,
                                      const LookupOptions& options, std::string_view step) {
  const char* message = nullptr;
  const char* addinfo = nullptr;
  const char* diagset = nullptr;
  int code = ZOOM_connection_error_x(connection, &message, &addinfo, &diagset);
  if (code == ZOOM_ERROR_NONE) return std::nullopt;
  std::string detail = message ? message : "unknown error";
  if (addinfo && *addinfo) detail += std::string(" (") + addinfo + ")";
  std::string set = diagset ? diagset : "";
  if (code == ZOOM_ERROR_CONNECT) {
    return failure(LookupError::kConnectFailed,
                   "connect failed to " + target.host + ":" + std::to_string(target.port) +
                       " (refused, unreachable or unknown host)");
  }
  if (code == ZOOM_ERROR_TIMEOUT) {
    return failure(LookupError::kTimeout, "timeout after " + std::to_string(options.timeout.count()) +
                                              " s (" + std::string(step) + ")");
  }
  if (!set.empty() && set != "ZOOM") {
    return failure(LookupError::kDiagnostic,
                   "diagnostic " + set + " " + std::to_string(code) + ": " + detail);
  }
  return failure(LookupError::kProtocol,
                 "ZOOM error " + std::to_string(code) + " (" + std::string(step) + "): " + detail);
}

}  // namespace

const char* to_string(LookupStatus status) {
  switch (status) {
    case LookupStatus::kFound: return "found";
    case LookupStatus::kNotFound: return "not-found";
    case LookupStatus::kError: return "error";
  }
  return "?";
}

const char* to_string(LookupError error) {
  switch (error) {
    case LookupError::kNone: return "none";
    case LookupError::kNothingToSearch: return "nothing-to-search";
    case LookupError::kConnectFailed: return "connect-failed";
    case LookupError::kTimeout: return "timeout";
    case LookupError::kDiagnostic: return "diagnostic";
    case LookupError::kProtocol: return "protocol";
    case LookupError::kOverloaded: return "overloaded";
  }
  return "?";
}

LookupOutcome holds(const CatalogueTarget& target, const HoldingsQuery& query,
                    const LookupOptions& options) {
  const auto searches = plan_searches(query, options.title_fallback);
  if (searches.empty()) {
    return failure(LookupError::kNothingToSearch, "nothing to search: no well-formed ISBN or ISSN and no title");
  }
  const auto timeout = std::max<std::chrono::seconds::rep>(1, options.timeout.count());
  const auto started = std::chrono::steady_clock::now();

  OptionsPtr zoom_options(ZOOM_options_create());
  ZOOM_options_set_int(zoom_options.get(), "timeout", static_cast<int>(timeout));
  ZOOM_options_set(zoom_options.get(), "implementationName", "illhub");
  ZOOM_options_set(zoom_options.get(), "count", "0");  // the hit count is all we need: no records
  if (target.protocol == CatalogueProtocol::kSru) {
    ZOOM_options_set(zoom_options.get(), "sru", "get");
    ZOOM_options_set(zoom_options.get(), "sru_version", "1.2");
  }
  ConnectionPtr connection(ZOOM_connection_create(zoom_options.get()));
  const std::string address = target.zoom_address();
  ZOOM_connection_connect(connection.get(), address.c_str(), 0);
  // Z39.50 connects and sends its Init here; SRU only connects at its first search.
  if (auto error = error_of(connection.get(), target, options, "connect/init")) return *error;

  LookupOutcome outcome;
  outcome.status = LookupStatus::kNotFound;
  for (std::size_t i = 0; i < searches.size(); ++i) {
    const auto& search = searches[i];
    if (i > 0 && std::chrono::steady_clock::now() - started >= std::chrono::seconds(timeout)) {
      return failure(LookupError::kTimeout, "timeout: the look-up took over " + std::to_string(timeout) +
                                                " s before the search by " + search.matched_by);
    }
    QueryPtr zoom_query(ZOOM_query_create());
    int bad_query = target.protocol == CatalogueProtocol::kSru
                        ? ZOOM_query_cql(zoom_query.get(), search.cql.c_str())
                        : ZOOM_query_prefix(zoom_query.get(), search.pqf.c_str());
    if (bad_query != 0) {  // our own query text: a bug, but reported, not asserted on peer data
      return failure(LookupError::kProtocol, "could not build the query for " + search.matched_by);
    }
    ResultPtr result(ZOOM_connection_search(connection.get(), zoom_query.get()));
    if (auto error = error_of(connection.get(), target, options, "search by " + search.matched_by)) {
      return *error;
    }
    const auto hits = static_cast<std::int64_t>(ZOOM_resultset_size(result.get()));
    if (hits > 0) {
      outcome.status = LookupStatus::kFound;
      outcome.matched_by = search.matched_by;
      outcome.hits = hits;
      outcome.reason = "holds " + search.matched_by + " " + search.term + " (" + std::to_string(hits) +
                       (hits == 1 ? " record)" : " records)");
      return outcome;
    }
    outcome.reason += (outcome.reason.empty() ? "not found by " : ", nor by ") + search.matched_by + " " +
                      search.term;
  }
  return outcome;
}

}  // namespace illhub::routing
