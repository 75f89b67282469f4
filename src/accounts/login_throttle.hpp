// Failed-login accounting: per account (keyed by the normalised e-mail, so unknown addresses count the
// same as known ones) and per client address, in a sliding window. Thread-safe, in memory; several
// servers behind one database each keep their own (the per-node limit then multiplies by the nodes).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"

namespace tribune::accounts {

struct ThrottleOptions {
  int64_t window_seconds = 15 * 60;
  int captcha_after = 3;        // failures of one account after which its logins need a captcha
  int account_failures = 10;    // failures of one account that lock its logins for the window
  int address_failures = 50;    // failures from one address that lock its logins for the window
};

struct ThrottleVerdict {
  bool locked = false;          // refuse with 429
  int64_t retry_after_seconds = 0;
  bool captcha_required = false;
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottleOptions options) : clock_(clock), options_(options) {}

  ThrottleVerdict Check(const std::string& account_key, const std::string& address);
  // Check and, when not locked, count the attempt as a failure at once — under one lock, so attempts in flight
  // together cannot overshoot the limits. `began` names the attempt for Cancel and Succeeded.
  struct Admission {
    ThrottleVerdict verdict;
    bool admitted = false;
    int64_t began = 0;
  };
  Admission Admit(const std::string& account_key, const std::string& address);
  // The admitted attempt never got to the password (a captcha was missing or wrong): it does not count.
  void Cancel(const std::string& account_key, const std::string& address, int64_t began);
  // The attempt begun at `began` succeeded: the account's failures are cleared and the address forgets it.
  void Succeeded(const std::string& account_key, const std::string& address, int64_t began);

 private:
  using Times = std::deque<int64_t>;
  void Prune(Times& times, int64_t now) const;
  ThrottleVerdict CheckLocked(const std::string& account_key, const std::string& address, int64_t now);
  static void EraseOne(Times& times, int64_t began);
  void MaybeSweep(int64_t now);

  const Clock& clock_;
  ThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Times> accounts_;
  std::unordered_map<std::string, Times> addresses_;
  int64_t next_sweep_ = 0;
};

}  // namespace tribune::accounts
