// Start here for accounts: registration, credentials, sessions and roles.
//
// AccountService is thread-safe; its methods may block on a password hash or a commit, so the
// HTTP layer calls them from worker threads. Captcha, e-mail confirmation, recovery and deletion
// plug in through the seams below (CaptchaVerifier, AccountMailer).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/password_hasher.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

inline constexpr const char* kRoles[] = {"reader", "moderator", "editor", "admin"};
bool IsKnownRole(std::string_view role);

struct Account {
  int64_t id = 0;
  std::string email;
  std::string display_name;
  std::vector<std::string> roles;  // sorted
  std::string status;              // active | unconfirmed | blocked | deleted
  int64_t consent_version = 0;
  int64_t created_at = 0;

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
  std::string captcha;  // ALTCHA payload; checked when captcha.required
};

struct LoginResult {
  Account account;
  std::string session_token;  // the cookie value; only its hash is stored
  std::string csrf_token;
  int64_t max_age_seconds = 0;
};

// Seam for issue 5 (ALTCHA): verifies a solved challenge.
class CaptchaVerifier {
 public:
  virtual ~CaptchaVerifier() = default;
  virtual Status Verify(const std::string& payload) = 0;
};

// Seam for issue 5 (outbox + SMTP): mails that the account flows send.
class AccountMailer {
 public:
  virtual ~AccountMailer() = default;
  // Somebody tried to register with an address that already has an account.
  virtual void DuplicateRegistration(const Account& owner) = 0;
};

struct AccountOptions {
  bool captcha_required = true;
  int64_t session_idle_seconds = 30 * 86400;
  int64_t session_absolute_seconds = 90 * 86400;
  size_t password_min_length = 10;
  size_t password_max_length = 1024;
  size_t display_name_max_length = 64;
};

class AccountService {
 public:
  AccountService(storage::Database& db, const Clock& clock, IdGenerator& ids, PasswordHasher& hasher,
                 AccountOptions options, CaptchaVerifier* captcha = nullptr, AccountMailer* mailer = nullptr);

  // Creates a reader account. A known e-mail answers like a new account (with an id that is never
  // stored) and mails the owner instead. Errors: kBadRequest (invalid field, terms not accepted),
  // kCaptchaFailed.
  Result<Account> Register(const RegisterRequest& request);

  // Checks the password and opens a session. Unknown accounts cost the same hash as known ones.
  // Errors: kUnauthenticated.
  Result<LoginResult> Login(const std::string& email, const std::string& password, const std::string& user_agent);

  // Ends the session whose cookie hash is given. Idempotent.
  Status Logout(const std::string& session_hash);

  // Resolves a session cookie value. Errors: kUnauthenticated (unknown, idle or absolute expiry).
  Result<AuthContext> Authenticate(const std::string& session_token);

  // Resolves an admin-issued API token (Authorization: Bearer).
  Result<AuthContext> AuthenticateBearer(const std::string& token);

  // Issues an API token for an account; returns the token (only its hash is stored).
  Result<std::string> CreateApiToken(int64_t account_id, const std::string& label);

  // `tribune admin create`: creates a confirmed account with `role`, or adds the role to an
  // existing account (the password is then ignored).
  Result<Account> EnsureAccountWithRole(const std::string& email, const std::string& password,
                                        const std::string& display_name, const std::string& role);

  Result<Account> FindById(int64_t id);
  Result<std::optional<Account>> FindByEmail(const std::string& normalised_email);

 private:
  Result<Account> LoadAccount(storage::Session& s, int64_t id);
  // Length in code points within the configured bounds. Errors: kBadRequest.
  Status CheckPassword(const std::string& password) const;

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  PasswordHasher& hasher_;
  AccountOptions options_;
  CaptchaVerifier* captcha_;
  AccountMailer* mailer_;
};

// Lower-cases and trims an e-mail address and checks its shape (one @, a dotted domain, no spaces
// or controls, at most 254 bytes). Errors: kBadRequest.
Result<std::string> NormaliseEmail(std::string_view email);

// Trims a display name and checks it: valid UTF-8, 1..max code points, no control characters.
Result<std::string> NormaliseDisplayName(std::string_view name, size_t max_length);

}  // namespace tribune::accounts
