// Registration with captcha and e-mail confirmation.
#include "accounts/accounts.hpp"
#include "common/random.hpp"

namespace tribune::accounts {

namespace {
constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kCommunityStandardsVersion = 1;

std::string MailLanguage(const std::string& requested, const std::string& fallback) {
  if (requested == "en" || requested == "fr" || requested == "ru") return requested;
  return fallback;
}
}  // namespace

Result<Account> AccountService::Register(const RegisterRequest& req) {
  auto email = NormaliseEmail(req.email);
  if (!email.ok()) return std::move(email).error();
  auto name = NormaliseDisplayName(req.display_name, options_.display_name_max_length);
  if (!name.ok()) return std::move(name).error();
  TRIBUNE_TRY(CheckPassword(req.password, *email, *name));
  if (!req.accept_terms) {
    return MakeError(ErrorCode::kBadRequest,
                     "Registering means accepting the community standards and the privacy policy (accept_terms).");
  }
  std::optional<CaptchaProof> proof;
  TRIBUNE_TRY(VerifyCaptcha(req.captcha, proof));

  // Hash before looking the address up, so a known address costs the same time as a new one.
  const std::string hash = hasher_.Hash(req.password);
  const int64_t now = clock_.NowMicros();
  const int64_t policy = policy_version_.load();
  Account account{ids_.Next(), *email, *name, {"reader"}, "unconfirmed", policy, now,
                  MailLanguage(req.language, options_.language)};
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    if (proof) TRIBUNE_TRY(ConsumeCaptcha(s, *proof, now));
    auto inserted = s.Exec(
        "INSERT INTO accounts (id, email, display_name, password_hash, status, consent_version, terms_accepted_at,"
        " created_at, language) VALUES ($1, $2, $3, $4, 'unconfirmed', $5, $6, $6, $7) ON CONFLICT (email) DO NOTHING",
        {account.id, account.email, account.display_name, hash, policy, now, account.language});
    if (!inserted.ok()) return std::move(inserted).error();
    if (*inserted == 0) {
      // Somebody registered with an address that has an account: tell its owner, at most once per clock hour.
      auto owner_row = s.Query("SELECT id FROM accounts WHERE email = $1 AND status NOT IN ('deleted', 'purged')",
                               {account.email});
      if (!owner_row.ok()) return std::move(owner_row).error();
      if (owner_row->empty()) return Ok{};
      TRIBUNE_ASSIGN(auto owner, LoadAccount(s, (*owner_row)[0].Int(0)));
      return Mail(s, owner, "duplicate_registration",
                  {{"login_link", options_.base_url + "/login"}, {"reset_link", options_.base_url + "/password-reset"}},
                  "duplicate:" + std::to_string(owner.id) + ":" + std::to_string(now / (3600 * kMicros)));
    }
    TRIBUNE_TRY(s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, 'reader')", {account.id}));
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO consent_log (id, account_id, document, version, method, created_at) VALUES"
        " ($1, $2, 'community_standards', $3, 'registration', $5), ($4, $2, 'privacy_policy', $6, 'registration', $5)",
        {ids_.Next(), account.id, kCommunityStandardsVersion, ids_.Next(), now, policy}));
    TRIBUNE_ASSIGN(auto token, IssueToken(s, account.id, "confirm", options_.confirm_link_seconds));
    return Mail(s, account, "confirm_account", {{"link", Link("/confirm", token)}});
  }));
  // A duplicate answers with the fresh, never-stored id: the caller cannot tell the difference.
  return account;
}

Status AccountService::ConfirmEmail(const std::string& token) {
  const int64_t now = clock_.NowMicros();
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(const int64_t id, RedeemToken(s, token, "confirm"));
    TRIBUNE_TRY(s.Exec("UPDATE accounts SET status = 'active', confirmed_at = $2 WHERE id = $1 AND status = 'unconfirmed'",
                       {id, now}));
    return Ok{};
  });
}

}  // namespace tribune::accounts
