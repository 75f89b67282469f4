// PushWorker: claim due deliveries under a lease, encrypt and sign each, keep them in flight through the
// PushClient, record the outcomes in batches.
#include <algorithm>
#include <array>
#include <random>
#include <unordered_map>

#include "common/log.hpp"
#include "common/random.hpp"
#include "notify/push.hpp"

namespace tribune::notify {

namespace {

// A claimed delivery belongs to its worker this long; then another worker may send it again (the first died).
constexpr int64_t kLeaseMicros = 2LL * 60 * 1'000'000;
// Outcomes are written in batches: at most this many, or whatever finished within one poll.
constexpr size_t kRecordBatch = 512;

double JitterUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

struct Message {
  std::string payload;
  int64_t ttl = 0;
  std::string urgency;
  std::string topic;
};

enum class Outcome { kDelivered, kGone, kRetry, kFailed };

Outcome Classify(const PushResponse& r) {
  if (r.status < 0) return Outcome::kFailed;  // never sent: nothing a retry would change
  if (r.status >= 200 && r.status < 300) return Outcome::kDelivered;
  if (r.status == 404 || r.status == 410) return Outcome::kGone;
  if (r.status == 0 || r.status == 429 || r.status >= 500) return Outcome::kRetry;
  return Outcome::kFailed;  // 400 (our request), 401/403 (VAPID), 413 (too large): trying again changes nothing
}

}  // namespace

struct PushWorker::InFlight {
  int64_t delivery_id = 0;
  int64_t message_id = 0;
  int64_t subscription_id = 0;
  int64_t attempts = 0;
  std::string origin;
};

PushWorker::PushWorker(storage::Database& db, const Clock& clock, VapidSigner& signer, PushClient& client,
                       PushWorkerOptions options)
    : db_(db), clock_(clock), signer_(signer), client_(client), options_(options) {
  options_.concurrency = std::max<size_t>(1, options_.concurrency);
  options_.per_origin = std::clamp<size_t>(options_.per_origin, 1, options_.concurrency);
  options_.max_attempts = std::max(1, options_.max_attempts);
}

PushWorker::~PushWorker() { Stop(); }

Result<size_t> PushWorker::Claim(size_t limit, int64_t now) {
  struct Row {
    int64_t id, message_id, subscription_id, attempts;
    std::string endpoint, origin, p256dh, auth;
  };
  std::vector<Row> claimed;
  std::unordered_map<int64_t, Message> messages;
  int64_t abandoned = 0;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    claimed.clear();
    messages.clear();
    // A delivery whose last permitted attempt died mid-send is not tried again.
    TRIBUNE_ASSIGN(abandoned, s.Exec("UPDATE push_deliveries SET state = 'failed', last_error = 'lease expired on the"
                                     " last attempt' WHERE state = 'sending' AND next_attempt_at <= $1 AND attempts >= $2",
                                     {now, int64_t{options_.max_attempts}}));
    // Services already at their share of slots wait; everyone else's deliveries go ahead of them.
    std::string sql =
        "SELECT d.id, d.message_id, d.subscription_id, d.attempts, s.endpoint, s.origin, s.p256dh, s.auth"
        " FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id"
        " WHERE d.state IN ('pending', 'sending') AND d.next_attempt_at <= $1";
    storage::Params params{now, static_cast<int64_t>(limit)};
    std::string full;
    for (const auto& [origin, n] : per_origin_) {
      if (n < options_.per_origin) continue;
      params.push_back(origin);
      full += (full.empty() ? "" : ", ") + std::string("$") + std::to_string(params.size());
    }
    if (!full.empty()) sql += " AND s.origin NOT IN (" + full + ")";
    sql += " ORDER BY d.next_attempt_at, d.id LIMIT $2";
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query(sql, params));
    std::unordered_map<std::string, size_t> taken;
    for (const auto& r : rows) {
      const std::string& origin = r.Text(5);
      auto it = per_origin_.find(origin);
      const size_t busy = (it == per_origin_.end() ? 0 : it->second) + taken[origin];
      if (busy >= options_.per_origin) continue;
      ++taken[origin];
      claimed.push_back({r.Int(0), r.Int(1), r.Int(2), r.Int(3) + 1, r.Text(4), r.Text(5), r.Text(6), r.Text(7)});
    }
    for (const Row& c : claimed) {
      TRIBUNE_TRY(s.Exec("UPDATE push_deliveries SET state = 'sending', attempts = $2, next_attempt_at = $3"
                         " WHERE id = $1",
                         {c.id, c.attempts, now + kLeaseMicros}));
      if (messages.count(c.message_id) != 0) continue;
      TRIBUNE_ASSIGN(storage::Rows m, s.Query("SELECT payload, ttl_seconds, urgency, topic FROM push_messages"
                                              " WHERE id = $1", {c.message_id}));
      if (!m.empty()) messages[c.message_id] = {m[0].Text(0), m[0].Int(1), m[0].Text(2), m[0].Text(3)};
    }
    return Ok{};
  }));
  if (abandoned > 0) {
    std::lock_guard lock(mu_);
    totals_.failed += abandoned;
  }

  const int64_t now_unix = now / 1'000'000;
  for (Row& c : claimed) {
    auto flight = std::make_unique<InFlight>(InFlight{c.id, c.message_id, c.subscription_id, c.attempts, c.origin});
    ++per_origin_[c.origin];
    in_flight_[c.id] = std::move(flight);
    auto message = messages.find(c.message_id);
    auto p256dh = Base64UrlDecode(c.p256dh);
    auto auth = Base64UrlDecode(c.auth);
    Result<std::string> body = MakeError(ErrorCode::kBadRequest, "the message is gone");
    if (message != messages.end() && p256dh && auth) body = Encrypt(*p256dh, *auth, message->second.payload);
    Result<std::string> authorization = signer_.Authorization(c.origin, now_unix);
    if (!body.ok() || !authorization.ok()) {
      // Not sendable as stored (keys the browser never gave, a lost message): answer it as a refusal.
      const std::string why = !body.ok() ? body.error().message : authorization.error().message;
      unsent_.emplace_back(c.id, PushResponse{-1, "not sendable: " + why, -1});
      log::Warn("push not sendable", "\"delivery\":" + std::to_string(c.id) + ",\"error\":\"" + log::JsonEscape(why) + "\"");
      continue;
    }
    PushRequest req;
    req.delivery_id = c.id;
    req.endpoint = std::move(c.endpoint);
    req.origin = c.origin;
    req.headers = {"Content-Type: application/octet-stream", "Content-Encoding: aes128gcm",
                   "TTL: " + std::to_string(message->second.ttl), "Urgency: " + message->second.urgency,
                   "Authorization: " + *authorization};
    if (!message->second.topic.empty()) req.headers.push_back("Topic: " + message->second.topic);
    req.body = std::move(body).value();
    client_.Submit(std::move(req));
  }
  return claimed.size();
}

Status PushWorker::Record(std::vector<std::pair<int64_t, PushResponse>> done) {
  struct Done {
    InFlight flight;
    PushResponse response;
    Outcome outcome;
  };
  std::vector<Done> outcomes;
  outcomes.reserve(done.size());
  for (auto& [id, response] : done) {
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) continue;
    auto origin = per_origin_.find(it->second->origin);
    if (origin != per_origin_.end() && --origin->second == 0) per_origin_.erase(origin);
    const Outcome outcome = Classify(response);
    outcomes.push_back({*it->second, std::move(response), outcome});
    in_flight_.erase(it);
  }
  if (outcomes.empty()) return Ok{};
  const int64_t now = clock_.NowMicros();
  PushStats round;
  Status st = db_.Write([&](storage::Session& s) -> Status {
    round = {};
    std::unordered_map<int64_t, std::array<int64_t, 3>> per_message;  // delivered, expired, failed
    for (const Done& d : outcomes) {
      const auto& f = d.flight;
      // Only while the lease is ours: a delivery reclaimed after its lease has a higher attempt count.
      const storage::Params mine{f.delivery_id, f.attempts};
      switch (d.outcome) {
        case Outcome::kDelivered: {
          TRIBUNE_ASSIGN(int64_t n, s.Exec("DELETE FROM push_deliveries WHERE id = $1 AND attempts = $2"
                                           " AND state = 'sending'", mine));
          if (n == 0) break;
          ++per_message[f.message_id][0];
          ++round.delivered;
          TRIBUNE_TRY(s.Exec("UPDATE push_subscriptions SET last_success_at = $2 WHERE id = $1",
                             {f.subscription_id, now}));
          break;
        }
        case Outcome::kGone: {
          TRIBUNE_TRY(s.Exec("DELETE FROM push_topics WHERE subscription_id = $1", {f.subscription_id}));
          TRIBUNE_ASSIGN(int64_t queued, s.Exec("DELETE FROM push_deliveries WHERE subscription_id = $1",
                                                {f.subscription_id}));
          TRIBUNE_TRY(s.Exec("DELETE FROM push_subscriptions WHERE id = $1", {f.subscription_id}));
          if (queued > 0) ++per_message[f.message_id][1];
          ++round.expired;
          break;
        }
        case Outcome::kRetry:
          if (f.attempts < options_.max_attempts) {
            int64_t delay = 0;
            {
              const double base = static_cast<double>(options_.base_delay.count()) * 1e6;
              const double grown = base * static_cast<double>(int64_t{1} << std::min<int64_t>(f.attempts - 1, 20));
              const double capped = std::min(grown, static_cast<double>(options_.max_delay.count()) * 1e6);
              delay = static_cast<int64_t>(capped * (1.0 - options_.jitter + 2.0 * options_.jitter * JitterUnit()));
            }
            if (d.response.retry_after_s >= 0) {
              const int64_t asked = std::min<int64_t>(d.response.retry_after_s, options_.max_retry_after.count());
              delay = std::max(delay, asked * 1'000'000);
            }
            TRIBUNE_ASSIGN(int64_t n, s.Exec("UPDATE push_deliveries SET state = 'pending', next_attempt_at = $3,"
                                             " last_error = $4 WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                                             {f.delivery_id, f.attempts, now + delay,
                                              std::to_string(d.response.status) + " " + d.response.detail}));
            if (n > 0) ++round.retried;
            break;
          }
          [[fallthrough]];
        case Outcome::kFailed: {
          TRIBUNE_ASSIGN(int64_t n, s.Exec("UPDATE push_deliveries SET state = 'failed', last_error = $3"
                                           " WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                                           {f.delivery_id, f.attempts,
                                            std::to_string(d.response.status) + " " + d.response.detail}));
          if (n == 0) break;
          ++per_message[f.message_id][2];
          ++round.failed;
          break;
        }
      }
    }
    for (const auto& [message, counts] : per_message) {
      TRIBUNE_TRY(s.Exec("UPDATE push_messages SET delivered = delivered + $2, expired = expired + $3,"
                         " failed = failed + $4 WHERE id = $1",
                         {message, counts[0], counts[1], counts[2]}));
    }
    return Ok{};
  });
  if (!st.ok()) return st;
  {
    std::lock_guard lock(mu_);
    totals_.delivered += round.delivered;
    totals_.retried += round.retried;
    totals_.expired += round.expired;
    totals_.failed += round.failed;
  }
  for (const Done& d : outcomes) {
    if (d.outcome == Outcome::kDelivered) continue;
    const std::string fields = "\"delivery\":" + std::to_string(d.flight.delivery_id) + ",\"origin\":\"" +
                               log::JsonEscape(d.flight.origin) + "\",\"status\":" + std::to_string(d.response.status) +
                               ",\"attempt\":" + std::to_string(d.flight.attempts) + ",\"detail\":\"" +
                               log::JsonEscape(d.response.detail.substr(0, 200)) + "\"";
    if (d.outcome == Outcome::kGone) {
      log::Info("push subscription gone", fields);
    } else if (d.outcome == Outcome::kRetry && d.flight.attempts < options_.max_attempts) {
      log::Warn("push deferred", fields);
    } else {
      log::Error("push failed", fields);
    }
  }
  return Ok{};
}

std::vector<std::pair<int64_t, PushResponse>> PushWorker::Collect() {
  std::vector<std::pair<int64_t, PushResponse>> done = std::move(unsent_);
  unsent_.clear();
  while (done.size() < kRecordBatch && client_.InFlight() > 0) {
    auto got = client_.Poll(std::chrono::milliseconds(done.empty() ? 50 : 0));
    if (got.empty()) break;
    for (auto& g : got) done.push_back(std::move(g));
  }
  return done;
}

Result<PushStats> PushWorker::RunOnce() {
  const PushStats before = Totals();
  // Each claimed delivery leaves the due set (delivered, gone, failed, or due again strictly later), so this ends.
  for (;;) {
    const size_t free = options_.concurrency - std::min(options_.concurrency, in_flight_.size());
    size_t claimed = 0;
    if (free > 0) {
      TRIBUNE_ASSIGN(claimed, Claim(free, clock_.NowMicros()));
    }
    if (claimed == 0 && in_flight_.empty()) break;
    TRIBUNE_TRY(Record(Collect()));
  }
  const PushStats after = Totals();
  return PushStats{after.delivered - before.delivered, after.retried - before.retried,
                   after.expired - before.expired, after.failed - before.failed};
}

void PushWorker::Start(std::chrono::milliseconds poll) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  woken_ = true;
  thread_ = std::thread([this, poll] { Loop(poll); });
  log::Info("push worker started", "\"concurrency\":" + std::to_string(options_.concurrency));
}

void PushWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void PushWorker::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_one();
  if (thread.joinable()) thread.join();
}

PushStats PushWorker::Totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

void PushWorker::Loop(std::chrono::milliseconds poll) {
  auto last_claim = std::chrono::steady_clock::time_point{};
  bool due = true;  // the database may hold due deliveries
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (stop_) return;
      if (woken_) {
        woken_ = false;
        due = true;
      }
      if (!due && in_flight_.empty()) {
        cv_.wait_for(lock, poll, [this] { return stop_ || woken_; });
        if (stop_) return;
        woken_ = false;
        due = true;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_claim >= poll) due = true;
    const size_t free = options_.concurrency - std::min(options_.concurrency, in_flight_.size());
    if (due && free > 0) {
      last_claim = now;
      auto n = Claim(free, clock_.NowMicros());
      if (!n.ok()) {
        log::Error("push worker claim failed", "\"error\":\"" + log::JsonEscape(n.error().message) + "\"");
        due = false;
      } else if (*n < free) {
        due = false;  // nothing more is due (or only for busy services) until a slot frees or time passes
      }
    }
    if (in_flight_.empty()) continue;
    std::vector<std::pair<int64_t, PushResponse>> done = Collect();
    if (!done.empty()) {
      due = due || per_origin_.size() > 0;
      Status st = Record(std::move(done));
      if (!st.ok()) log::Error("push worker record failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    }
  }
}

}  // namespace tribune::notify
