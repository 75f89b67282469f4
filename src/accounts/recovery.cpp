// Password recovery: a single-use, 30-minute link; a reset ends every session of the account.
#include "accounts/accounts.hpp"
#include "common/random.hpp"

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
  // The owner's address and name, to refuse a password made of them; the token is only redeemed below.
  if (token.size() <= 128) {
    auto owner = db_.Read("SELECT a.email, a.display_name FROM account_tokens t JOIN accounts a ON a.id = t.account_id"
                          " WHERE t.token_hash = $1 AND t.purpose = 'reset'",
                          {Sha256Hex(token)});
    if (!owner.ok()) return std::move(owner).error();
    if (!owner->empty()) TRIBUNE_TRY(CheckPassword(password, (*owner)[0].Text(0), (*owner)[0].Text(1)));
  }
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

Status AccountService::ChangePassword(int64_t account_id, const std::string& current, const std::string& next,
                                      const std::string& keep_session_hash) {
  auto rows = db_.Read("SELECT password_hash, email, display_name FROM accounts WHERE id = $1", {account_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such account.");
  const auto& r = (*rows)[0];
  // An account made by social login has no password yet: it sets one by recovery.
  const bool ok = !r.Text(0).empty() && current.size() <= 4 * options_.password_max_length &&
                  hasher_.Verify(r.Text(0), current);
  if (!ok) return MakeError(ErrorCode::kUnauthenticated, "The current password is not right.");
  TRIBUNE_TRY(CheckPassword(next, r.Text(1), r.Text(2)));
  const std::string hash = hasher_.Hash(next);
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE id = $1",
                       {account_id, hash, now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2", {account_id, keep_session_hash}));
    TRIBUNE_ASSIGN(auto account, LoadAccount(s, account_id));
    return Mail(s, account, "password_changed", {});
  });
}

}  // namespace tribune::accounts
