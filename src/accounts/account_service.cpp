#include <algorithm>

#include "accounts/accounts.hpp"
#include "common/random.hpp"
#include "text/utf8.hpp"

namespace tribune::accounts {

namespace {

constexpr int64_t kMicros = 1'000'000;
// last_seen_at is refreshed at most this often, so reads stay reads.
constexpr int64_t kTouchIntervalMicros = 5 * 60 * kMicros;

Error Unauthenticated() { return MakeError(ErrorCode::kUnauthenticated, "Sign in to continue."); }

}  // namespace

bool IsKnownRole(std::string_view role) {
  return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

bool Account::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

AccountService::AccountService(storage::Database& db, const Clock& clock, IdGenerator& ids, PasswordHasher& hasher,
                               AccountOptions options, CaptchaVerifier* captcha, AccountMailer* mailer)
    : db_(db), clock_(clock), ids_(ids), hasher_(hasher), options_(options), captcha_(captcha), mailer_(mailer) {}

Status AccountService::CheckPassword(const std::string& password) const {
  if (!text::IsValidUtf8(password) || password.find('\0') != std::string::npos) {
    return MakeError(ErrorCode::kBadRequest, "The password holds characters that are not allowed.");
  }
  const size_t length = text::CountCodePoints(password);
  if (length < options_.password_min_length || length > options_.password_max_length) {
    return MakeError(ErrorCode::kBadRequest, "The password must be " + std::to_string(options_.password_min_length) +
                                                 " to " + std::to_string(options_.password_max_length) +
                                                 " characters long.");
  }
  return Ok{};
}

Result<Account> AccountService::LoadAccount(storage::Session& s, int64_t id) {
  auto rows = s.Query(
      "SELECT id, email, display_name, status, consent_version, created_at FROM accounts WHERE id = $1", {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such account.");
  const auto& r = (*rows)[0];
  Account a{r.Int(0), r.Text(1), r.Text(2), {}, r.Text(3), r.Int(4), r.Int(5)};
  auto roles = s.Query("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role", {id});
  if (!roles.ok()) return std::move(roles).error();
  for (const auto& row : *roles) a.roles.push_back(row.Text(0));
  return a;
}

Result<Account> AccountService::FindById(int64_t id) {
  Result<Account> out = MakeError(ErrorCode::kInternal, "unset");
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    out = LoadAccount(s, id);
    return Ok{};
  }));
  return out;
}

Result<std::optional<Account>> AccountService::FindByEmail(const std::string& email) {
  auto rows = db_.Read("SELECT id FROM accounts WHERE email = $1", {email});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<Account>{};
  auto account = FindById((*rows)[0].Int(0));
  if (!account.ok()) return std::move(account).error();
  return std::optional<Account>(std::move(account).value());
}

Result<Account> AccountService::Register(const RegisterRequest& req) {
  auto email = NormaliseEmail(req.email);
  if (!email.ok()) return std::move(email).error();
  auto name = NormaliseDisplayName(req.display_name, options_.display_name_max_length);
  if (!name.ok()) return std::move(name).error();
  TRIBUNE_TRY(CheckPassword(req.password));
  if (!req.accept_terms) {
    return MakeError(ErrorCode::kBadRequest, "Registering means accepting the community standards (accept_terms).");
  }
  if (options_.captcha_required) {
    if (captcha_ == nullptr) return MakeError(ErrorCode::kCaptchaFailed, "Captcha verification is not available.");
    TRIBUNE_TRY(captcha_->Verify(req.captcha));
  }

  // Hash before looking the address up, so a known address costs the same time as a new one.
  const std::string hash = hasher_.Hash(req.password);
  const int64_t now = clock_.NowMicros();
  Account account{ids_.Next(), *email, *name, {"reader"}, "active", 0, now};
  bool duplicate = false;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    auto inserted = s.Exec(
        "INSERT INTO accounts (id, email, display_name, password_hash, status, terms_accepted_at, created_at)"
        " VALUES ($1, $2, $3, $4, 'active', $5, $5) ON CONFLICT (email) DO NOTHING",
        {account.id, account.email, account.display_name, hash, now});
    if (!inserted.ok()) return std::move(inserted).error();
    if (*inserted == 0) {
      duplicate = true;
      return Ok{};
    }
    TRIBUNE_TRY(s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, 'reader')", {account.id}));
    return Ok{};
  }));
  if (duplicate && mailer_ != nullptr) {
    auto owner = FindByEmail(account.email);
    if (owner.ok() && owner->has_value()) mailer_->DuplicateRegistration(**owner);
  }
  // A duplicate answers with the fresh, never-stored id: the caller cannot tell the difference.
  return account;
}

Result<LoginResult> AccountService::Login(const std::string& raw_email, const std::string& password,
                                         const std::string& user_agent) {
  auto email = NormaliseEmail(raw_email);
  if (!email.ok() || password.size() > 4 * options_.password_max_length) {
    hasher_.VerifyDummy(password.substr(0, 4 * options_.password_max_length));
    return Unauthenticated();
  }
  auto rows = db_.Read("SELECT id, password_hash, status FROM accounts WHERE email = $1", {*email});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) {
    hasher_.VerifyDummy(password);
    return MakeError(ErrorCode::kUnauthenticated, "Wrong e-mail address or password.");
  }
  const int64_t id = (*rows)[0].Int(0);
  const bool matches = hasher_.Verify((*rows)[0].Text(1), password);
  if (!matches || (*rows)[0].Text(2) == "deleted") {
    return MakeError(ErrorCode::kUnauthenticated, "Wrong e-mail address or password.");
  }

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
    auto account = LoadAccount(s, id);
    if (!account.ok()) return std::move(account).error();
    result.account = std::move(account).value();
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
    auto account = LoadAccount(s, r.Int(0));
    if (!account.ok()) return std::move(account).error();
    ctx.account = std::move(account).value();
    found = true;
    return Ok{};
  }));
  if (!found || ctx.account.status == "deleted") return Unauthenticated();
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
  if (!account.ok() || account->status == "deleted") return Unauthenticated();
  AuthContext ctx;
  ctx.account = std::move(account).value();
  return ctx;
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

Result<Account> AccountService::EnsureAccountWithRole(const std::string& raw_email, const std::string& password,
                                                      const std::string& display_name, const std::string& role) {
  if (!IsKnownRole(role)) return MakeError(ErrorCode::kBadRequest, "Unknown role: " + role);
  auto email = NormaliseEmail(raw_email);
  if (!email.ok()) return std::move(email).error();
  auto existing = FindByEmail(*email);
  if (!existing.ok()) return std::move(existing).error();
  int64_t id = 0;
  if (existing->has_value()) {
    id = (*existing)->id;
  } else {
    auto name = NormaliseDisplayName(display_name, options_.display_name_max_length);
    if (!name.ok()) return std::move(name).error();
    TRIBUNE_TRY(CheckPassword(password));
    const std::string hash = hasher_.Hash(password);
    id = ids_.Next();
    const int64_t now = clock_.NowMicros();
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec(
          "INSERT INTO accounts (id, email, display_name, password_hash, status, terms_accepted_at, confirmed_at,"
          " created_at) VALUES ($1, $2, $3, $4, 'active', $5, $5, $5)",
          {id, *email, *name, hash, now}));
      TRIBUNE_TRY(s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, 'reader')", {id}));
      return Ok{};
    }));
  }
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       {id, role}));
    return Ok{};
  }));
  return FindById(id);
}

}  // namespace tribune::accounts
