#include "common/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <vector>

#include "common/clock.hpp"

namespace tribune {
namespace {

constexpr int64_t kEpochMillis = 1'704'067'200'000;  // 2024-01-01T00:00:00Z, as in ids.hpp
// FakeClock's default time (November 2023) predates the id epoch, so the tests use a later one.
constexpr int64_t kNowMicros = 1'800'000'000'000'000;

TEST(IdGenerator, FirstIdIsMillisecondsSince2024ShiftedBy20Bits) {
  FakeClock clock(1'800'000'000'123'456);
  IdGenerator ids(clock);
  EXPECT_EQ(ids.Next(), (1'800'000'000'123 - kEpochMillis) << 20);
}

TEST(IdGenerator, IsStrictlyIncreasingWhenTheClockDoesNotMove) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  int64_t last = ids.Next();
  for (int i = 0; i < 10'000; ++i) {
    const int64_t id = ids.Next();
    ASSERT_GT(id, last);
    last = id;
  }
}

TEST(IdGenerator, IsStrictlyIncreasingWhenTheClockGoesBackwards) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  const int64_t before = ids.Next();
  clock.Advance(-std::chrono::hours(1));
  const int64_t after = ids.Next();
  EXPECT_GT(after, before);
  EXPECT_GT(ids.Next(), after);
}

TEST(IdGenerator, FollowsTheClockWhenItMovesForward) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  const int64_t first = ids.Next();
  clock.Advance(std::chrono::milliseconds(5));
  EXPECT_EQ(ids.Next(), first + (int64_t{5} << 20));
}

TEST(IdGenerator, NeverReturnsAnIdAtOrBelowTheConstructionFloor) {
  FakeClock clock(kNowMicros);
  const int64_t floor = IdGenerator(clock).Next() + (int64_t{1000} << 20);  // as if stored by a faster clock
  IdGenerator ids(clock, floor);
  EXPECT_EQ(ids.Next(), floor + (1 << IdGenerator::kNodeBits));  // the next id of node 0
}

TEST(IdGenerator, RaiseFloorLiftsLaterIds) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  const int64_t first = ids.Next();
  const int64_t floor = first + (int64_t{1} << 30);
  ids.RaiseFloor(floor);
  EXPECT_EQ(ids.Next(), floor + (1 << IdGenerator::kNodeBits));
}

TEST(IdGenerator, ServersWithDifferentNodeSlotsNeverMakeTheSameId) {
  FakeClock clock(kNowMicros);
  IdGenerator a(clock, 0, 0), b(clock, 0, 1), c(clock, 0, 63);
  std::vector<int64_t> all;
  for (int i = 0; i < 1000; ++i) {
    for (IdGenerator* g : {&a, &b, &c}) all.push_back(g->Next());
    if (i % 100 == 0) clock.Advance(std::chrono::milliseconds(1));
  }
  const std::array<int64_t, 3> slots{0, 1, 63};
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i] & 63, slots[i % 3]);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  // A floor stored by another server (its slot in the low bits) is passed with this server's slot.
  IdGenerator d(clock, (int64_t{1} << 40) | 5, 7);
  const int64_t next = d.Next();
  EXPECT_GT(next, (int64_t{1} << 40) | 5);
  EXPECT_EQ(next & 63, 7);
}

TEST(IdGenerator, RaiseFloorNeverLowersIt) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  const int64_t first = ids.Next();
  ids.RaiseFloor(1);
  EXPECT_GT(ids.Next(), first);
}

TEST(IdGenerator, ConcurrentCallsFromFourThreadsYieldNoDuplicates) {
  FakeClock clock(kNowMicros);
  IdGenerator ids(clock);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50'000;
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      got[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        got[t].push_back(ids.Next());
        // Some movement of the clock, both ways, while the others are generating.
        if (t == 0 && i % 1000 == 0) clock.Advance(std::chrono::microseconds(i % 2000 == 0 ? 1500 : -3000));
      }
    });
  }
  for (auto& th : threads) th.join();

  std::vector<int64_t> all;
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));  // each thread sees its own ids increase
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  EXPECT_EQ(all.size(), size_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace tribune
