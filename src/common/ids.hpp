// Comment ids: 64-bit, strictly increasing within a process, roughly time-ordered across restarts.
#pragma once

#include <atomic>
#include <cstdint>

#include "common/clock.hpp"

namespace tribune {

// id = (milliseconds since 2024-01-01 << 20) | (sequence << 6) | node. Thread-safe. Never returns an id
// lower than or equal to one it returned before, nor lower than `floor` given at construction
// (the highest id already stored), so a restart with a clock that went backwards stays monotonic.
// `node` (0..63, Database::NodeSlot) keeps the ids of several servers on one database apart.
class IdGenerator {
 public:
  static constexpr int kNodeBits = 6;
  explicit IdGenerator(const Clock& clock, int64_t floor = 0, int node = 0)
      : clock_(clock), last_(floor), node_(node & ((1 << kNodeBits) - 1)) {}
  int64_t Next();
  void RaiseFloor(int64_t floor);

 private:
  const Clock& clock_;
  std::atomic<int64_t> last_;
  const int64_t node_;
};

}  // namespace tribune
