#include "http/handlers/page_cache.hpp"

namespace tribune::http {

std::shared_ptr<const std::string> PageCache::Get(const std::string& key, uint64_t version) {
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end() || it->second.version != version) return nullptr;
  return it->second.body;
}

void PageCache::Put(const std::string& key, uint64_t version, std::shared_ptr<const std::string> body) {
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  if (shard.map.size() >= max_per_shard_ && !shard.map.count(key)) shard.map.clear();
  shard.map[key] = Entry{version, std::move(body)};
}

}  // namespace tribune::http
