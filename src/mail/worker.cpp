// OutboxWorker: claim due mails in a write transaction, send outside it, record the outcome.
#include <random>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "mail/mail.hpp"

namespace tribune::mail {
namespace {

// A claimed mail belongs to its worker this long; after that another worker may reclaim it (the
// first one crashed). Far above the SMTP transaction timeout.
constexpr int64_t kLeaseMicros = 5ll * 60 * 1'000'000;

struct Claimed {
  int64_t id = 0;
  std::string message_id;
  std::string kind;
  std::string recipient;
  std::string message;
  int64_t attempts = 0;  // including this one
  SendResult result;
};

double JitterUnit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string Fields(const Claimed& c) {
  return "\"message_id\":\"" + log::JsonEscape(c.message_id) + "\",\"kind\":\"" + log::JsonEscape(c.kind) +
         "\",\"attempt\":" + std::to_string(c.attempts);
}

}  // namespace

OutboxWorker::OutboxWorker(storage::Database& db, const Clock& clock, Transport& transport,
                           std::string from_address, RetryOptions retry, int batch)
    : db_(db),
      clock_(clock),
      transport_(transport),
      from_address_(std::move(from_address)),
      retry_(retry),
      batch_(batch < 1 ? 1 : batch) {}

OutboxWorker::~OutboxWorker() { Stop(); }

Result<WorkerStats> OutboxWorker::RunOnce() {
  WorkerStats stats;
  // Rounds end when nothing is due; each claimed mail leaves the due set (sent, failed, or due again
  // strictly later), so this terminates. The bound only guards against a clock-free surprise.
  for (int round = 0; round < 10'000; ++round) {
    int64_t now = clock_.NowMicros();
    std::vector<Claimed> claimed;
    int64_t abandoned = 0;
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      claimed.clear();
      // A mail whose last permitted attempt crashed mid-send is not tried again.
      TRIBUNE_ASSIGN(
          abandoned,
          s.Exec("UPDATE mail_outbox SET state = 'failed', last_error = 'lease expired on the last attempt' "
                 "WHERE state = 'sending' AND next_attempt_at <= $1 AND attempts >= $2",
                 {now, int64_t{retry_.max_attempts}}));
      // The outer conditions repeat the inner ones so that, on PostgreSQL, a row another worker
      // claimed meanwhile is skipped after its lock is released.
      TRIBUNE_ASSIGN(
          storage::Rows rows,
          s.Query("UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = $2 "
                  "WHERE id IN (SELECT id FROM mail_outbox WHERE state IN ('pending', 'sending') "
                  "AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3) "
                  "AND state IN ('pending', 'sending') AND next_attempt_at <= $1 "
                  "RETURNING id, message_id, kind, recipient, message, attempts",
                  {now, now + kLeaseMicros, int64_t{batch_}}));
      for (const auto& row : rows) {
        claimed.push_back({row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Int(5), {}});
      }
      return {};
    }));
    stats.failed += static_cast<int>(abandoned);
    if (claimed.empty()) break;

    for (auto& c : claimed) {
      c.result = transport_.Send(Envelope{c.message_id, from_address_, c.recipient, c.message});
    }

    int64_t done = clock_.NowMicros();
    WorkerStats round_stats;
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      round_stats = {};
      for (const auto& c : claimed) {
        // Only while the lease is still ours: a reclaimed mail has a higher attempt count.
        if (c.result.outcome == SendOutcome::kSent) {
          TRIBUNE_TRY(
              s.Exec("UPDATE mail_outbox SET state = 'sent', sent_at = $3, last_error = '' "
                     "WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                     {c.id, c.attempts, done}));
          ++round_stats.sent;
        } else if (c.result.outcome == SendOutcome::kTransient && c.attempts < retry_.max_attempts) {
          int64_t delay = RetryDelay(retry_, static_cast<int>(c.attempts) + 1, JitterUnit()).count();
          TRIBUNE_TRY(
              s.Exec("UPDATE mail_outbox SET state = 'pending', next_attempt_at = $3, last_error = $4 "
                     "WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                     {c.id, c.attempts, done + delay, c.result.detail}));
          ++round_stats.retried;
        } else {
          TRIBUNE_TRY(
              s.Exec("UPDATE mail_outbox SET state = 'failed', last_error = $3 "
                     "WHERE id = $1 AND attempts = $2 AND state = 'sending'",
                     {c.id, c.attempts, c.result.detail}));
          ++round_stats.failed;
        }
      }
      return {};
    }));
    stats.sent += round_stats.sent;
    stats.retried += round_stats.retried;
    stats.failed += round_stats.failed;

    for (const auto& c : claimed) {
      std::string fields = Fields(c) + ",\"detail\":\"" + log::JsonEscape(c.result.detail) + "\"";
      switch (c.result.outcome) {
        case SendOutcome::kSent:
          log::Info("mail sent", Fields(c));
          break;
        case SendOutcome::kTransient:
          if (c.attempts < retry_.max_attempts) {
            log::Warn("mail deferred", fields);
          } else {
            log::Error("mail failed after the last attempt", fields);
          }
          break;
        case SendOutcome::kPermanent:
          log::Error("mail refused", fields);
          break;
      }
    }
  }
  return stats;
}

void OutboxWorker::Start(std::chrono::milliseconds poll) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  woken_ = false;
  log::Info("mail worker started", "\"transport\":\"" + log::JsonEscape(transport_.Describe()) + "\"");
  thread_ = std::thread([this, poll] { Loop(poll); });
}

void OutboxWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void OutboxWorker::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_one();
  if (thread.joinable()) thread.join();
}

void OutboxWorker::Loop(std::chrono::milliseconds poll) {
  for (;;) {
    auto result = RunOnce();
    if (!result.ok()) {
      log::Error("mail worker round failed", "\"error\":\"" + log::JsonEscape(result.error().message) + "\"");
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, poll, [this] { return stop_ || woken_; });
    if (stop_) return;
    woken_ = false;
  }
}

}  // namespace tribune::mail
