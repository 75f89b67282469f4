// Start here for accounts: registration with captcha and e-mail confirmation, credentials and
// sessions, login throttling, password recovery, deletion with a 30-day restore and the purge after
// it, privacy-policy versions and the consent log, the data export, and roles.
//
// AccountService is thread-safe; its methods may block on a password hash or a commit, so the
// HTTP layer calls them from worker threads. Every mail goes through the outbox in the same write
// transaction as the change that causes it; every link's token is single-use and stored hashed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/captcha.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/password_hasher.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "mail/mail.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

inline constexpr const char* kRoles[] = {"reader", "moderator", "editor", "admin"};
bool IsKnownRole(std::string_view role);

struct Account {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::vector<std::string> roles;  // sorted
  std::string status;              // active | unconfirmed | blocked | deleted | purged
  int64_t consent_version = 0;
  int64_t created_at = 0;
  std::string language = "en";     // of the account's mails
  bool has_avatar = false;

  bool HasRole(std::string_view role) const;
  // Editors and admins may publish articles; moderators and admins moderate.
  bool CanEditArticles() const { return HasRole("editor") || HasRole("admin"); }
  bool CanModerate() const { return HasRole("moderator") || HasRole("admin"); }
};

// Who is making a request, and how they proved it.
struct AuthContext {
  Account account;
  std::string csrf_token;        // empty for bearer-token callers
  bool via_cookie = false;       // cookie callers must send X-CSRF-Token on writes
  std::string session_hash;      // SHA-256 of the cookie value, for logout
};

struct RegisterRequest {
  std::string email;
  std::string password;
  std::string display_name;
  bool accept_terms = false;
  std::string captcha;   // ALTCHA payload; checked when captcha.required
  std::string language;  // the reader's UI language for mails ("" = the site's)
};

struct LoginResult {
  Account account;
  std::string session_token;  // the cookie value; only its hash is stored
  std::string csrf_token;
  int64_t max_age_seconds = 0;
};

// What happens to an account's comments when it is deleted, restored or purged. The discussion
// module implements it; the account service calls it inside its own write transactions.
class AccountContent {
 public:
  virtual ~AccountContent() = default;
  // Each returns the ids of the articles whose threads changed.
  virtual Result<std::vector<int64_t>> Hide(storage::Session& s, int64_t account_id) = 0;
  virtual Result<std::vector<int64_t>> Restore(storage::Session& s, int64_t account_id) = 0;
  // Turns the account's comments into placeholders (no text, no author) and erases their history.
  virtual Result<std::vector<int64_t>> Erase(storage::Session& s, int64_t account_id) = 0;
  // After the commit: caches of those threads are stale.
  virtual void Changed(const std::vector<int64_t>& article_ids) = 0;
};

// Database::Notify channel on which a published privacy-policy version is announced ("<version>").
inline constexpr const char* kPolicyChannel = "tribune_policy";

struct AccountOptions {
  bool captcha_required = true;
  bool limits_enabled = true;               // login throttling
  int64_t session_idle_seconds = 30 * 86400;
  int64_t session_absolute_seconds = 90 * 86400;
  size_t password_min_length = 12;   // ASVS 2.1.1
  size_t password_max_length = 128;  // ASVS 2.1.2
  size_t display_name_max_length = 64;
  bool allow_unconfirmed_comments = false;
  int64_t confirm_link_seconds = 72 * 3600;
  int64_t reset_link_seconds = 30 * 60;
  int64_t restore_seconds = 30 * 86400;
  std::string base_url = "http://127.0.0.1:8080";  // links in mails; no trailing slash
  std::string language = "en";                     // mails' language when the reader chose none
  std::string purge_log;                           // file that records purged ids ("" = none)
  ThrottleOptions throttle;
  // Count login failures in the database (rate_events) rather than in this process's memory: set when several
  // servers share the database (PostgreSQL), so that the limits hold for the site (login_throttle.hpp).
  bool shared_throttle = false;
};

struct PrivacyPolicy {
  int64_t version = 0;
  int64_t published_at = 0;
  std::string text;
};

// An identity a social-login provider vouched for (see src/oidc).
struct SocialIdentity {
  std::string provider;
  std::string subject;
  std::string email;
  bool email_verified = false;
  std::string name;
  std::string return_to;  // of a sign-up ticket: where the reader was going
};

// A social login ends in a session, or (a new reader) in a sign-up ticket: the reader must accept the
// community standards and the privacy policy before the account exists.
struct SocialOutcome {
  std::optional<LoginResult> login;
  std::string signup_ticket;
};

// Where a write comes from, for the login throttle and the consent log.
struct ClientInfo {
  std::string address;     // the peer's IP address
  std::string user_agent;
};

class AccountService {
 public:
  AccountService(storage::Database& db, const Clock& clock, IdGenerator& ids, PasswordHasher& hasher,
                 AccountOptions options, const CaptchaVerifier* captcha = nullptr, mail::Outbox* outbox = nullptr,
                 AccountContent* content = nullptr);

  // --- registration (registration.cpp) ---
  // Creates an unconfirmed reader account and mails a confirmation link. A known e-mail answers like a
  // new account (with an id that is never stored) and mails the owner instead. Records acceptance of
  // the community standards and the current privacy policy. Errors: kBadRequest, kCaptchaFailed.
  Result<Account> Register(const RegisterRequest& request);
  // Confirms the address from a mailed token. Errors: kBadRequest (not a token we issued), kGone (used
  // or expired).
  Status ConfirmEmail(const std::string& token);

  // --- sessions (sessions.cpp) ---
  // Checks the password and opens a session. Unknown accounts cost the same hash as known ones.
  // Errors: kUnauthenticated, kRateLimited (retry_after set), kCaptchaFailed (a captcha is needed
  // after repeated failures: the error says so).
  Result<LoginResult> Login(const std::string& email, const std::string& password, const ClientInfo& client,
                            const std::string& captcha = "");
  // Opens a session for an account that proved itself another way (social login).
  Result<LoginResult> OpenSession(int64_t account_id, const std::string& user_agent);
  // Ends the session whose cookie hash is given. Idempotent.
  Status Logout(const std::string& session_hash);
  // Resolves a session cookie value. Errors: kUnauthenticated (unknown, idle or absolute expiry).
  Result<AuthContext> Authenticate(const std::string& session_token);
  // Resolves an admin-issued API token (Authorization: Bearer).
  Result<AuthContext> AuthenticateBearer(const std::string& token);
  // Issues an API token for an account; returns the token (only its hash is stored).
  Result<std::string> CreateApiToken(int64_t account_id, const std::string& label);

  // --- recovery (recovery.cpp) ---
  // Mails a reset link when the address has a live account; answers the same either way. Errors:
  // kBadRequest (malformed address), kCaptchaFailed.
  Status RequestPasswordReset(const std::string& email, const std::string& captcha);
  // Sets a new password from a mailed token and ends every session of the account. Errors:
  // kBadRequest, kGone.
  Status ResetPassword(const std::string& token, const std::string& password);

  // Changes the password of a signed-in reader who knows the current one, and ends every other session
  // (`keep_session_hash` stays). Errors: kUnauthenticated (wrong current password), kBadRequest.
  Status ChangePassword(int64_t account_id, const std::string& current, const std::string& next,
                        const std::string& keep_session_hash);

  // --- the reader's sessions (sessions.cpp) ---
  struct SessionInfo {
    std::string id;  // the first 16 hex digits of the session's hash: names it without revealing it
    int64_t created_at = 0;
    int64_t last_seen_at = 0;
    std::string user_agent;
    bool current = false;
  };
  Result<std::vector<SessionInfo>> ListSessions(int64_t account_id, const std::string& current_hash);
  // Ends one of the account's sessions. Errors: kNotFound.
  Status EndSession(int64_t account_id, const std::string& id);

  // --- deletion (deletion.cpp) ---
  // Hides the account and its comments at once, ends its sessions and mails a restore link.
  Status DeleteAccount(int64_t account_id);
  // Brings a deleted account back within the restore period. Errors: kBadRequest, kGone (expired,
  // used, or already purged).
  Result<Account> RestoreAccount(const std::string& token);
  // An admin deletes an account without notice: erased at once (like a purge), no restore link, no mail,
  // audited. Errors: kNotFound (no such account or already purged), kUnavailable (purge log).
  Status PurgeNow(int64_t admin_id, int64_t account_id);
  // Erases every account deleted longer ago than the restore period; returns how many.
  Result<int> PurgeDue();
  // Erases again every account recorded as purged (the table and the purge log): after a backup
  // from before their purge was restored. Returns how many were erased again.
  Result<int> ReapplyPurges();

  // --- privacy policy and consent (consent.cpp) ---
  Result<PrivacyPolicy> CurrentPolicy();
  // The current version, cached (writes check it on every request).
  int64_t CurrentPolicyVersion() const { return policy_version_.load(); }
  // Another process published `version` (heard on kPolicyChannel): the cached version rises to it.
  void NotePolicyVersion(int64_t version);
  // Publishes a new version and tells every server on the database (kPolicyChannel).
  // Errors: kBadRequest (empty or over 200 KB).
  Result<PrivacyPolicy> PublishPolicy(const std::string& text, int64_t admin_id);
  // Records that the reader accepted `version`, which must be the current one. Errors: kConflict.
  Status RecordConsent(int64_t account_id, int64_t version);
  // Loads the current version into the cache and, on an empty database, publishes `initial_text` as
  // version 1. Called once at start.
  Status InitPolicy(const std::string& initial_text);

  // --- social login (social.cpp) ---
  // A known identity signs in; a verified e-mail of a live account links the identity to it and signs
  // in; anything else gets a sign-up ticket. Errors: kConflict (an unverified e-mail that an account
  // uses), kForbidden (the account is deleted).
  Result<SocialOutcome> SignInWithIdentity(const SocialIdentity& identity, const std::string& return_to,
                                           const std::string& user_agent);
  // Creates the account of a sign-up ticket. Errors: kBadRequest (terms not accepted, bad name), kGone
  // (unknown or expired ticket), kConflict (the address got an account meanwhile).
  Result<LoginResult> CompleteSocialSignup(const std::string& ticket, bool accept_terms,
                                           const std::string& display_name, const std::string& user_agent);
  // The sign-up ticket's suggested name and address (for the page that asks to accept). Errors: kGone.
  Result<SocialIdentity> PeekSocialSignup(const std::string& ticket);

  // --- export (export.cpp) ---
  // All the reader's data as JSON (GDPR Art. 15 and 20).
  Result<std::string> ExportJson(int64_t account_id);

  // --- roles and lookups (account_service.cpp) ---
  // `tribune admin create`: creates a confirmed account with `role`, or adds the role to an
  // existing account (the password is then ignored).
  Result<Account> EnsureAccountWithRole(const std::string& email, const std::string& password,
                                        const std::string& display_name, const std::string& role);
  Result<Account> FindById(int64_t id);
  Result<std::optional<Account>> FindByEmail(const std::string& normalised_email);
  // Whether the account may take part (comment, report) beyond reading. Errors: kForbidden
  // (unconfirmed address, when not allowed).
  Status CheckMayParticipate(const Account& account) const;

  const AccountOptions& options() const { return options_; }
  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetBaseUrl(const std::string& url) { options_.base_url = url; }
  storage::Database& db() { return db_; }
  const Clock& clock() const { return clock_; }
  IdGenerator& ids() { return ids_; }
  mail::Outbox* outbox() { return outbox_; }

  // Loads an account inside a transaction (also used by social login).
  static Result<Account> LoadAccount(storage::Session& s, int64_t id);

 private:
  // Length in code points within the configured bounds and, when the owner is known, not too easy to
  // guess (password_policy.hpp). Errors: kBadRequest.
  Status CheckPassword(const std::string& password, std::string_view email = {}, std::string_view name = {}) const;
  Status VerifyCaptcha(const std::string& payload, std::optional<CaptchaProof>& proof) const;
  // Issues a single-use token for a link; stores its hash. Returns the token.
  Result<std::string> IssueToken(storage::Session& s, int64_t account_id, const char* purpose, int64_t ttl_seconds);
  // Marks a token used and returns its account. Errors: kBadRequest (unknown), kGone (used, expired).
  Result<int64_t> RedeemToken(storage::Session& s, const std::string& token, const char* purpose);
  // Queues a mail to the account in its language; the same non-empty `dedup_key` is queued once.
  Status Mail(storage::Session& s, const Account& to, const char* kind, std::map<std::string, std::string> vars,
              std::string dedup_key = "");
  std::string Link(const char* path, const std::string& token) const;
  Status EraseAccount(storage::Session& s, int64_t account_id, std::vector<int64_t>& changed_articles);
  // Appends the id to the purge log (fsync'd). Errors: kUnavailable.
  Status RecordPurged(int64_t account_id);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  PasswordHasher& hasher_;
  AccountOptions options_;
  const CaptchaVerifier* captcha_;
  mail::Outbox* outbox_;
  AccountContent* content_;
  std::unique_ptr<LoginThrottle> throttle_;
  std::atomic<int64_t> policy_version_{0};
};

// Lower-cases and trims an e-mail address and checks its shape (one @, a dotted domain, no spaces
// or controls, at most 254 bytes). Errors: kBadRequest.
Result<std::string> NormaliseEmail(std::string_view email);

// Trims a display name and checks it: valid UTF-8, 1..max code points, no control characters.
Result<std::string> NormaliseDisplayName(std::string_view name, size_t max_length);

}  // namespace tribune::accounts
