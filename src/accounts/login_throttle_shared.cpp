// SharedLoginThrottle: the login throttle of login_throttle.hpp counted in rate_events, so that every server
// sharing the database counts together. An attempt is checked and counted in one Database::Write: write
// functions never run concurrently (on PostgreSQL the batches of all servers are serialised by an advisory
// lock), so attempts in flight together cannot overshoot the limits, as under the in-memory throttle's mutex.
#include <algorithm>

#include "accounts/login_throttle.hpp"
#include "common/log.hpp"
#include "common/random.hpp"

namespace tribune::accounts {

namespace {

constexpr int64_t kMicros = 1'000'000;

// A key as stored in a bucket name: as it is when short printable ASCII (addresses, most e-mails), otherwise
// "#" and its SHA-256, so that nothing huge or that a TEXT column refuses (NUL, invalid UTF-8) is stored.
std::string BucketKey(std::string_view key) {
  const bool plain = key.size() <= 200 && std::all_of(key.begin(), key.end(), [](char c) {
                       return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
                     });
  return plain ? std::string(key) : "#" + Sha256Hex(key);
}

// The times of the newest `limit` events of a bucket still in the window, newest first.
Result<std::vector<int64_t>> Newest(storage::Session& s, const std::string& bucket, int64_t since,
                                    int limit) {
  TRIBUNE_ASSIGN(
      storage::Rows rows,
      s.Query("SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 ORDER BY at DESC, id DESC LIMIT $3",
              {bucket, since, static_cast<int64_t>(std::max(1, limit))}));
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

void LogFailure(const char* what, const Status& st) {
  if (!st.ok()) log::Warn(what, "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
}

}  // namespace

std::string SharedLoginThrottle::AccountBucket(std::string_view account_key) {
  return "login:account:" + BucketKey(account_key);
}

std::string SharedLoginThrottle::AddressBucket(std::string_view address) {
  return "login:address:" + BucketKey(address);
}

Result<ThrottleVerdict> SharedLoginThrottle::Verdict(storage::Session& s, const std::string& account_bucket,
                                                     const std::string& address_bucket, int64_t now) const {
  const int64_t since = now - options_.window_seconds * kMicros;
  ThrottleVerdict v;
  // As in memory: the lock lifts when the failure `limit` places from the newest leaves the window.
  auto retry_after = [&](const std::vector<int64_t>& newest, int limit) {
    const int64_t lifts = newest[static_cast<size_t>(limit) - 1] + options_.window_seconds * kMicros;
    return std::max<int64_t>(1, (lifts - now + kMicros - 1) / kMicros);
  };
  TRIBUNE_ASSIGN(const std::vector<int64_t> address,
                 Newest(s, address_bucket, since, options_.address_failures));
  if (options_.address_failures > 0 && static_cast<int>(address.size()) >= options_.address_failures) {
    v.locked = true;
    v.retry_after_seconds = retry_after(address, options_.address_failures);
  }
  TRIBUNE_ASSIGN(
      const std::vector<int64_t> account,
      Newest(s, account_bucket, since, std::max(options_.account_failures, options_.captcha_after)));
  const int failures = static_cast<int>(account.size());  // at most the larger limit: enough to compare
  if (options_.account_failures > 0 && failures >= options_.account_failures) {
    v.locked = true;
    v.retry_after_seconds = std::max(v.retry_after_seconds, retry_after(account, options_.account_failures));
  }
  v.captcha_required = failures > 0 && failures >= options_.captcha_after;
  return v;
}

Result<ThrottleVerdict> SharedLoginThrottle::Check(const std::string& account_key,
                                                   const std::string& address) {
  const int64_t now = clock_.NowMicros();
  const std::string account_bucket = AccountBucket(account_key), address_bucket = AddressBucket(address);
  ThrottleVerdict v;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(v, Verdict(s, account_bucket, address_bucket, now));
    return Ok{};
  }));
  return v;
}

Result<LoginThrottle::Admission> SharedLoginThrottle::Admit(const std::string& account_key,
                                                            const std::string& address) {
  const int64_t now = clock_.NowMicros();
  const int64_t expired =
      now - options_.window_seconds * kMicros;  // rows at or before it are out of the window
  const std::string account_bucket = AccountBucket(account_key), address_bucket = AddressBucket(address);
  int64_t due = next_sweep_.load();
  const bool sweep =
      now >= due && next_sweep_.compare_exchange_strong(due, now + options_.window_seconds * kMicros);
  Admission a;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    a = Admission{};
    if (sweep) {
      TRIBUNE_TRY(
          s.Exec("DELETE FROM rate_events WHERE at <= $1 AND substr(bucket, 1, 6) = 'login:'", {expired}));
    }
    TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE bucket IN ($1, $2) AND at <= $3",
                       {account_bucket, address_bucket, expired}));
    TRIBUNE_ASSIGN(a.verdict, Verdict(s, account_bucket, address_bucket, now));
    if (a.verdict.locked) return Ok{};  // the pruning above is kept
    for (auto [bucket, id] :
         {std::pair{&account_bucket, &a.account_event}, std::pair{&address_bucket, &a.address_event}}) {
      TRIBUNE_ASSIGN(
          storage::Rows rows,
          s.Query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2) RETURNING id", {*bucket, now}));
      *id = rows.at(0).Int(0);
    }
    a.admitted = true;
    a.began = now;
    return Ok{};
  }));
  return a;
}

void SharedLoginThrottle::Cancel(const std::string& account_key, const std::string& address,
                                 const Admission& attempt) {
  if (!attempt.admitted) return;
  const std::string account_bucket = AccountBucket(account_key), address_bucket = AddressBucket(address);
  LogFailure("login throttle: cancelling an attempt failed", db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE (id = $1 AND bucket = $2) OR (id = $3 AND bucket = $4)",
                       {attempt.account_event, account_bucket, attempt.address_event, address_bucket}));
    return Ok{};
  }));
}

void SharedLoginThrottle::Succeeded(const std::string& account_key, const std::string& address,
                                    const Admission& attempt) {
  const std::string account_bucket = AccountBucket(account_key), address_bucket = AddressBucket(address);
  LogFailure("login throttle: clearing failures failed", db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE bucket = $1", {account_bucket}));
    if (attempt.admitted) {
      TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE id = $1 AND bucket = $2",
                         {attempt.address_event, address_bucket}));
    }
    return Ok{};
  }));
}

}  // namespace tribune::accounts
