// Password recovery: a single-use, 30-minute link; a reset ends every session of the account.
#include "accounts/accounts.hpp"

namespace tribune::accounts {

Status AccountService::RequestPasswordReset(const std::string& raw_email, const std::string& captcha) {
  auto email = NormaliseEmail(raw_email);
  if (!email.ok()) return std::move(email).error();
  std::optional<CaptchaProof> proof;
  TRIBUNE_TRY(VerifyCaptcha(captcha, proof));
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    if (proof) TRIBUNE_TRY(ConsumeCaptcha(s, *proof, now));
    auto rows = s.Query("SELECT id FROM accounts WHERE email = $1 AND status NOT IN ('deleted', 'purged')", {*email});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return Ok{};  // the caller learns nothing either way
    TRIBUNE_ASSIGN(auto account, LoadAccount(s, (*rows)[0].Int(0)));
    TRIBUNE_ASSIGN(auto token, IssueToken(s, account.id, "reset", options_.reset_link_seconds));
    return Mail(s, account, "password_reset",
                {{"link", Link("/password-reset/confirm", token)},
                 {"minutes", std::to_string(options_.reset_link_seconds / 60)}});
  });
}

Status AccountService::ResetPassword(const std::string& token, const std::string& password) {
  TRIBUNE_TRY(CheckPassword(password));
  const std::string hash = hasher_.Hash(password);
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(const int64_t id, RedeemToken(s, token, "reset"));
    TRIBUNE_ASSIGN(auto account, LoadAccount(s, id));
    if (account.status == "deleted" || account.status == "purged") {
      return MakeError(ErrorCode::kGone, "This account was deleted.");
    }
    // Following a mailed link proves the address too.
    TRIBUNE_TRY(s.Exec(
        "UPDATE accounts SET password_hash = $2, password_changed_at = $3,"
        " status = CASE WHEN status = 'unconfirmed' THEN 'active' ELSE status END,"
        " confirmed_at = COALESCE(confirmed_at, $3) WHERE id = $1",
        {id, hash, now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM sessions WHERE account_id = $1", {id}));
    // Other reset links of the account die with this one.
    TRIBUNE_TRY(s.Exec("UPDATE account_tokens SET used_at = $2 WHERE account_id = $1 AND purpose = 'reset'"
                       " AND used_at IS NULL",
                       {id, now}));
    return Mail(s, account, "password_changed", {});
  });
}

}  // namespace tribune::accounts
