#include "common/ids.hpp"

namespace tribune {

namespace {
constexpr int64_t kEpochMillis = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
}

int64_t IdGenerator::Next() {
  const int64_t candidate = ((clock_.NowMicros() / 1000 - kEpochMillis) << 20) | node_;
  int64_t last = last_.load(std::memory_order_relaxed);
  for (;;) {
    // Past `last`, the next id that carries this node's number.
    const int64_t next = candidate > last ? candidate : (((last >> kNodeBits) + 1) << kNodeBits) | node_;
    if (last_.compare_exchange_weak(last, next, std::memory_order_relaxed)) return next;
  }
}

void IdGenerator::RaiseFloor(int64_t floor) {
  int64_t last = last_.load();
  while (floor > last && !last_.compare_exchange_weak(last, floor)) {
  }
}

}  // namespace tribune
