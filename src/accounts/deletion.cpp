// Deleting an account (A4): hidden at once with its comments, restorable for 30 days by a mailed link,
// then erased by the purge job. Purged ids are also appended to a log file outside the database, so
// that after a backup from before the purge is restored, `tribune purge --reapply` erases them again.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "accounts/accounts.hpp"
#include "notify/push.hpp"
#include "accounts/audit.hpp"
#include "common/log.hpp"

namespace tribune::accounts {

namespace {

constexpr int64_t kMicros = 1'000'000;
constexpr int kPurgeBatch = 100;

void Merge(std::vector<int64_t>& into, const std::vector<int64_t>& more) {
  into.insert(into.end(), more.begin(), more.end());
}

}  // namespace

Status AccountService::DeleteAccount(int64_t account_id) {
  const int64_t now = clock_.NowMicros();
  std::vector<int64_t> changed;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto account, LoadAccount(s, account_id));
    if (account.status == "deleted" || account.status == "purged") return Ok{};
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET status_before_delete = status, status = 'deleted', deleted_at = $2"
                       " WHERE id = $1",
                       {account_id, now}));
    if (content_ != nullptr) {
      TRIBUNE_ASSIGN(changed, content_->Hide(s, account_id));
    }
    TRIBUNE_TRY(s.Exec("DELETE FROM sessions WHERE account_id = $1", {account_id}));
    // A reader's push devices go with the account: nothing is pushed to a deleted one.
    TRIBUNE_TRY(notify::SubscriptionService::RemoveAll(s, account_id));
    TRIBUNE_TRY(s.Exec("UPDATE account_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL",
                       {account_id, now}));
    TRIBUNE_ASSIGN(auto token, IssueToken(s, account_id, "restore", options_.restore_seconds));
    return Mail(s, account, "account_deleted",
                {{"link", Link("/restore", token)}, {"days", std::to_string(options_.restore_seconds / 86400)}});
  }));
  if (content_ != nullptr && !changed.empty()) content_->Changed(changed);
  return Ok{};
}

Result<Account> AccountService::RestoreAccount(const std::string& token) {
  std::vector<int64_t> changed;
  int64_t id = 0;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(id, RedeemToken(s, token, "restore"));
    TRIBUNE_ASSIGN(auto account, LoadAccount(s, id));
    if (account.status != "deleted") return MakeError(ErrorCode::kGone, "This account can no longer be restored.");
    TRIBUNE_TRY(s.Exec(
        "UPDATE accounts SET status = COALESCE(status_before_delete, 'active'), status_before_delete = NULL,"
        " deleted_at = NULL WHERE id = $1",
        {id}));
    if (content_ != nullptr) {
      TRIBUNE_ASSIGN(changed, content_->Restore(s, id));
    }
    TRIBUNE_ASSIGN(account, LoadAccount(s, id));
    TRIBUNE_TRY(Mail(s, account, "account_restored", {}));
    if (account.status != "unconfirmed") return Ok{};
    // Deletion spent its confirmation link: a restored unconfirmed account gets a fresh one.
    TRIBUNE_ASSIGN(auto confirm, IssueToken(s, id, "confirm", options_.confirm_link_seconds));
    return Mail(s, account, "confirm_account", {{"link", Link("/confirm", confirm)}});
  }));
  if (content_ != nullptr && !changed.empty()) content_->Changed(changed);
  return FindById(id);
}

Status AccountService::EraseAccount(storage::Session& s, int64_t id, std::vector<int64_t>& changed) {
  TRIBUNE_TRY(s.Exec(
      "UPDATE accounts SET email = $2, display_name = '', password_hash = '', status = 'purged',"
      " status_before_delete = NULL, confirmed_at = NULL, password_changed_at = NULL, has_avatar = 0, language = 'en'"
      " WHERE id = $1",
      {id, "purged-" + std::to_string(id) + "@invalid"}));
  for (const char* sql : {"DELETE FROM account_roles WHERE account_id = $1", "DELETE FROM sessions WHERE account_id = $1",
                          "DELETE FROM api_tokens WHERE account_id = $1",
                          // Restore links stay (marked used below), so that a late click answers 410.
                          "DELETE FROM account_tokens WHERE account_id = $1 AND purpose <> 'restore'",
                          "DELETE FROM social_identities WHERE account_id = $1",
                          "DELETE FROM avatars WHERE account_id = $1", "DELETE FROM mail_outbox WHERE account_id = $1",
                          "DELETE FROM account_standing WHERE account_id = $1",
                          "DELETE FROM notification_prefs WHERE account_id = $1",
                          "DELETE FROM reply_digest_items WHERE account_id = $1"}) {
    TRIBUNE_TRY(s.Exec(sql, {id}));
  }
  TRIBUNE_TRY(notify::SubscriptionService::RemoveAll(s, id));
  if (content_ != nullptr) {
    TRIBUNE_ASSIGN(auto articles, content_->Erase(s, id));
    Merge(changed, articles);
  }
  TRIBUNE_TRY(s.Exec("UPDATE account_tokens SET used_at = COALESCE(used_at, $2) WHERE account_id = $1",
                     {id, clock_.NowMicros()}));
  TRIBUNE_TRY(s.Exec("INSERT INTO purged_accounts (account_id, purged_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                     {id, clock_.NowMicros()}));
  return Ok{};
}

Status AccountService::RecordPurged(int64_t account_id) {
  if (options_.purge_log.empty()) return Ok{};
  const std::string line = std::to_string(account_id) + "\n";
  const int fd = ::open(options_.purge_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const bool ok =
      fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (ok) return Ok{};
  // Without the record a restored backup would bring the account back for good: purge nothing until it works.
  log::Error("purge log write failed", "\"path\":\"" + log::JsonEscape(options_.purge_log) + "\"");
  return MakeError(ErrorCode::kUnavailable, "cannot append to the purge log " + options_.purge_log);
}

Status AccountService::PurgeNow(int64_t admin_id, int64_t account_id) {
  auto rows = db_.Read("SELECT status, email FROM accounts WHERE id = $1", {account_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty() || (*rows)[0].Text(0) == "purged") return MakeError(ErrorCode::kNotFound, "No such account.");
  const std::string before = (*rows)[0].Text(0);
  TRIBUNE_TRY(RecordPurged(account_id));
  std::vector<int64_t> changed;
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(EraseAccount(s, account_id, changed));
    return RecordAudit(s, ids_, now,
                       {admin_id, "account.delete", "account", account_id, "{\"status\":\"" + before + "\"}",
                        "{\"status\":\"purged\"}", "deleted without notice"});
  }));
  if (content_ != nullptr && !changed.empty()) content_->Changed(changed);
  log::Info("account deleted by an admin", "\"account_id\":\"" + std::to_string(account_id) + "\"");
  return Ok{};
}

Result<int> AccountService::PurgeDue() {
  const int64_t cutoff = clock_.NowMicros() - options_.restore_seconds * kMicros;
  int purged = 0;
  while (true) {
    auto rows = db_.Read("SELECT id FROM accounts WHERE status = 'deleted' AND deleted_at <= $1 ORDER BY id LIMIT $2",
                         {cutoff, static_cast<int64_t>(kPurgeBatch)});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) break;
    std::vector<int64_t> ids;
    for (const auto& r : *rows) ids.push_back(r.Int(0));
    // Recorded before the erasure commits: an id in the log whose erasure never happened was due anyway.
    for (int64_t id : ids) TRIBUNE_TRY(RecordPurged(id));
    std::vector<int64_t> changed;
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      for (int64_t id : ids) TRIBUNE_TRY(EraseAccount(s, id, changed));
      return Ok{};
    }));
    if (content_ != nullptr && !changed.empty()) content_->Changed(changed);
    purged += static_cast<int>(ids.size());
    for (int64_t id : ids) log::Info("account purged", "\"account_id\":\"" + std::to_string(id) + "\"");
  }
  return purged;
}

Result<int> AccountService::ReapplyPurges() {
  std::set<int64_t> ids;
  auto rows = db_.Read("SELECT account_id FROM purged_accounts");
  if (!rows.ok()) return std::move(rows).error();
  for (const auto& r : *rows) ids.insert(r.Int(0));
  if (!options_.purge_log.empty()) {
    std::ifstream in(options_.purge_log);
    std::string line;
    while (std::getline(in, line)) {
      try {
        if (!line.empty()) ids.insert(std::stoll(line));
      } catch (const std::exception&) {
        log::Warn("purge log: a line that is not an id", "\"path\":\"" + log::JsonEscape(options_.purge_log) + "\"");
      }
    }
  }
  int erased = 0;
  for (int64_t id : ids) {
    std::vector<int64_t> changed;
    bool had_data = false;
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      auto found = s.Query("SELECT status FROM accounts WHERE id = $1", {id});
      if (!found.ok()) return std::move(found).error();
      had_data = !found->empty() && (*found)[0].Text(0) != "purged";
      if (found->empty()) {
        TRIBUNE_TRY(s.Exec("INSERT INTO purged_accounts (account_id, purged_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           {id, clock_.NowMicros()}));
        return Ok{};
      }
      return EraseAccount(s, id, changed);
    }));
    if (content_ != nullptr && !changed.empty()) content_->Changed(changed);
    if (had_data) ++erased;
  }
  return erased;
}

}  // namespace tribune::accounts
