// Logging in (with throttling and a captcha after repeated failures), sessions, API tokens.
#include "accounts/accounts.hpp"
#include "common/random.hpp"

namespace tribune::accounts {

namespace {

constexpr int64_t kMicros = 1'000'000;
// last_seen_at is refreshed at most this often, so reads stay reads.
constexpr int64_t kTouchIntervalMicros = 5 * 60 * kMicros;

Error Unauthenticated() { return MakeError(ErrorCode::kUnauthenticated, "Sign in to continue."); }
Error WrongCredentials() { return MakeError(ErrorCode::kUnauthenticated, "Wrong e-mail address or password."); }

bool CanSignIn(const std::string& status) { return status != "deleted" && status != "purged"; }

}  // namespace

Result<LoginResult> AccountService::Login(const std::string& raw_email, const std::string& password,
                                          const ClientInfo& client, const std::string& captcha) {
  auto email = NormaliseEmail(raw_email);
  if (!email.ok() || password.size() > 4 * options_.password_max_length) {
    hasher_.VerifyDummy(password.substr(0, 4 * options_.password_max_length));
    return WrongCredentials();
  }
  const bool throttled = options_.limits_enabled;
  std::optional<CaptchaProof> proof;
  // The attempt counts as a failure from its admission until it succeeds, so attempts in flight together
  // cannot overshoot the limits.
  LoginThrottle::Admission admission;
  if (throttled) {
    TRIBUNE_ASSIGN(admission, throttle_->Admit(*email, client.address));
    if (admission.verdict.locked) {
      Error e = MakeError(ErrorCode::kRateLimited, "Too many failed logins. Try again later.");
      e.retry_after_seconds = admission.verdict.retry_after_seconds;
      return e;
    }
    if (admission.verdict.captcha_required) {
      Status solved = captcha.empty() ? Status(MakeError(ErrorCode::kCaptchaFailed,
                                                         "After several failed logins, solve the captcha to continue."))
                                      : VerifyCaptcha(captcha, proof);
      if (!solved.ok()) {
        throttle_->Cancel(*email, client.address, admission);
        return std::move(solved).error();
      }
    }
  }
  auto rows = db_.Read("SELECT id, password_hash, status FROM accounts WHERE email = $1", {*email});
  if (!rows.ok()) return std::move(rows).error();
  bool matches = false;
  int64_t id = 0;
  if (rows->empty() || (*rows)[0].Text(1).empty()) {
    hasher_.VerifyDummy(password);  // unknown accounts take the time of a known one
  } else {
    id = (*rows)[0].Int(0);
    matches = hasher_.Verify((*rows)[0].Text(1), password) && CanSignIn((*rows)[0].Text(2));
  }
  if (proof) {  // a used captcha stays used, whatever the password was
    const int64_t now = clock_.NowMicros();
    Status consumed = db_.Write([&](storage::Session& s) { return ConsumeCaptcha(s, *proof, now); });
    if (!consumed.ok() && matches) return std::move(consumed).error();
  }
  if (!matches) return WrongCredentials();
  if (throttled) throttle_->Succeeded(*email, client.address, admission);
  return OpenSession(id, client.user_agent);
}

Result<LoginResult> AccountService::OpenSession(int64_t id, const std::string& user_agent) {
  LoginResult result;
  result.session_token = RandomToken(32);
  result.csrf_token = RandomToken(32);
  result.max_age_seconds = options_.session_absolute_seconds;
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, user_agent)"
        " VALUES ($1, $2, $3, $4, $4, $5, $6)",
        {Sha256Hex(result.session_token), id, result.csrf_token, now,
         now + options_.session_absolute_seconds * kMicros, user_agent.substr(0, 256)}));
    TRIBUNE_ASSIGN(result.account, LoadAccount(s, id));
    if (!CanSignIn(result.account.status)) return Unauthenticated();
    return Ok{};
  }));
  return result;
}

Status AccountService::Logout(const std::string& session_hash) {
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM sessions WHERE id_hash = $1", {session_hash}));
    return Ok{};
  });
}

Result<AuthContext> AccountService::Authenticate(const std::string& session_token) {
  if (session_token.empty() || session_token.size() > 128) return Unauthenticated();
  AuthContext ctx;
  ctx.session_hash = Sha256Hex(session_token);
  ctx.via_cookie = true;
  const int64_t now = clock_.NowMicros();
  bool touch = false;
  bool found = false;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto rows = s.Query("SELECT account_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
                        {ctx.session_hash});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return Ok{};
    const auto& r = (*rows)[0];
    if (now >= r.Int(3) || now - r.Int(2) >= options_.session_idle_seconds * kMicros) return Ok{};
    touch = now - r.Int(2) >= kTouchIntervalMicros;
    ctx.csrf_token = r.Text(1);
    TRIBUNE_ASSIGN(ctx.account, LoadAccount(s, r.Int(0)));
    found = true;
    return Ok{};
  }));
  if (!found || !CanSignIn(ctx.account.status)) return Unauthenticated();
  if (touch) {
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1", {ctx.session_hash, now}));
      return Ok{};
    }));
  }
  return ctx;
}

Result<AuthContext> AccountService::AuthenticateBearer(const std::string& token) {
  if (token.empty() || token.size() > 128) return Unauthenticated();
  auto rows = db_.Read("SELECT account_id FROM api_tokens WHERE token_hash = $1", {Sha256Hex(token)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return Unauthenticated();
  auto account = FindById((*rows)[0].Int(0));
  if (!account.ok() || !CanSignIn(account->status)) return Unauthenticated();
  AuthContext ctx;
  ctx.account = std::move(account).value();
  return ctx;
}

Result<std::vector<AccountService::SessionInfo>> AccountService::ListSessions(int64_t account_id,
                                                                              const std::string& current_hash) {
  auto rows = db_.Read("SELECT id_hash, created_at, last_seen_at, user_agent, expires_at FROM sessions"
                       " WHERE account_id = $1 ORDER BY last_seen_at DESC",
                       {account_id});
  if (!rows.ok()) return std::move(rows).error();
  const int64_t now = clock_.NowMicros();
  std::vector<SessionInfo> out;
  for (const auto& r : *rows) {
    if (now >= r.Int(4) || now - r.Int(2) >= options_.session_idle_seconds * kMicros) continue;
    out.push_back({r.Text(0).substr(0, 16), r.Int(1), r.Int(2), r.Text(3), r.Text(0) == current_hash});
  }
  return out;
}

Status AccountService::EndSession(int64_t account_id, const std::string& id) {
  const Error unknown = MakeError(ErrorCode::kNotFound, "No such session.");
  if (id.size() != 16 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return unknown;
  return db_.Write([&](storage::Session& s) -> Status {
    // The hash is hex, so the prefix compares as a range; a prefix names at most one session in practice.
    auto n = s.Exec("DELETE FROM sessions WHERE account_id = $1 AND id_hash >= $2 AND id_hash < $3",
                    {account_id, id, id + "g"});
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) return unknown;
    return Ok{};
  });
}

Result<std::string> AccountService::CreateApiToken(int64_t account_id, const std::string& label) {
  std::string token = "trb_" + RandomToken(32);
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO api_tokens (token_hash, account_id, label, created_at) VALUES ($1, $2, $3, $4)",
                       {Sha256Hex(token), account_id, label, clock_.NowMicros()}));
    return Ok{};
  }));
  return token;
}

}  // namespace tribune::accounts
