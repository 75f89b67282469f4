// Time is injected: services take a Clock&, tests move a FakeClock instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace tribune {

using TimePoint = std::chrono::system_clock::time_point;

// Thread-safe source of wall-clock time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Microseconds since the Unix epoch; what the database stores.
  int64_t NowMicros() const;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// The system clock plus an offset that only grows: what the server runs on, so that acceptance tests
// (config testing.clock_control) can move a running server into the future. Thread-safe.
class AdjustableClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::system_clock::now() + std::chrono::microseconds(offset_micros_.load());
  }
  void Advance(std::chrono::microseconds d) {
    if (d.count() > 0) offset_micros_ += d.count();
  }

 private:
  std::atomic<int64_t> offset_micros_{0};
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  // Starts at 2026-01-01T00:00:00Z, after the id epoch.
  explicit FakeClock(int64_t micros = 1'767'225'600'000'000) : micros_(micros) {}
  TimePoint Now() const override;
  void Advance(std::chrono::microseconds d) { micros_ += d.count(); }
  void Set(int64_t micros) { micros_ = micros; }

 private:
  std::atomic<int64_t> micros_;
};

// RFC 3339 UTC with microseconds trimmed to milliseconds: "2026-11-30T12:00:00.123Z".
std::string FormatRfc3339(int64_t micros_since_epoch);

// RFC 5322 (mail Date, RSS pubDate — RFC 822's form with a four-digit year), UTC: "Tue, 01 Dec 2026 07:40:00 +0000".
std::string FormatRfc5322Date(int64_t micros_since_epoch);

}  // namespace tribune
