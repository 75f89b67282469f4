// Who is calling: a session cookie (which needs X-CSRF-Token on writes) or an API bearer token.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "accounts/accounts.hpp"
#include "accounts/sanctions.hpp"
#include "http/http.hpp"

namespace tribune::http {

inline constexpr const char* kSessionCookie = "__Host-tribune_session";

class Auth {
 public:
  explicit Auth(accounts::AccountService& accounts) : accounts_(accounts) {}
  // Blocked accounts learn their block's rule and note from here (nullptr: "blocked" without details).
  void SetSanctions(accounts::SanctionService* sanctions) { sanctions_ = sanctions; }

  // Errors: kUnauthenticated.
  Result<accounts::AuthContext> Require(const Request& req);
  // Require, plus the CSRF check for cookie callers and, for them, a consent to the current privacy
  // policy (unless `consent` is kAny: accepting it, deleting the account, logging out).
  // Errors: kUnauthenticated, kForbidden, kConsentRequired.
  // A blocked account may only do what keeps its own account in order (kAllow): log out, end sessions, change
  // its password, accept the policy, delete itself, appeal. Every other write answers 403 account_blocked.
  enum class Consent { kCurrent, kAny };
  enum class Blocked { kRefuse, kAllow };
  Result<accounts::AuthContext> RequireForWrite(const Request& req, Consent consent = Consent::kCurrent,
                                                Blocked blocked = Blocked::kRefuse);
  // The account's active block as GET /api/v1/me shows it: {message, rule, note, number, final, since}.
  boost::json::object BlockJson(int64_t account_id);
  // The 403 account_blocked error for this account, with the same block object (without the message).
  Error BlockedError(int64_t account_id);
  // RequireForWrite, plus what taking part needs (a confirmed address unless configured otherwise).
  Result<accounts::AuthContext> RequireToParticipate(const Request& req);
  // The caller if any; a bad or expired credential counts as anonymous.
  std::optional<accounts::AuthContext> Optional(const Request& req);

 private:
  accounts::AccountService& accounts_;
  accounts::SanctionService* sanctions_ = nullptr;
};

// The Set-Cookie value that opens (max_age > 0) or ends (max_age = 0) a session.
std::string SessionCookieHeader(const std::string& value, int64_t max_age_seconds);

}  // namespace tribune::http
