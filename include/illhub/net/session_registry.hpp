#pragma once
// SessionRegistry: the open connections of this node, and which peer each speaks for, so that
// delivery can use a recipient's own connection. Touched only on the io_context's thread,
// except connected_here(), which the database threads ask too.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "illhub/net/session.hpp"

namespace illhub::net {

class SessionRegistry {
 public:
  void add(const std::shared_ptr<Session>& session);
  /// Records that `session` now speaks for its peer().
  void bind(const std::shared_ptr<Session>& session);
  void remove(const std::shared_ptr<Session>& session);

  /// The newest open connection speaking for `symbol`, or null.
  std::shared_ptr<Session> find(const std::string& symbol) const;
  /// Open connections speaking for `symbol` (for limits.max_connections_per_peer).
  std::size_t count(const std::string& symbol) const;
  std::size_t size() const { return all_.size(); }
  /// Whether some connection bound to `symbol` is registered (perhaps closing already): the
  /// hint TransactionStore uses to birth-claim outbox rows. Thread-safe.
  bool connected_here(const std::string& symbol) const;
  /// Every open session (for shutdown).
  std::vector<std::shared_ptr<Session>> all() const;

 private:
  std::map<std::uint64_t, std::weak_ptr<Session>> all_;
  std::map<std::string, std::vector<std::weak_ptr<Session>>> by_peer_;
  mutable std::mutex bound_mutex_;
  std::set<std::string> bound_;  // the keys of by_peer_, for connected_here()
};

}  // namespace illhub::net
