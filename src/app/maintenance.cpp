#include "app/maintenance.hpp"

#include <algorithm>

#include "common/log.hpp"

namespace tribune::app {

Status Maintenance::RunDue() {
  std::lock_guard run(run_mu_);
  // Servers sharing a database take turns: one runs the jobs, the others skip this round.
  auto ran = s_.db->RunExclusive(kMaintenanceLock, [this] { return RunJobs(); });
  if (!ran.ok()) return std::move(ran).error();
  if (!*ran) log::Info("maintenance: another server is running it");
  return Ok{};
}

Status Maintenance::RunInteropJobs() {
  if (!s_.coral) return Ok{};
  TRIBUNE_ASSIGN(const int64_t pruned, s_.coral->Prune());
  if (pruned > 0) log::Info("coral decision records pruned", "\"records\":" + std::to_string(pruned));
  // Foreign clients' labelled examples hold their users' text too: kept as long as Coral's decision records (the
  // model saved since has learned them).
  const int64_t days = std::max<int64_t>(1, s_.config.GetInt("interop.coral_record_days"));
  const int64_t before = s_.clock.NowMicros() - days * 86'400'000'000;
  return s_.db->Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM interop_feedback WHERE created_at < $1", {before}));
    return Ok{};
  });
}

Status Maintenance::RunJobs() {
  // The interop jobs failing must not stop the site's.
  if (Status st = RunInteropJobs(); !st.ok()) {
    log::Error("maintenance: interop jobs failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  }
  if (engine_only_) return Ok{};
  TRIBUNE_ASSIGN(const int purged, s_.accounts->PurgeDue());
  const int64_t now = s_.clock.NowMicros();
  constexpr int64_t kDay = 86'400'000'000;
  TRIBUNE_TRY(s_.db->Write([&](storage::Session& s) -> Status {
    // Used or expired link tokens are kept a day (so a second click says "already used", not "unknown"), then
    // dropped; restore links a year, so that a late click on one says the account is gone.
    TRIBUNE_TRY(s.Exec("DELETE FROM account_tokens WHERE (purpose <> 'restore' AND (expires_at < $1 OR used_at < $1))"
                       " OR expires_at < $2",
                       {now - kDay, now - 365 * kDay}));
    TRIBUNE_TRY(s.Exec("DELETE FROM captcha_used WHERE expires_at < $1", {now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM social_logins WHERE expires_at < $1", {now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM social_signups WHERE expires_at < $1", {now}));
    // Push messages are kept 30 days for their counts and de-duplication keys, failed deliveries as long.
    TRIBUNE_TRY(s.Exec("DELETE FROM push_deliveries WHERE state = 'failed' AND message_id IN"
                       " (SELECT id FROM push_messages WHERE created_at < $1)",
                       {now - 30 * kDay}));
    TRIBUNE_TRY(s.Exec("DELETE FROM push_messages WHERE created_at < $1 AND NOT EXISTS"
                       " (SELECT 1 FROM push_deliveries d WHERE d.message_id = push_messages.id)",
                       {now - 30 * kDay}));
    return Ok{};
  }));
  if (s_.notices) {
    TRIBUNE_ASSIGN(const int digests, s_.notices->SendDigests(*s_.db, now));
    if (digests > 0) log::Info("reply digests queued", "\"mails\":" + std::to_string(digests));
  }
  if (s_.newsletters) {
    TRIBUNE_TRY(s_.newsletters->CleanUp(now));
    TRIBUNE_ASSIGN(const notify::DigestRun run, s_.newsletters->SendDigests(now));
    if (run.mails > 0) log::Info("news digests queued", "\"mails\":" + std::to_string(run.mails));
  }
  if (purged > 0) log::Info("purge", "\"accounts\":" + std::to_string(purged));
  return Ok{};
}

void Maintenance::Start(std::chrono::seconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      if (Status st = RunDue(); !st.ok()) {
        log::Error("maintenance failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
      }
      lock.lock();
      cv_.wait_for(lock, interval, [this] { return stop_; });
    }
  });
}

void Maintenance::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tribune::app
