// ClientSessionCache: a small mutex-protected map; eviction scans (at most a few hundred keys).
#include "tls/client_session_cache.h"

namespace kong::tls {

std::string ClientSessionCache::Find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::string() : it->second.session;
}

void ClientSessionCache::Store(const std::string& key, std::string session) {
  if (max_entries_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  entries_[key] = Entry{std::move(session), ++counter_};
  while (entries_.size() > max_entries_) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.stored_at < oldest->second.stored_at) oldest = it;
    }
    entries_.erase(oldest);
  }
}

void ClientSessionCache::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

size_t ClientSessionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace kong::tls
