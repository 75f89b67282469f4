#include "http/auth.hpp"

#include <boost/json.hpp>

#include "common/random.hpp"

namespace tribune::http {

Result<accounts::AuthContext> Auth::Require(const Request& req) {
  std::string_view authz = req.Header("authorization");
  if (authz.rfind("Bearer ", 0) == 0) return accounts_.AuthenticateBearer(std::string(authz.substr(7)));
  const std::string cookie = req.Cookie(kSessionCookie);
  if (cookie.empty()) return MakeError(ErrorCode::kUnauthenticated, "Sign in to continue.");
  return accounts_.Authenticate(cookie);
}

boost::json::object Auth::BlockJson(int64_t account_id) {
  boost::json::object out{{"message", "Your account is blocked: you can read, and appeal the block."}};
  if (sanctions_ == nullptr) return out;
  auto block = sanctions_->ActiveBlock(account_id);
  if (!block.ok() || !block->has_value()) return out;
  const accounts::Block& b = **block;
  out["message"] = b.final ? "Your account is blocked for good (a second block is final)."
                           : "Your account is blocked: you can read, and appeal the block once at a time.";
  out["rule"] = b.rule;
  out["note"] = b.note;
  out["number"] = b.number;
  out["final"] = b.final;
  out["since"] = FormatRfc3339(b.created_at);
  return out;
}

Error Auth::BlockedError(int64_t account_id) {
  boost::json::object block = BlockJson(account_id);
  Error e = MakeError(ErrorCode::kAccountBlocked, std::string(block["message"].as_string()));
  block.erase("message");
  if (!block.empty()) e.extra_json = "\"block\":" + boost::json::serialize(block);
  return e;
}

Result<accounts::AuthContext> Auth::RequireForWrite(const Request& req, Consent consent, Blocked blocked) {
  auto ctx = Require(req);
  if (!ctx.ok()) return ctx;
  if (ctx->account.status == "blocked" && blocked == Blocked::kRefuse) return BlockedError(ctx->account.id);
  if (ctx->via_cookie) {
    std::string_view token = req.Header("x-csrf-token");
    if (token.empty() || !ConstantTimeEquals(token, ctx->csrf_token)) {
      return MakeError(ErrorCode::kForbidden, "Missing or wrong X-CSRF-Token header.");
    }
    // Readers in a browser must have accepted the current policy; API tokens (tools) are not asked.
    const int64_t current = accounts_.CurrentPolicyVersion();
    if (consent == Consent::kCurrent && ctx->account.consent_version < current) {
      Error e = MakeError(ErrorCode::kConsentRequired,
                          "The privacy policy has changed. Accept the new version to continue, or delete your account.");
      e.extra_json = "\"policy_version\":" + std::to_string(current);
      return e;
    }
  }
  return ctx;
}

Result<accounts::AuthContext> Auth::RequireToParticipate(const Request& req) {
  auto ctx = RequireForWrite(req);
  if (!ctx.ok()) return ctx;
  TRIBUNE_TRY(accounts_.CheckMayParticipate(ctx->account));
  return ctx;
}

std::optional<accounts::AuthContext> Auth::Optional(const Request& req) {
  if (req.Header("authorization").empty() && req.Cookie(kSessionCookie).empty()) return std::nullopt;
  auto ctx = Require(req);
  if (!ctx.ok()) return std::nullopt;
  return std::move(ctx).value();
}

std::string SessionCookieHeader(const std::string& value, int64_t max_age_seconds) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age_seconds) +
         "; Secure; HttpOnly; SameSite=Lax";
}

}  // namespace tribune::http
