// PreferenceService: e-mail notice choices and signed unsubscribe tokens.
#include "notify/prefs.hpp"

#include <charconv>
#include <stdexcept>

#include "common/random.hpp"

namespace tribune::notify {

namespace {

// A token is "<account id>.<mac>", mac = HMAC-SHA-256(key, "unsubscribe:replies:<account id>") in base64url.
std::string Mac(const std::string& key, int64_t account_id) {
  return HmacSha256B64(key, "unsubscribe:replies:" + std::to_string(account_id));
}

}  // namespace

bool IsEmailRepliesMode(std::string_view mode) { return mode == "off" || mode == "immediate" || mode == "daily"; }

PreferenceService::PreferenceService(storage::Database& db, const Clock& clock, std::string key)
    : db_(db), clock_(clock), key_(std::move(key)) {
  if (key_.size() < 32) throw std::invalid_argument("notify: the unsubscribe key needs at least 32 bytes");
}

Result<std::string> PreferenceService::EmailReplies(storage::Session& s, int64_t account_id) {
  TRIBUNE_ASSIGN(storage::Rows rows,
                 s.Query("SELECT email_replies FROM notification_prefs WHERE account_id = $1", {account_id}));
  return rows.empty() ? std::string("off") : rows[0].Text(0);
}

Result<std::string> PreferenceService::EmailReplies(int64_t account_id) {
  std::string mode;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(mode, EmailReplies(s, account_id));
    return Ok{};
  }));
  return mode;
}

Status PreferenceService::SetEmailReplies(int64_t account_id, std::string_view mode) {
  if (!IsEmailRepliesMode(mode)) {
    return MakeError(ErrorCode::kBadRequest, "email_replies must be \"off\", \"immediate\" or \"daily\".");
  }
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO notification_prefs (account_id, email_replies, updated_at) VALUES ($1, $2, $3)"
                       " ON CONFLICT (account_id) DO UPDATE SET email_replies = excluded.email_replies,"
                       " updated_at = excluded.updated_at",
                       {account_id, std::string(mode), now}));
    // Replies waiting for a digest the reader no longer wants are not sent later by surprise.
    if (mode != "daily") TRIBUNE_TRY(s.Exec("DELETE FROM reply_digest_items WHERE account_id = $1", {account_id}));
    return Ok{};
  });
}

std::string PreferenceService::UnsubscribeToken(int64_t account_id) const {
  return std::to_string(account_id) + "." + Mac(key_, account_id);
}

Result<int64_t> PreferenceService::Verify(std::string_view token) const {
  const Error bad = MakeError(ErrorCode::kBadRequest, "This unsubscribe link is not valid.");
  if (token.size() > 128) return bad;
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return bad;
  const std::string_view digits = token.substr(0, dot);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits[0] == '0') return bad;
  int64_t account_id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), account_id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return bad;  // beyond int64
  if (!ConstantTimeEquals(Mac(key_, account_id), token.substr(dot + 1))) return bad;
  return account_id;
}

Result<int64_t> PreferenceService::Unsubscribe(std::string_view token) {
  TRIBUNE_ASSIGN(int64_t account_id, Verify(token));
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows,
                   s.Query("SELECT 1 FROM accounts WHERE id = $1 AND status <> 'purged'", {account_id}));
    if (rows.empty()) return Ok{};  // purged since (or never here): nothing left to stop
    TRIBUNE_TRY(s.Exec("INSERT INTO notification_prefs (account_id, email_replies, updated_at) VALUES ($1, 'off', $2)"
                       " ON CONFLICT (account_id) DO UPDATE SET email_replies = 'off', updated_at = excluded.updated_at",
                       {account_id, now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM reply_digest_items WHERE account_id = $1", {account_id}));
    return Ok{};
  }));
  return account_id;
}

}  // namespace tribune::notify
