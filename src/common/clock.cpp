#include "common/clock.hpp"

#include <cstdio>
#include <ctime>

namespace tribune {

int64_t Clock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(Now().time_since_epoch()).count();
}

TimePoint FakeClock::Now() const { return TimePoint(std::chrono::microseconds(micros_.load())); }

std::string FormatRfc3339(int64_t micros) {
  int64_t secs = micros / 1'000'000;
  int64_t millis = (micros % 1'000'000) / 1000;
  if (micros < 0 && micros % 1'000'000 != 0) { secs -= 1; millis = (micros - secs * 1'000'000) / 1000; }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

std::string FormatRfc5322Date(int64_t micros_since_epoch) {
  const std::time_t t = static_cast<std::time_t>(micros_since_epoch / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace tribune
