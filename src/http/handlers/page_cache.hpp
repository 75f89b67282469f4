// Rendered JSON of anonymous thread pages, reused while the thread's version is unchanged.
// Thread-safe (sharded mutexes); bounded (a full shard is emptied).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tribune::http {

class PageCache {
 public:
  explicit PageCache(size_t max_entries_per_shard = 1024) : max_per_shard_(max_entries_per_shard) {}

  // The cached body for `key` if it was stored at `version`.
  std::shared_ptr<const std::string> Get(const std::string& key, uint64_t version);
  // Stores `body` as rendered when the thread was at `version` (read before rendering).
  void Put(const std::string& key, uint64_t version, std::shared_ptr<const std::string> body);

 private:
  struct Entry {
    uint64_t version;
    std::shared_ptr<const std::string> body;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
  };
  Shard& ShardFor(const std::string& key) { return shards_[std::hash<std::string>{}(key) % shards_.size()]; }

  size_t max_per_shard_;
  std::array<Shard, 16> shards_;
};

}  // namespace tribune::http
