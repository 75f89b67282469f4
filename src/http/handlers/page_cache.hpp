// Rendered JSON of anonymous thread pages, reused while the thread's version is unchanged.
// Thread-safe (sharded mutexes). Bounded in bytes: anonymous clients choose the keys (any cursor),
// so a full shard is emptied rather than allowed to grow.
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
  static constexpr size_t kShards = 16;
  explicit PageCache(size_t max_bytes = 64u << 20) : max_bytes_per_shard_(max_bytes / kShards) {}

  // The cached body for `key` if it was stored at `version`.
  std::shared_ptr<const std::string> Get(const std::string& key, uint64_t version);
  // Stores `body` as rendered when the thread was at `version` (read before rendering).
  void Put(const std::string& key, uint64_t version, std::shared_ptr<const std::string> body);
  // Bytes held (keys and bodies), for tests and metrics.
  size_t BytesHeld();

 private:
  struct Entry {
    uint64_t version;
    std::shared_ptr<const std::string> body;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
    size_t bytes = 0;
  };
  Shard& ShardFor(const std::string& key) { return shards_[std::hash<std::string>{}(key) % kShards]; }

  size_t max_bytes_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace tribune::http
