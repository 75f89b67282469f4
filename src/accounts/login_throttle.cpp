#include "accounts/login_throttle.hpp"

#include <algorithm>

namespace tribune::accounts {

namespace {
constexpr int64_t kMicros = 1'000'000;
constexpr size_t kMaxTracked = 1 << 20;  // keys kept at most; the oldest windows go first
}  // namespace

void MemoryLoginThrottle::Prune(Times& times, int64_t now) const {
  while (!times.empty() && times.front() <= now - options_.window_seconds * kMicros) times.pop_front();
}

void MemoryLoginThrottle::MaybeSweep(int64_t now) {
  if (now < next_sweep_ && accounts_.size() + addresses_.size() < kMaxTracked) return;
  next_sweep_ = now + options_.window_seconds * kMicros;
  for (auto* map : {&accounts_, &addresses_}) {
    for (auto it = map->begin(); it != map->end();) {
      Prune(it->second, now);
      it = it->second.empty() ? map->erase(it) : std::next(it);
    }
  }
  // Still over the bound (a spray of more distinct keys than kMaxTracked in one window): forget arbitrary
  // keys rather than grow without limit. Those keys start counting afresh.
  for (auto* map : {&accounts_, &addresses_}) {
    while (map->size() > kMaxTracked / 2) map->erase(map->begin());
  }
}

Result<LoginThrottle::Admission> MemoryLoginThrottle::Admit(const std::string& account_key,
                                                            const std::string& address) {
  const int64_t now = clock_.NowMicros();
  std::lock_guard lock(mu_);
  Admission a;
  a.verdict = CheckLocked(account_key, address, now);
  if (a.verdict.locked) return a;
  MaybeSweep(now);
  accounts_[account_key].push_back(now);
  addresses_[address].push_back(now);
  a.admitted = true;
  a.began = now;
  return a;
}

void MemoryLoginThrottle::Cancel(const std::string& account_key, const std::string& address,
                                 const Admission& attempt) {
  if (!attempt.admitted) return;
  const int64_t began = attempt.began;
  std::lock_guard lock(mu_);
  for (auto [map, key] : {std::pair{&accounts_, &account_key}, std::pair{&addresses_, &address}}) {
    auto it = map->find(*key);
    if (it == map->end()) continue;
    EraseOne(it->second, began);
    if (it->second.empty()) map->erase(it);
  }
}

void MemoryLoginThrottle::EraseOne(Times& times, int64_t began) {
  for (auto t = times.rbegin(); t != times.rend(); ++t) {
    if (*t == began) {
      times.erase(std::next(t).base());
      return;
    }
  }
}

void MemoryLoginThrottle::Succeeded(const std::string& account_key, const std::string& address,
                                    const Admission& attempt) {
  std::lock_guard lock(mu_);
  accounts_.erase(account_key);
  if (!attempt.admitted) return;
  const int64_t began = attempt.began;
  auto it = addresses_.find(address);
  if (it == addresses_.end()) return;
  EraseOne(it->second, began);
  if (it->second.empty()) addresses_.erase(it);
}

Result<ThrottleVerdict> MemoryLoginThrottle::Check(const std::string& account_key, const std::string& address) {
  const int64_t now = clock_.NowMicros();
  std::lock_guard lock(mu_);
  return CheckLocked(account_key, address, now);
}

ThrottleVerdict MemoryLoginThrottle::CheckLocked(const std::string& account_key, const std::string& address,
                                                 int64_t now) {
  ThrottleVerdict v;
  // The lock lifts when fewer than `limit` failures are left in the window: when the failure `limit` places
  // from the newest leaves it (more than `limit` may be recorded when attempts were in flight together).
  auto retry_after = [&](const Times& times, int limit) {
    const int64_t lifts = times[times.size() - static_cast<size_t>(limit)] + options_.window_seconds * kMicros;
    return std::max<int64_t>(1, (lifts - now + kMicros - 1) / kMicros);
  };
  if (auto it = addresses_.find(address); it != addresses_.end()) {
    Prune(it->second, now);
    if (static_cast<int>(it->second.size()) >= options_.address_failures) {
      v.locked = true;
      v.retry_after_seconds = retry_after(it->second, options_.address_failures);
    }
  }
  if (auto it = accounts_.find(account_key); it != accounts_.end()) {
    Prune(it->second, now);
    const int failures = static_cast<int>(it->second.size());
    if (failures >= options_.account_failures) {
      v.locked = true;
      v.retry_after_seconds = std::max(v.retry_after_seconds, retry_after(it->second, options_.account_failures));
    }
    v.captcha_required = failures >= options_.captcha_after;
  }
  return v;
}

std::unique_ptr<LoginThrottle> MakeLoginThrottle(bool shared, storage::Database& db, const Clock& clock,
                                                 ThrottleOptions options) {
  if (shared) return std::make_unique<SharedLoginThrottle>(db, clock, options);
  return std::make_unique<MemoryLoginThrottle>(clock, options);
}

}  // namespace tribune::accounts
