// SessionRegistry: open connections by id and by the peer they speak for.
#include "illhub/net/session_registry.hpp"

#include <algorithm>

namespace illhub::net {

void SessionRegistry::add(const std::shared_ptr<Session>& session) { all_[session->id()] = session; }

void SessionRegistry::bind(const std::shared_ptr<Session>& session) {
  if (session->peer().empty()) return;
  all_[session->id()] = session;
  by_peer_[session->peer()].push_back(session);
  std::lock_guard lock(bound_mutex_);
  bound_.insert(session->peer());
}

void SessionRegistry::remove(const std::shared_ptr<Session>& session) {
  all_.erase(session->id());
  auto it = by_peer_.find(session->peer());
  if (it == by_peer_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](const std::weak_ptr<Session>& w) {
    auto s = w.lock();
    return !s || s == session;
  });
  if (list.empty()) {
    std::lock_guard lock(bound_mutex_);
    bound_.erase(it->first);
    by_peer_.erase(it);
  }
}

bool SessionRegistry::connected_here(const std::string& symbol) const {
  std::lock_guard lock(bound_mutex_);
  return bound_.contains(symbol);
}

std::shared_ptr<Session> SessionRegistry::find(const std::string& symbol) const {
  auto it = by_peer_.find(symbol);
  if (it == by_peer_.end()) return nullptr;
  // The newest connection first: a peer that reconnected is reached on its new connection.
  for (auto w = it->second.rbegin(); w != it->second.rend(); ++w)
    if (auto s = w->lock(); s && !s->closed()) return s;
  return nullptr;
}

std::size_t SessionRegistry::count(const std::string& symbol) const {
  auto it = by_peer_.find(symbol);
  if (it == by_peer_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(it->second.begin(), it->second.end(), [](const std::weak_ptr<Session>& w) {
    auto s = w.lock();
    return s && !s->closed();
  }));
}

std::vector<std::shared_ptr<Session>> SessionRegistry::all() const {
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [id, w] : all_)
    if (auto s = w.lock()) out.push_back(s);
  return out;
}

}  // namespace illhub::net
