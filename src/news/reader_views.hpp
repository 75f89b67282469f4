// Views counted once per reader: a reader is one (client address, User-Agent) pair, counted at most once per
// article per UTC day, without storing anything personal.
//
// Method: for each page view, a keyed BLAKE2b hash (libsodium crypto_generichash, 8 bytes) of
// address + "\0" + User-Agent + "\0" + article id, keyed with a 32-byte random salt. The salt is made at the first
// view of each UTC day and lives only in this object's memory (never written, never logged), so yesterday's hashes
// cannot be linked to today's, and nothing on disk can be tied back to an address. The day's hashes sit in a set
// bounded by `max_readers`; when it is full, further new readers are still counted but no longer remembered (a
// reader who comes back after that point is counted again until the next day): the count may run slightly high
// on an extreme day, never low, and memory stays bounded (≈ 40 bytes per remembered reader).
// Obvious robots (an empty User-Agent, or one containing "bot", "crawler" or "spider") are not counted.
// Each server dedupes its own readers: a reader whose views land on two servers may be counted once per server.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "common/clock.hpp"

namespace tribune::news {

class ReaderViews {
 public:
  explicit ReaderViews(const Clock& clock, size_t max_readers = 1'000'000);

  // Whether this view is the reader's first of `article_id` today (and so should be counted). Thread-safe.
  bool FirstToday(std::string_view client_address, std::string_view user_agent, int64_t article_id);

  // Whether a User-Agent looks like a robot's (empty, or contains bot/crawler/spider, case-insensitive).
  static bool IsRobot(std::string_view user_agent);

  size_t remembered() const;

 private:
  const Clock& clock_;
  const size_t max_readers_;
  mutable std::mutex mu_;
  int64_t day_ = -1;
  std::array<unsigned char, 32> salt_{};
  std::unordered_set<uint64_t> seen_;
};

}  // namespace tribune::news
