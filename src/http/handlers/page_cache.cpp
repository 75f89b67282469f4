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
  const size_t size = key.size() + body->size();
  if (size > max_bytes_per_shard_) return;
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.map.find(key); it != shard.map.end()) {
    shard.bytes -= key.size() + it->second.body->size();
    shard.map.erase(it);
  }
  if (shard.bytes + size > max_bytes_per_shard_) {
    shard.map.clear();
    shard.bytes = 0;
  }
  shard.map.emplace(key, Entry{version, std::move(body)});
  shard.bytes += size;
}

size_t PageCache::BytesHeld() {
  size_t total = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace tribune::http
