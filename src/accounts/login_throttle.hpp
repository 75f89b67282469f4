// Failed-login accounting: per account (keyed by the normalised e-mail, so unknown addresses count the
// same as known ones) and per client address, in a sliding window. Two implementations of one interface:
// - MemoryLoginThrottle counts in this process's memory: for SQLite, which one server owns, and for tests
//   of the logic;
// - SharedLoginThrottle counts in the database (rate_events, one row per counted failure), checking and
//   counting an attempt in one write: every server sharing a PostgreSQL database sees the others' failures,
//   and the limits hold for the site, not per server.
// Both are thread-safe and give the same verdicts for the same history.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

struct ThrottleOptions {
  int64_t window_seconds = 15 * 60;
  int captcha_after = 3;      // failures of one account after which its logins need a captcha
  int account_failures = 10;  // failures of one account that lock its logins for the window
  int address_failures = 50;  // failures from one address that lock its logins for the window
};

struct ThrottleVerdict {
  bool locked = false;  // refuse with 429
  int64_t retry_after_seconds = 0;
  bool captcha_required = false;
};

class LoginThrottle {
 public:
  virtual ~LoginThrottle() = default;

  // An attempt that passed (or not) the check; names the attempt for Cancel and Succeeded.
  struct Admission {
    ThrottleVerdict verdict;
    bool admitted = false;
    int64_t began = 0;          // when it was admitted (micros)
    int64_t account_event = 0;  // SharedLoginThrottle: the ids of its rate_events rows (0 in memory)
    int64_t address_event = 0;
  };

  // The verdict for a next attempt, counting nothing. Errors: the database's (shared).
  virtual Result<ThrottleVerdict> Check(const std::string& account_key, const std::string& address) = 0;
  // Check and, when not locked, count the attempt as a failure at once — atomically, so attempts in flight
  // together (on any server, for the shared one) cannot overshoot the limits. The verdict is the one before
  // this attempt counted. Errors: the database's (shared).
  virtual Result<Admission> Admit(const std::string& account_key, const std::string& address) = 0;
  // The admitted attempt never got to the password (a captcha was missing or wrong): it does not count.
  // Best effort (a database error is logged).
  virtual void Cancel(const std::string& account_key, const std::string& address,
                      const Admission& attempt) = 0;
  // The attempt succeeded: the account's failures are cleared and the address forgets this attempt.
  // Best effort (a database error is logged).
  virtual void Succeeded(const std::string& account_key, const std::string& address,
                         const Admission& attempt) = 0;
};

class MemoryLoginThrottle final : public LoginThrottle {
 public:
  MemoryLoginThrottle(const Clock& clock, ThrottleOptions options) : clock_(clock), options_(options) {}

  Result<ThrottleVerdict> Check(const std::string& account_key, const std::string& address) override;
  Result<Admission> Admit(const std::string& account_key, const std::string& address) override;
  void Cancel(const std::string& account_key, const std::string& address, const Admission& attempt) override;
  void Succeeded(const std::string& account_key, const std::string& address,
                 const Admission& attempt) override;

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

// Counts in rate_events, buckets "login:account:<key>" and "login:address:<address>" (a key that is long or
// not printable ASCII is stored as "#" and its SHA-256). Each Admit also deletes the expired rows of its two
// buckets and, at most once per window per process, every expired "login:" row.
class SharedLoginThrottle final : public LoginThrottle {
 public:
  SharedLoginThrottle(storage::Database& db, const Clock& clock, ThrottleOptions options)
      : db_(db), clock_(clock), options_(options) {}

  Result<ThrottleVerdict> Check(const std::string& account_key, const std::string& address) override;
  Result<Admission> Admit(const std::string& account_key, const std::string& address) override;
  void Cancel(const std::string& account_key, const std::string& address, const Admission& attempt) override;
  void Succeeded(const std::string& account_key, const std::string& address,
                 const Admission& attempt) override;

  // The bucket names (for tests).
  static std::string AccountBucket(std::string_view account_key);
  static std::string AddressBucket(std::string_view address);

 private:
  Result<ThrottleVerdict> Verdict(storage::Session& s, const std::string& account_bucket,
                                  const std::string& address_bucket, int64_t now) const;

  storage::Database& db_;
  const Clock& clock_;
  ThrottleOptions options_;
  std::atomic<int64_t> next_sweep_{0};
};

// The shared throttle over `db` when `shared`, else the in-memory one.
std::unique_ptr<LoginThrottle> MakeLoginThrottle(bool shared, storage::Database& db, const Clock& clock,
                                                 ThrottleOptions options);

}  // namespace tribune::accounts
