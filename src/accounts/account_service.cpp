// The account service's shared parts: construction, lookups, roles, and the helpers every flow uses
// (passwords, captcha, single-use link tokens, mails).
#include <algorithm>

#include "accounts/accounts.hpp"
#include "accounts/password_policy.hpp"
#include "common/random.hpp"
#include "text/utf8.hpp"

namespace tribune::accounts {

namespace {
constexpr int64_t kMicros = 1'000'000;
}  // namespace

bool IsKnownRole(std::string_view role) {
  return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

bool Account::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

AccountService::AccountService(storage::Database& db, const Clock& clock, IdGenerator& ids, PasswordHasher& hasher,
                               AccountOptions options, const CaptchaVerifier* captcha, mail::Outbox* outbox,
                               AccountContent* content)
    : db_(db),
      clock_(clock),
      ids_(ids),
      hasher_(hasher),
      options_(std::move(options)),
      captcha_(captcha),
      outbox_(outbox),
      content_(content),
      throttle_(MakeLoginThrottle(options_.shared_throttle, db, clock, options_.throttle)) {}

Status AccountService::CheckPassword(const std::string& password, std::string_view email,
                                     std::string_view name) const {
  if (!text::IsValidUtf8(password) || password.find('\0') != std::string::npos) {
    return MakeError(ErrorCode::kBadRequest, "The password holds characters that are not allowed.");
  }
  const size_t length = text::CountCodePoints(password);
  if (length < options_.password_min_length || length > options_.password_max_length) {
    return MakeError(ErrorCode::kBadRequest, "The password must be " + std::to_string(options_.password_min_length) +
                                                 " to " + std::to_string(options_.password_max_length) +
                                                 " characters long.");
  }
  return CheckPasswordStrength(password, email, name);
}

Status AccountService::VerifyCaptcha(const std::string& payload, std::optional<CaptchaProof>& proof) const {
  if (!options_.captcha_required) return Ok{};
  if (captcha_ == nullptr) return MakeError(ErrorCode::kCaptchaFailed, "Captcha verification is not available.");
  if (payload.empty()) return MakeError(ErrorCode::kCaptchaFailed, "Solve the captcha first.");
  auto verified = captcha_->Verify(payload);
  if (!verified.ok()) return std::move(verified).error();
  proof = std::move(verified).value();
  return Ok{};
}

Result<std::string> AccountService::IssueToken(storage::Session& s, int64_t account_id, const char* purpose,
                                               int64_t ttl_seconds) {
  std::string token = RandomToken(32);  // 256 bits
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(s.Exec(
      "INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
      {Sha256Hex(token), account_id, std::string(purpose), now, now + ttl_seconds * kMicros}));
  return token;
}

Result<int64_t> AccountService::RedeemToken(storage::Session& s, const std::string& token, const char* purpose) {
  const Error invalid = MakeError(ErrorCode::kBadRequest, "This link is not valid. Ask for a new one.");
  if (token.size() < 16 || token.size() > 128 || !Base64UrlDecode(token)) return invalid;
  auto rows = s.Query("SELECT account_id, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2",
                      {Sha256Hex(token), std::string(purpose)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return invalid;
  const auto& r = (*rows)[0];
  if (!r.IsNull(2)) return MakeError(ErrorCode::kGone, "This link was already used.");
  const int64_t now = clock_.NowMicros();
  if (now >= r.Int(1)) return MakeError(ErrorCode::kGone, "This link has expired. Ask for a new one.");
  TRIBUNE_TRY(s.Exec("UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1", {Sha256Hex(token), now}));
  return r.Int(0);
}

std::string AccountService::Link(const char* path, const std::string& token) const {
  return options_.base_url + path + "?token=" + token;
}

Status AccountService::Mail(storage::Session& s, const Account& to, const char* kind,
                            std::map<std::string, std::string> vars, std::string dedup_key) {
  if (outbox_ == nullptr) return Ok{};
  vars.emplace("display_name", to.display_name);
  mail::Mail m;
  m.to = to.email;
  m.kind = kind;
  m.language = to.language.empty() ? options_.language : to.language;
  m.vars = std::move(vars);
  m.account_id = to.id;
  m.dedup_key = std::move(dedup_key);
  return outbox_->Enqueue(s, m);
}

Status AccountService::CheckMayParticipate(const Account& account) const {
  if (account.status == "unconfirmed" && !options_.allow_unconfirmed_comments) {
    return MakeError(ErrorCode::kForbidden, "Confirm your e-mail address first: follow the link we sent you.");
  }
  return Ok{};
}

Result<Account> AccountService::LoadAccount(storage::Session& s, int64_t id) {
  auto rows = s.Query(
      "SELECT id, email, display_name, status, consent_version, created_at, language, has_avatar FROM accounts"
      " WHERE id = $1",
      {id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such account.");
  const auto& r = (*rows)[0];
  Account a{r.Int(0), r.Text(1), r.Text(2), {}, r.Text(3), r.Int(4), r.Int(5), r.Text(6), r.Int(7) != 0};
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
    const int64_t policy = policy_version_.load();
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec(
          "INSERT INTO accounts (id, email, display_name, password_hash, status, consent_version, terms_accepted_at,"
          " confirmed_at, created_at, language) VALUES ($1, $2, $3, $4, 'active', $6, $5, $5, $5, $7)",
          {id, *email, *name, hash, now, policy, options_.language}));
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
