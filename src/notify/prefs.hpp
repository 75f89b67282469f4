// A reader's notification choices that are not tied to one browser: e-mail notices of replies (off, at once, or
// in a daily digest), and the signed one-click unsubscribe link every notice mail carries (RFC 8058), which works
// without signing in and never expires.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::notify {

// "off" (the default: notices are opt-in), "immediate" or "daily".
bool IsEmailRepliesMode(std::string_view mode);

class PreferenceService {
 public:
  // `key`: the HMAC key for unsubscribe tokens (at least 32 bytes; kept in the database, shared by servers).
  PreferenceService(storage::Database& db, const Clock& clock, std::string key);

  Result<std::string> EmailReplies(int64_t account_id);
  // In the caller's transaction (the reply notices read it where the reply is stored).
  static Result<std::string> EmailReplies(storage::Session& s, int64_t account_id);
  // Errors: kBadRequest (not a mode).
  Status SetEmailReplies(int64_t account_id, std::string_view mode);

  // The token of the one-click link that stops `account_id`'s reply notices.
  std::string UnsubscribeToken(int64_t account_id) const;
  // Stops the notices the token names; idempotent (a second click, or an account since deleted, is fine).
  // Returns the account id. Errors: kBadRequest (not a token of this site).
  Result<int64_t> Unsubscribe(std::string_view token);
  // The account a token names, without changing anything. Errors: kBadRequest.
  Result<int64_t> Verify(std::string_view token) const;

 private:
  storage::Database& db_;
  const Clock& clock_;
  std::string key_;
};

}  // namespace tribune::notify
