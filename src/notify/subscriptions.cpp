// SubscriptionService: a browser's push subscription with its topics; the endpoint is its identity.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "common/random.hpp"
#include "notify/push.hpp"

namespace tribune::notify {

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::optional<int64_t> ArticleTopic(std::string_view topic) {
  constexpr std::string_view kPrefix = "article:";
  if (!topic.starts_with(kPrefix)) return std::nullopt;
  const std::string_view digits = topic.substr(kPrefix.size());
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string_view::npos ||
      digits[0] == '0') {
    return std::nullopt;
  }
  return std::stoll(std::string(digits));
}

Subscription FromRow(const storage::Row& r) {
  Subscription s;
  s.id = r.Int(0);
  s.endpoint = r.Text(1);
  s.origin = r.Text(2);
  s.account_id = r.OptInt(3);
  s.language = r.Text(4);
  s.created_at = r.Int(5);
  s.updated_at = r.Int(6);
  s.last_success_at = r.OptInt(7);
  return s;
}

constexpr const char* kColumns = "id, endpoint, origin, account_id, language, created_at, updated_at, last_success_at";

Status DeleteById(storage::Session& s, int64_t id) {
  TRIBUNE_TRY(s.Exec("DELETE FROM push_topics WHERE subscription_id = $1", {id}));
  TRIBUNE_TRY(s.Exec("DELETE FROM push_deliveries WHERE subscription_id = $1", {id}));
  TRIBUNE_TRY(s.Exec("DELETE FROM push_subscriptions WHERE id = $1", {id}));
  return Ok{};
}

}  // namespace

SubscriptionService::SubscriptionService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                                         SubscriptionOptions options)
    : db_(db), clock_(clock), ids_(ids), options_(std::move(options)) {}

Status SubscriptionService::CheckTopics(const SubscriptionInput& input) const {
  if (input.topics.empty()) return Bad("topics must name at least one topic.");
  if (input.topics.size() > options_.max_topics) {
    return Bad("topics: at most " + std::to_string(options_.max_topics) + " topics.");
  }
  for (const std::string& topic : input.topics) {
    if (topic == "replies") {
      if (!input.account_id) {
        return MakeError(ErrorCode::kUnauthenticated, "Sign in to receive notices of replies to your comments.");
      }
    } else if (topic.starts_with("breaking:")) {
      const std::string language = topic.substr(9);
      if (std::find(options_.languages.begin(), options_.languages.end(), language) == options_.languages.end()) {
        return Bad("topics: \"" + topic + "\" names no edition of this site.");
      }
    } else if (auto article = ArticleTopic(topic)) {
      if (options_.article_exists && !options_.article_exists(*article)) {
        return MakeError(ErrorCode::kNotFound, "topics: no article " + std::to_string(*article) + ".");
      }
    } else {
      return Bad("topics: unknown topic (use \"replies\", \"breaking:<language>\" or \"article:<id>\").");
    }
  }
  return Ok{};
}

// The key an address is counted under: an IPv6 address by its /64 (one household or server usually holds a whole
// /64, and could otherwise take a fresh address per request).
namespace {

std::string LimitKey(const std::string& address) {
  in6_addr v6{};
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &v6) != 1) return address;
  std::memset(v6.s6_addr + 8, 0, 8);
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &v6, buf, sizeof buf);
  return std::string(buf) + "/64";
}

constexpr int64_t kHour = 3600LL * 1'000'000;

Error TooMany(int64_t oldest, int64_t now) {
  Error e = MakeError(ErrorCode::kRateLimited, "Too many push subscriptions from this address; try again later.");
  e.retry_after_seconds = std::max<int64_t>(1, (oldest + kHour - now + 999'999) / 1'000'000);
  return e;
}

}  // namespace

Status SubscriptionService::Admit(const std::string& client_address) {
  if (options_.per_address_hour <= 0 || client_address.empty()) return Ok{};
  const std::string address = LimitKey(client_address);
  const int64_t now = clock_.NowMicros();
  if (options_.shared_limit) return AdmitShared(address, now);
  std::lock_guard lock(limit_mu_);
  // Addresses silent for an hour are forgotten; the map cannot grow past what one hour brings.
  if (recent_.size() > 100'000) {
    for (auto it = recent_.begin(); it != recent_.end();) {
      it = it->second.empty() || it->second.back() <= now - kHour ? recent_.erase(it) : std::next(it);
    }
  }
  auto& times = recent_[address];
  while (!times.empty() && times.front() <= now - kHour) times.pop_front();
  if (times.size() >= static_cast<size_t>(options_.per_address_hour)) return TooMany(times.front(), now);
  times.push_back(now);
  return Ok{};
}

// One write checks and counts (write functions never run concurrently, on PostgreSQL not even across servers), so
// requests in flight together cannot overshoot the limit. It deletes the bucket's expired rows too and, at most
// once an hour per process, every expired "push:" row.
Status SubscriptionService::AdmitShared(const std::string& key, int64_t now) {
  // A key that is long or not printable ASCII (not an address) is stored as its SHA-256.
  const bool plain = key.size() <= 200 && std::all_of(key.begin(), key.end(), [](char c) {
                       return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
                     });
  const std::string bucket = "push:" + (plain ? key : "#" + Sha256Hex(key));
  bool sweep = false;
  {
    std::lock_guard lock(limit_mu_);
    if (now >= next_sweep_) {
      sweep = true;
      next_sweep_ = now + kHour;
    }
  }
  std::optional<int64_t> refused_oldest;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    refused_oldest.reset();
    if (sweep) {
      TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE at <= $1 AND substr(bucket, 1, 5) = 'push:'", {now - kHour}));
    }
    TRIBUNE_TRY(s.Exec("DELETE FROM rate_events WHERE bucket = $1 AND at <= $2", {bucket, now - kHour}));
    TRIBUNE_ASSIGN(storage::Rows rows,
                   s.Query("SELECT COUNT(*), MIN(at) FROM rate_events WHERE bucket = $1", {bucket}));
    if (rows.at(0).Int(0) >= options_.per_address_hour) {
      refused_oldest = rows[0].Int(1);
      return Ok{};  // the pruning is kept
    }
    TRIBUNE_TRY(s.Exec("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)", {bucket, now}));
    return Ok{};
  }));
  if (refused_oldest) return TooMany(*refused_oldest, now);
  return Ok{};
}

Result<Subscription> SubscriptionService::Subscribe(const SubscriptionInput& input) {
  TRIBUNE_ASSIGN(Endpoint endpoint, ParseEndpoint(input.endpoint, options_.endpoints));
  auto p256dh = Base64UrlDecode(input.p256dh);
  if (!p256dh || !IsValidPublicKey(*p256dh)) {
    return Bad("keys.p256dh must be the base64url encoding of an uncompressed P-256 public key (65 bytes).");
  }
  auto auth = Base64UrlDecode(input.auth);
  if (!auth || auth->size() != 16) return Bad("keys.auth must be the base64url encoding of 16 bytes.");
  TRIBUNE_TRY(CheckTopics(input));
  TRIBUNE_TRY(Admit(input.client_address));  // only valid requests count
  std::set<std::string> topics(input.topics.begin(), input.topics.end());
  const std::string language =
      std::find(options_.languages.begin(), options_.languages.end(), input.language) != options_.languages.end()
          ? input.language
          : options_.languages.front();

  const int64_t now = clock_.NowMicros();
  const int64_t fresh_id = ids_.Next();
  storage::Value account = input.account_id ? storage::Value(*input.account_id) : storage::Value(nullptr);
  Subscription out;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    // The endpoint is the identity: a browser that subscribes again (new keys, other topics, another reader
    // signed in) replaces what was stored for it.
    TRIBUNE_ASSIGN(
        storage::Rows rows,
        s.Query("INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, account_id, language, created_at,"
                " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (endpoint) DO UPDATE SET"
                " p256dh = excluded.p256dh, auth = excluded.auth, account_id = excluded.account_id,"
                " language = excluded.language, updated_at = excluded.updated_at RETURNING " +
                    std::string(kColumns),
                {fresh_id, endpoint.url, endpoint.origin, input.p256dh, input.auth, account, language, now}));
    out = FromRow(rows.at(0));
    if (input.merge) {
      TRIBUNE_ASSIGN(storage::Rows kept, s.Query("SELECT topic FROM push_topics WHERE subscription_id = $1", {out.id}));
      for (const auto& r : kept) topics.insert(r.Text(0));
      if (topics.size() > options_.max_topics) {
        return Bad("topics: at most " + std::to_string(options_.max_topics) + " topics.");
      }
    }
    TRIBUNE_TRY(s.Exec("DELETE FROM push_topics WHERE subscription_id = $1", {out.id}));
    for (const std::string& topic : topics) {
      TRIBUNE_TRY(s.Exec("INSERT INTO push_topics (topic, subscription_id) VALUES ($1, $2)", {topic, out.id}));
    }
    if (!input.account_id) return Ok{};
    // A reader's devices are bounded: the least recently renewed goes.
    TRIBUNE_ASSIGN(storage::Rows extra,
                   s.Query("SELECT id FROM push_subscriptions WHERE account_id = $1 ORDER BY updated_at DESC, id DESC"
                           " LIMIT 1000000 OFFSET $2",
                           {*input.account_id, static_cast<int64_t>(options_.max_per_account)}));
    for (const auto& r : extra) TRIBUNE_TRY(DeleteById(s, r.Int(0)));
    return Ok{};
  }));
  out.topics.assign(topics.begin(), topics.end());
  return out;
}

Result<bool> SubscriptionService::Unsubscribe(std::string_view endpoint) {
  if (endpoint.empty() || endpoint.size() > options_.endpoints.max_length) return Bad("endpoint is not valid.");
  bool found = false;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows,
                   s.Query("SELECT id FROM push_subscriptions WHERE endpoint = $1", {std::string(endpoint)}));
    found = !rows.empty();
    if (found) TRIBUNE_TRY(DeleteById(s, rows[0].Int(0)));
    return Ok{};
  }));
  return found;
}

Result<Subscription> SubscriptionService::ChangeTopics(std::string_view endpoint, const std::vector<std::string>& add,
                                                      const std::vector<std::string>& remove,
                                                      std::optional<int64_t> account_id) {
  if (endpoint.empty() || endpoint.size() > options_.endpoints.max_length) return Bad("endpoint is not valid.");
  if (add.size() + remove.size() > options_.max_topics * 2) return Bad("Too many topics at once.");
  Subscription out;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT " + std::string(kColumns) +
                                                   " FROM push_subscriptions WHERE endpoint = $1",
                                               {std::string(endpoint)}));
    if (rows.empty()) return MakeError(ErrorCode::kNotFound, "No subscription has this endpoint.");
    out = FromRow(rows[0]);
    TRIBUNE_ASSIGN(storage::Rows current,
                   s.Query("SELECT topic FROM push_topics WHERE subscription_id = $1", {out.id}));
    std::set<std::string> topics;
    for (const auto& r : current) topics.insert(r.Text(0));
    for (const auto& t : remove) topics.erase(t);
    SubscriptionInput check;
    check.account_id = account_id ? account_id : out.account_id;
    check.topics = add;
    if (!add.empty()) TRIBUNE_TRY(CheckTopics(check));
    topics.insert(add.begin(), add.end());
    if (topics.empty()) {
      // Nothing left to receive: the subscription ends (the browser's own subscription is the browser's business).
      TRIBUNE_TRY(DeleteById(s, out.id));
      out.topics.clear();
      return Ok{};
    }
    if (topics.size() > options_.max_topics) {
      return Bad("topics: at most " + std::to_string(options_.max_topics) + " topics.");
    }
    TRIBUNE_TRY(s.Exec("DELETE FROM push_topics WHERE subscription_id = $1", {out.id}));
    for (const std::string& topic : topics) {
      TRIBUNE_TRY(s.Exec("INSERT INTO push_topics (topic, subscription_id) VALUES ($1, $2)", {topic, out.id}));
    }
    const int64_t now = clock_.NowMicros();
    storage::Value account = check.account_id ? storage::Value(*check.account_id) : storage::Value(nullptr);
    TRIBUNE_TRY(s.Exec("UPDATE push_subscriptions SET account_id = $2, updated_at = $3 WHERE id = $1",
                       {out.id, account, now}));
    out.account_id = check.account_id;
    out.updated_at = now;
    out.topics.assign(topics.begin(), topics.end());
    return Ok{};
  }));
  return out;
}

Result<std::optional<Subscription>> SubscriptionService::Find(std::string_view endpoint) {
  if (endpoint.empty() || endpoint.size() > options_.endpoints.max_length) return Bad("endpoint is not valid.");
  std::optional<Subscription> out;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT " + std::string(kColumns) +
                                                   " FROM push_subscriptions WHERE endpoint = $1",
                                               {std::string(endpoint)}));
    if (rows.empty()) return Ok{};
    out = FromRow(rows[0]);
    TRIBUNE_ASSIGN(storage::Rows topics,
                   s.Query("SELECT topic FROM push_topics WHERE subscription_id = $1 ORDER BY topic", {out->id}));
    for (const auto& t : topics) out->topics.push_back(t.Text(0));
    return Ok{};
  }));
  return out;
}

Result<std::vector<Subscription>> SubscriptionService::ForAccount(storage::Session& s, int64_t account_id) {
  std::vector<Subscription> out;
  TRIBUNE_ASSIGN(storage::Rows rows,
                 s.Query("SELECT " + std::string(kColumns) +
                             " FROM push_subscriptions WHERE account_id = $1 ORDER BY updated_at DESC, id DESC",
                         {account_id}));
  for (const auto& r : rows) {
    Subscription sub = FromRow(r);
    TRIBUNE_ASSIGN(storage::Rows topics,
                   s.Query("SELECT topic FROM push_topics WHERE subscription_id = $1 ORDER BY topic", {sub.id}));
    for (const auto& t : topics) sub.topics.push_back(t.Text(0));
    out.push_back(std::move(sub));
  }
  return out;
}

Result<std::vector<Subscription>> SubscriptionService::ForAccount(int64_t account_id) {
  std::vector<Subscription> out;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(out, ForAccount(s, account_id));
    return Ok{};
  }));
  return out;
}

Status SubscriptionService::Remove(int64_t account_id, int64_t subscription_id) {
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT id FROM push_subscriptions WHERE id = $1 AND account_id = $2",
                                               {subscription_id, account_id}));
    if (rows.empty()) return MakeError(ErrorCode::kNotFound, "No such device.");
    return DeleteById(s, subscription_id);
  });
}

Status SubscriptionService::RemoveAll(storage::Session& s, int64_t account_id) {
  TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT id FROM push_subscriptions WHERE account_id = $1", {account_id}));
  for (const auto& r : rows) TRIBUNE_TRY(DeleteById(s, r.Int(0)));
  return Ok{};
}

}  // namespace tribune::notify
