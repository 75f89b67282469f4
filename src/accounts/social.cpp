// Social login (A2): what a verified identity does to accounts — sign in, link by verified e-mail, or sign up
// after accepting the community standards and the privacy policy.
#include "accounts/accounts.hpp"
#include "common/random.hpp"

namespace tribune::accounts {

namespace {
constexpr int64_t kMicros = 1'000'000;
constexpr int64_t kTicketSeconds = 30 * 60;
constexpr int64_t kCommunityStandardsVersion = 1;

bool Live(const std::string& status) { return status != "deleted" && status != "purged"; }
}  // namespace

Result<SocialOutcome> AccountService::SignInWithIdentity(const SocialIdentity& identity, const std::string& return_to,
                                                        const std::string& user_agent) {
  if (identity.provider.empty() || identity.subject.empty()) {
    return MakeError(ErrorCode::kBadRequest, "The provider did not say who you are.");
  }
  auto known = db_.Read(
      "SELECT s.account_id, a.status FROM social_identities s JOIN accounts a ON a.id = s.account_id"
      " WHERE s.provider = $1 AND s.subject = $2",
      {identity.provider, identity.subject});
  if (!known.ok()) return std::move(known).error();
  SocialOutcome out;
  if (!known->empty()) {
    if (!Live((*known)[0].Text(1))) {
      return MakeError(ErrorCode::kForbidden, "This account was deleted. The mailed link restores it.");
    }
    TRIBUNE_ASSIGN(out.login, OpenSession((*known)[0].Int(0), user_agent));
    return out;
  }
  auto email = NormaliseEmail(identity.email);
  std::optional<Account> owner;
  if (email.ok()) {
    TRIBUNE_ASSIGN(owner, FindByEmail(*email));
  }
  if (owner) {
    if (!identity.email_verified) {
      return MakeError(ErrorCode::kConflict,
                       "An account already uses this address. Log in with your password, then link this provider.");
    }
    if (!Live(owner->status)) return MakeError(ErrorCode::kForbidden, "This account was deleted. The mailed link restores it.");
    const int64_t now = clock_.NowMicros();
    TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO social_identities (provider, subject, account_id, email, created_at)"
                         " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                         {identity.provider, identity.subject, owner->id, *email, now}));
      if (owner->status == "unconfirmed") {
        // Whoever registered this address never proved it; the provider just did. The account is the address
        // owner's now: the unproven password and every session opened with it end here.
        TRIBUNE_TRY(s.Exec("UPDATE accounts SET status = 'active', confirmed_at = $2, password_hash = '' WHERE id = $1",
                           {owner->id, now}));
        TRIBUNE_TRY(s.Exec("DELETE FROM sessions WHERE account_id = $1", {owner->id}));
        TRIBUNE_TRY(s.Exec("DELETE FROM api_tokens WHERE account_id = $1", {owner->id}));
        TRIBUNE_TRY(s.Exec("UPDATE account_tokens SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL",
                           {owner->id, now}));
      }
      return Ok{};
    }));
    TRIBUNE_ASSIGN(out.login, OpenSession(owner->id, user_agent));
    return out;
  }
  if (!email.ok()) return MakeError(ErrorCode::kBadRequest, "The provider gave no usable e-mail address.");
  out.signup_ticket = RandomToken(32);
  auto name = NormaliseDisplayName(identity.name, options_.display_name_max_length);
  const std::string suggested = name.ok() ? *name : email->substr(0, email->find('@'));
  const int64_t now = clock_.NowMicros();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("DELETE FROM social_signups WHERE expires_at < $1", {now}));
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO social_signups (ticket_hash, provider, subject, email, email_verified, display_name, return_to,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {Sha256Hex(out.signup_ticket), identity.provider, identity.subject, *email,
         static_cast<int64_t>(identity.email_verified), suggested, return_to, now + kTicketSeconds * kMicros}));
    return Ok{};
  }));
  return out;
}

Result<SocialIdentity> AccountService::PeekSocialSignup(const std::string& ticket) {
  if (ticket.empty() || ticket.size() > 128) return MakeError(ErrorCode::kGone, "This sign-up has expired.");
  auto rows = db_.Read("SELECT provider, subject, email, display_name, expires_at, email_verified, return_to"
                       " FROM social_signups"
                       " WHERE ticket_hash = $1",
                       {Sha256Hex(ticket)});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty() || (*rows)[0].Int(4) <= clock_.NowMicros()) {
    return MakeError(ErrorCode::kGone, "This sign-up has expired. Log in with the provider again.");
  }
  const auto& r = (*rows)[0];
  return SocialIdentity{r.Text(0), r.Text(1), r.Text(2), r.Int(5) != 0, r.Text(3), r.Text(6)};
}

Result<LoginResult> AccountService::CompleteSocialSignup(const std::string& ticket, bool accept_terms,
                                                         const std::string& display_name,
                                                         const std::string& user_agent) {
  if (!accept_terms) {
    return MakeError(ErrorCode::kBadRequest,
                     "Registering means accepting the community standards and the privacy policy (accept_terms).");
  }
  TRIBUNE_ASSIGN(auto identity, PeekSocialSignup(ticket));
  auto name = NormaliseDisplayName(display_name.empty() ? identity.name : display_name,
                                   options_.display_name_max_length);
  if (!name.ok()) return std::move(name).error();
  const int64_t now = clock_.NowMicros();
  const int64_t policy = policy_version_.load();
  Account account{ids_.Next(), identity.email, *name, {"reader"}, identity.email_verified ? "active" : "unconfirmed",
                  policy, now, options_.language};
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    auto gone = s.Exec("DELETE FROM social_signups WHERE ticket_hash = $1 AND expires_at > $2", {Sha256Hex(ticket), now});
    if (!gone.ok()) return std::move(gone).error();
    if (*gone == 0) return MakeError(ErrorCode::kGone, "This sign-up was already used.");
    // No password: the account signs in through its provider until the reader sets one by recovery.
    auto inserted = s.Exec(
        "INSERT INTO accounts (id, email, display_name, password_hash, status, consent_version, terms_accepted_at,"
        " confirmed_at, created_at, language) VALUES ($1, $2, $3, '', $4, $5, $6, $7, $6, $8)"
        " ON CONFLICT (email) DO NOTHING",
        {account.id, account.email, account.display_name, account.status, policy, now,
         identity.email_verified ? storage::Value(now) : storage::Value(nullptr), account.language});
    if (!inserted.ok()) return std::move(inserted).error();
    if (*inserted == 0) {
      return MakeError(ErrorCode::kConflict, "An account already uses this address. Log in with your password.");
    }
    TRIBUNE_TRY(s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, 'reader')", {account.id}));
    TRIBUNE_TRY(s.Exec("INSERT INTO social_identities (provider, subject, account_id, email, created_at)"
                       " VALUES ($1, $2, $3, $4, $5)",
                       {identity.provider, identity.subject, account.id, account.email, now}));
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO consent_log (id, account_id, document, version, method, created_at) VALUES"
        " ($1, $2, 'community_standards', $3, 'social_registration', $5),"
        " ($4, $2, 'privacy_policy', $6, 'social_registration', $5)",
        {ids_.Next(), account.id, kCommunityStandardsVersion, ids_.Next(), now, policy}));
    if (identity.email_verified) return Ok{};
    TRIBUNE_ASSIGN(auto token, IssueToken(s, account.id, "confirm", options_.confirm_link_seconds));
    return Mail(s, account, "confirm_account", {{"link", Link("/confirm", token)}});
  }));
  return OpenSession(account.id, user_agent);
}

}  // namespace tribune::accounts
