// RetryDelay: exponential backoff with a cap and multiplicative jitter.
#include <algorithm>
#include <cmath>

#include "mail/mail.hpp"

namespace tribune::mail {

std::chrono::microseconds RetryDelay(const RetryOptions& options, int attempt, double unit) {
  double base = std::chrono::duration<double, std::micro>(options.base_delay).count();
  double cap = std::chrono::duration<double, std::micro>(options.max_delay).count();
  int exponent = std::clamp(attempt - 2, 0, 62);
  double delay = std::min(base * std::ldexp(1.0, exponent), cap);
  double j = std::clamp(options.jitter, 0.0, 1.0);
  unit = std::clamp(unit, 0.0, 1.0);
  delay *= 1.0 - j + 2.0 * j * unit;
  // Never zero: a mail retried "now" would be claimed again in the same round.
  return std::chrono::microseconds(std::max<int64_t>(1, static_cast<int64_t>(delay)));
}

}  // namespace tribune::mail
