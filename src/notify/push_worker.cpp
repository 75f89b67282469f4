// PushWorker: claim due deliveries under a lease, encrypt and sign each, keep them in flight through the
// PushClient, record the outcomes in batches.
#include <algorithm>
#include <array>
#include <future>
#include <memory>
#include <random>
#include <unordered_map>

#include "common/log.hpp"
#include "common/random.hpp"
#include "notify/push.hpp"

namespace tribune::notify {

namespace {

// Outcomes are written in batches: at most this many, gathered for at most kGather after the first.
constexpr size_t kRecordBatch = 1024;
constexpr auto kGather = std::chrono::milliseconds(20);
// A service may hold this many times its share of slots in claimed deliveries (queued + in flight): enough to
// keep its slots busy between claims, few enough that a hanging one's backlog is sent within its lease.
constexpr size_t kHoldFactor = 4;

double JitterUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

struct Message {
  std::string payload;
  int64_t ttl = 0;         // seconds, from the message's creation
  int64_t created_at = 0;  // micros
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

struct PushWorker::Held {
  int64_t delivery_id = 0;
  int64_t message_id = 0;
  int64_t subscription_id = 0;
  int64_t attempts = 0;
  std::string origin;
  std::string endpoint;
  std::string p256dh;
  std::string auth;
  std::shared_ptr<const Message> message;  // nullptr: the message row is gone
  bool sending = false;
  int64_t leased_until = 0;  // micros
};

PushWorker::PushWorker(storage::Database& db, const Clock& clock, VapidSigner& signer, PushClient& client,
                       PushWorkerOptions options)
    : db_(db), clock_(clock), signer_(signer), client_(client), options_(options) {
  options_.concurrency = std::max<size_t>(1, options_.concurrency);
  options_.per_origin = std::clamp<size_t>(options_.per_origin, 1, options_.concurrency);
  options_.max_attempts = std::max(1, options_.max_attempts);
}

PushWorker::~PushWorker() {
  Stop();
  // A commit still running (RunOnce returned early on an error) uses this object's members.
  if (recording_.valid()) recording_.wait();
}

Result<size_t> PushWorker::Claim(size_t limit, int64_t now) {
  if (limit == 0) return size_t{0};
  const size_t hold_cap = options_.per_origin * kHoldFactor;
  const int64_t lease = std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
  std::vector<std::unique_ptr<Held>> claimed;
  int64_t abandoned = 0;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    claimed.clear();
    // Our own deliveries keep their lease while we hold them (a slow service, a clock that jumped): renewed when
    // half of it is gone, before anything below could take them for a dead worker's.
    for (auto& [id, held] : held_) {
      if (held->leased_until - lease / 2 > now) continue;
      TRIBUNE_TRY(s.Exec("UPDATE push_deliveries SET next_attempt_at = $3 WHERE id = $1 AND attempts = $2"
                         " AND state = 'sending'",
                         {id, held->attempts, now + lease}));
      held->leased_until = now + lease;
    }
    // A delivery whose last permitted attempt died mid-send is not tried again.
    TRIBUNE_ASSIGN(storage::Rows lost,
                   s.Query("UPDATE push_deliveries SET state = 'failed', last_error = 'lease expired on the last attempt'"
                           " WHERE state = 'sending' AND next_attempt_at <= $1 AND attempts >= $2 RETURNING message_id",
                           {now, int64_t{options_.max_attempts}}));
    abandoned = static_cast<int64_t>(lost.size());
    std::unordered_map<int64_t, int64_t> lost_per_message;
    for (const auto& r : lost) ++lost_per_message[r.Int(0)];
    for (const auto& [message, n] : lost_per_message) {
      TRIBUNE_TRY(s.Exec("UPDATE push_messages SET failed = failed + $2 WHERE id = $1", {message, n}));
    }
    // Services already holding their share wait; everyone else's deliveries go ahead of them. Deliveries whose
    // lease ran out (a worker died) come first; each state is read on its own, in the index's order (an IN over
    // both states would sort every due row on each claim).
    storage::Params params{now, static_cast<int64_t>(limit), std::string("sending")};
    std::string full;
    for (const auto& [origin, n] : held_per_origin_) {
      if (n < hold_cap) continue;
      params.push_back(origin);
      full += (full.empty() ? "" : ", ") + std::string("$") + std::to_string(params.size());
    }
    const std::string sql =
        "SELECT d.id, d.message_id, d.subscription_id, d.attempts, s.endpoint, s.origin, s.p256dh, s.auth, d.state"
        " FROM push_deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id"
        " WHERE d.state = $3 AND d.next_attempt_at <= $1" +
        (full.empty() ? std::string() : " AND s.origin NOT IN (" + full + ")") +
        " ORDER BY d.next_attempt_at, d.id LIMIT $2";
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query(sql, params));
    if (rows.size() < limit) {
      params[1] = static_cast<int64_t>(limit - rows.size());
      params[2] = std::string("pending");
      TRIBUNE_ASSIGN(storage::Rows pending, s.Query(sql, params));
      for (auto& r : pending) rows.push_back(std::move(r));
    }
    std::unordered_map<std::string, size_t> taken;
    std::unordered_map<int64_t, std::shared_ptr<const Message>> messages;
    for (const auto& r : rows) {
      const std::string& origin = r.Text(5);
      if (held_.count(r.Int(0)) != 0) continue;  // ours already, queued past its lease: not a second copy
      auto it = held_per_origin_.find(origin);
      if ((it == held_per_origin_.end() ? 0 : it->second) + taken[origin] >= hold_cap) continue;
      auto h = std::make_unique<Held>();
      h->delivery_id = r.Int(0);
      h->message_id = r.Int(1);
      h->subscription_id = r.Int(2);
      h->attempts = r.Int(3) + 1;
      h->endpoint = r.Text(4);
      h->origin = origin;
      h->p256dh = r.Text(6);
      h->auth = r.Text(7);
      // Only if nobody claimed it since it was read (another server, on a database that lets two read it).
      TRIBUNE_ASSIGN(const int64_t took,
                     s.Exec("UPDATE push_deliveries SET state = 'sending', attempts = $2, next_attempt_at = $3"
                            " WHERE id = $1 AND attempts = $4 AND state = $5",
                            {h->delivery_id, h->attempts, now + lease, h->attempts - 1, r.Text(8)}));
      if (took == 0) continue;
      h->leased_until = now + lease;
      ++taken[origin];
      auto m = messages.find(h->message_id);
      if (m == messages.end()) {
        TRIBUNE_ASSIGN(storage::Rows mr, s.Query("SELECT payload, ttl_seconds, urgency, topic, created_at FROM"
                                                 " push_messages WHERE id = $1", {h->message_id}));
        std::shared_ptr<const Message> loaded;
        if (!mr.empty()) {
          loaded = std::make_shared<const Message>(
              Message{mr[0].Text(0), mr[0].Int(1), mr[0].Int(4), mr[0].Text(2), mr[0].Text(3)});
        }
        m = messages.emplace(h->message_id, std::move(loaded)).first;
      }
      h->message = m->second;
      claimed.push_back(std::move(h));
    }
    return Ok{};
  }));
  if (abandoned > 0) {
    std::lock_guard lock(mu_);
    totals_.failed += abandoned;
  }
  for (auto& h : claimed) {
    ++held_per_origin_[h->origin];
    queue_.push_back(h->delivery_id);
    held_[h->delivery_id] = std::move(h);
  }
  return claimed.size();
}

void PushWorker::ReleaseQueued() {
  // Claimed but never sent: back to the queue at once, the attempt not spent (a restart would otherwise wait out
  // the lease). What is in flight keeps its lease: it may have reached the service.
  std::vector<std::pair<int64_t, int64_t>> queued;
  for (int64_t id : queue_) {
    const Held& h = *held_.at(id);
    if (!h.sending) queued.emplace_back(id, h.attempts);
  }
  if (queued.empty()) return;
  const int64_t now = clock_.NowMicros();
  Status st = db_.Write([&](storage::Session& s) -> Status {
    for (const auto& [id, attempts] : queued) {
      TRIBUNE_TRY(s.Exec("UPDATE push_deliveries SET state = 'pending', attempts = $2 - 1, next_attempt_at = $3"
                         " WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                         {id, attempts, now}));
    }
    return Ok{};
  });
  if (!st.ok()) log::Warn("push: queued deliveries not released", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
}

bool PushWorker::Refillable() const {
  // A claim while every service we hold is at its share would exclude them all and scan every due row only to
  // find none of theirs: wait until one has room for a good batch (or the poll interval, for new services).
  if (held_per_origin_.empty()) return true;
  const size_t hold_cap = options_.per_origin * kHoldFactor;
  for (const auto& [origin, n] : held_per_origin_) {
    if (n <= hold_cap / 2) return true;
  }
  return false;
}

void PushWorker::Pump(int64_t now) {
  const int64_t now_unix = now / 1'000'000;
  size_t sending = client_.InFlight();
  std::vector<int64_t> rest;
  rest.reserve(queue_.size());
  for (int64_t id : queue_) {
    Held& h = *held_.at(id);
    size_t& busy = sending_per_origin_[h.origin];
    if (sending >= options_.concurrency || busy >= options_.per_origin) {
      rest.push_back(id);
      continue;
    }
    // Encrypted at the last moment: the CPU work spreads over the run instead of stalling the claim.
    const auto p256dh = Base64UrlDecode(h.p256dh);
    const auto auth = Base64UrlDecode(h.auth);
    Result<std::string> body = MakeError(ErrorCode::kBadRequest, "the message is gone");
    // A retry carries what is left of the message's lifetime: breaking news must not arrive a day late.
    const int64_t ttl_left = h.message ? h.message->ttl - (now - h.message->created_at) / 1'000'000 : 0;
    if (h.message && ttl_left < 0) {
      body = MakeError(ErrorCode::kBadRequest, "its time to live ran out before it could be delivered");
    } else if (h.message && p256dh && auth) {
      body = Encrypt(*p256dh, *auth, h.message->payload);
    }
    Result<std::string> authorization = signer_.Authorization(h.origin, now_unix);
    h.sending = true;
    ++busy;
    if (!body.ok() || !authorization.ok()) {
      // Not sendable as stored (keys no browser gives, a lost message): a refusal that no retry would change.
      const std::string why = !body.ok() ? body.error().message : authorization.error().message;
      unsent_.emplace_back(id, PushResponse{-1, "not sendable: " + why, -1});
      log::Warn("push not sendable", "\"delivery\":" + std::to_string(id) + ",\"error\":\"" + log::JsonEscape(why) + "\"");
      continue;
    }
    PushRequest req;
    req.delivery_id = id;
    req.endpoint = h.endpoint;
    req.origin = h.origin;
    req.headers = {"Content-Type: application/octet-stream", "Content-Encoding: aes128gcm",
                   "TTL: " + std::to_string(ttl_left), "Urgency: " + h.message->urgency,
                   "Authorization: " + *authorization};
    if (!h.message->topic.empty()) req.headers.push_back("Topic: " + h.message->topic);
    req.body = std::move(body).value();
    client_.Submit(std::move(req));
    ++sending;
  }
  queue_ = std::move(rest);
}

struct PushWorker::Done {
  std::unique_ptr<Held> flight;
  PushResponse response;
  Outcome outcome;
};

Status PushWorker::Settle() {
  if (!recording_.valid()) return Ok{};
  return recording_.get();
}

void PushWorker::Finish(std::vector<std::pair<int64_t, PushResponse>> done) {
  const auto release = [](std::map<std::string, size_t>& counts, const std::string& origin) {
    auto it = counts.find(origin);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  };
  for (auto& [id, response] : done) {
    auto it = held_.find(id);
    if (it == held_.end()) continue;
    release(held_per_origin_, it->second->origin);
    if (it->second->sending) release(sending_per_origin_, it->second->origin);
    const Outcome outcome = Classify(response);
    if (finished_.empty()) first_finished_ = std::chrono::steady_clock::now();
    finished_.push_back({std::move(it->second), std::move(response), outcome});
    held_.erase(it);
  }
}

Status PushWorker::Flush(bool force) {
  if (finished_.empty()) return Ok{};
  if (!force && finished_.size() < kRecordBatch && std::chrono::steady_clock::now() - first_finished_ < kGather) {
    return Ok{};
  }
  // The commit runs beside the next rounds of sending (one at a time): waiting for the disk would leave every
  // slot idle. The rows stay 'sending' under their lease until it lands, so nothing is claimed twice meanwhile.
  Status previous = Settle();
  auto outcomes = std::make_shared<std::vector<Done>>(std::move(finished_));
  finished_.clear();
  const int64_t now = clock_.NowMicros();
  recording_ = std::async(std::launch::async, [this, outcomes, now] { return Commit(*outcomes, now); });
  return previous;
}

Status PushWorker::Commit(std::vector<Done>& outcomes, int64_t now) {
  PushStats round;
  const auto record = [&](storage::Session& s) -> Status {
    round = {};
    std::unordered_map<int64_t, std::array<int64_t, 3>> per_message;  // delivered, expired, failed
    for (const Done& d : outcomes) {
      const Held& f = *d.flight;
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
          // Every message still queued for the subscription counts it as expired, so that each message's
          // recipients stay delivered + expired + failed + still queued.
          TRIBUNE_ASSIGN(storage::Rows queued, s.Query("DELETE FROM push_deliveries WHERE subscription_id = $1"
                                                       " RETURNING message_id", {f.subscription_id}));
          TRIBUNE_TRY(s.Exec("DELETE FROM push_subscriptions WHERE id = $1", {f.subscription_id}));
          for (const auto& q : queued) ++per_message[q.Int(0)][1];
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
  };
  // What was sent must be recorded, or it is sent again when its lease runs out: a failed commit (the disk, a
  // busy database) is tried again a few times before giving up to that.
  Status st = db_.Write(record);
  for (int retry = 1; !st.ok() && retry <= 3; ++retry) {
    log::Warn("push outcomes not recorded, trying again", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * retry));
    st = db_.Write(record);
  }
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
    const std::string fields = "\"delivery\":" + std::to_string(d.flight->delivery_id) + ",\"origin\":\"" +
                               log::JsonEscape(d.flight->origin) + "\",\"status\":" + std::to_string(d.response.status) +
                               ",\"attempt\":" + std::to_string(d.flight->attempts) + ",\"detail\":\"" +
                               log::JsonEscape(d.response.detail.substr(0, 200)) + "\"";
    if (d.outcome == Outcome::kGone) {
      log::Info("push subscription gone", fields);
    } else if (d.outcome == Outcome::kRetry && d.flight->attempts < options_.max_attempts) {
      log::Warn("push deferred", fields);
    } else {
      log::Error("push failed", fields);
    }
  }
  return Ok{};
}

void PushWorker::Step() {
  std::vector<std::pair<int64_t, PushResponse>> done = std::move(unsent_);
  unsent_.clear();
  if (client_.InFlight() > 0) {
    // Wait for answers only as long as the outcomes already in hand may wait for their commit.
    auto wait = std::chrono::milliseconds(done.empty() ? 50 : 0);
    if (!finished_.empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          first_finished_ + kGather - std::chrono::steady_clock::now());
      wait = std::clamp(left, std::chrono::milliseconds(0), wait);
    }
    for (auto& g : client_.Poll(wait)) done.push_back(std::move(g));
  }
  Finish(std::move(done));
}

Result<PushStats> PushWorker::RunOnce() {
  TRIBUNE_TRY(Settle());
  const PushStats before = Totals();
  // Each claimed delivery leaves the due set (delivered, gone, failed, or due again strictly later), so this ends.
  for (;;) {
    size_t claimed = 0;
    if (held_.size() < options_.concurrency * 2 && Refillable()) {
      TRIBUNE_ASSIGN(claimed, Claim(options_.concurrency * kHoldFactor - held_.size(), clock_.NowMicros()));
    }
    if (claimed == 0 && held_.empty()) break;
    Pump(clock_.NowMicros());
    Step();
    TRIBUNE_TRY(Flush(false));
  }
  TRIBUNE_TRY(Flush(true));
  TRIBUNE_TRY(Settle());
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
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      if (!stop_ && !due && held_.empty()) {
        cv_.wait_for(lock, poll, [this] { return stop_ || woken_; });
        due = true;
      }
      stopping = stop_;
      if (woken_) due = true;
      woken_ = false;
    }
    if (stopping) {
      ReleaseQueued();
      Status flushed = Flush(true);
      if (Status st = Settle(); !flushed.ok() || !st.ok()) {
        log::Error("push worker record failed", "\"error\":\"" +
                                                     log::JsonEscape((flushed.ok() ? st : flushed).error().message) + "\"");
      }
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool polled = now - last_claim >= poll;
    if (polled) due = true;
    // Keep a claimed backlog of up to kHoldFactor × concurrency, topped up when it falls under half of that.
    const size_t target = options_.concurrency * kHoldFactor;
    if (due && held_.size() <= target / 2 && (polled || Refillable())) {
      last_claim = now;
      const size_t want = target - held_.size();
      auto n = Claim(want, clock_.NowMicros());
      if (!n.ok()) {
        log::Error("push worker claim failed", "\"error\":\"" + log::JsonEscape(n.error().message) + "\"");
        due = false;
      } else if (*n < want) {
        due = false;  // nothing more is due (or only for services holding their share) until time passes
      }
    }
    Pump(clock_.NowMicros());
    const size_t before = held_.size();
    Step();
    if (held_.size() < before) due = true;  // slots freed: services that were held back may be claimed again
    Status st = Flush(held_.empty());
    if (!st.ok()) log::Error("push worker record failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  }
}

}  // namespace tribune::notify
