// The account lifecycle: password recovery, deletion and restore, the privacy policy and consent, the data
// export, and (config testing.clock_control only) moving the clock.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> RequestReset(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "captcha"}));
  TRIBUNE_ASSIGN(auto email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(auto captcha, GetString(body, "captcha", false));
  TRIBUNE_TRY(ctx.accounts.RequestPasswordReset(email, captcha));
  return Json(202, json::serialize(json::object{
                       {"message", "If an account uses this address, a link to choose a new password is on its way."}}));
}

Result<Response> ConfirmReset(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token", "password"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_ASSIGN(auto password, GetString(body, "password", true));
  TRIBUNE_TRY(ctx.accounts.ResetPassword(token, password));
  return Json(204, "");
}

Result<Response> ChangePassword(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kCurrent, Auth::Blocked::kAllow));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"current_password", "new_password"}));
  TRIBUNE_ASSIGN(auto current, GetString(body, "current_password", true));
  TRIBUNE_ASSIGN(auto next, GetString(body, "new_password", true));
  TRIBUNE_TRY(ctx.accounts.ChangePassword(auth.account.id, current, next, auth.session_hash));
  return Json(204, "");
}

Result<Response> Sessions(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  TRIBUNE_ASSIGN(auto sessions, ctx.accounts.ListSessions(auth.account.id, auth.session_hash));
  json::array items;
  for (const auto& s : sessions) {
    items.push_back(json::object{{"id", s.id},
                                 {"created_at", FormatRfc3339(s.created_at)},
                                 {"last_seen_at", FormatRfc3339(s.last_seen_at)},
                                 {"user_agent", s.user_agent},
                                 {"current", s.current}});
  }
  Response resp = Json(200, json::serialize(json::object{{"items", std::move(items)}}));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<Response> EndSession(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_TRY(ctx.accounts.EndSession(auth.account.id, req.path_params.at("id")));
  return Json(204, "");
}

Result<Response> DeleteMe(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_TRY(ctx.accounts.DeleteAccount(auth.account.id));
  const int64_t days = ctx.accounts.options().restore_seconds / 86400;
  Response resp = Json(202, json::serialize(json::object{
                                {"status", "deleted"},
                                {"restore_days", days},
                                {"message", "Your account is deleted. The link we mailed you restores it within " +
                                                std::to_string(days) + " days."}}));
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0));
  return resp;
}

Result<Response> Restore(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_ASSIGN(auto account, ctx.accounts.RestoreAccount(token));
  return Json(200, json::serialize(json::object{{"account", AccountJson(account)}}));
}

json::object PolicyJson(const accounts::PrivacyPolicy& p, const std::string& contact) {
  return json::object{{"version", p.version},
                      {"published_at", FormatRfc3339(p.published_at)},
                      {"text", p.text},
                      {"contact", contact}};
}

Result<Response> GetPolicy(ApiContext& ctx, Request&) {
  TRIBUNE_ASSIGN(auto policy, ctx.accounts.CurrentPolicy());
  return Json(200, json::serialize(PolicyJson(policy, ctx.privacy_contact)));
}

Result<Response> PublishPolicy(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.HasRole("admin")) return MakeError(ErrorCode::kForbidden, "Only admins publish the privacy policy.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"text"}));
  TRIBUNE_ASSIGN(auto text, GetString(body, "text", true));
  TRIBUNE_ASSIGN(auto policy, ctx.accounts.PublishPolicy(text, auth.account.id));
  return Json(201, json::serialize(PolicyJson(policy, ctx.privacy_contact)));
}

Result<Response> Consent(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"policy_version"}));
  auto it = body.find("policy_version");
  if (it == body.end() || !it->value().is_int64()) {
    return MakeError(ErrorCode::kBadRequest, "policy_version must be the integer version you accept.");
  }
  TRIBUNE_TRY(ctx.accounts.RecordConsent(auth.account.id, it->value().as_int64()));
  return Json(204, "");
}

Result<Response> Export(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  TRIBUNE_ASSIGN(auto data, ctx.accounts.ExportJson(auth.account.id));
  Response resp = Json(200, std::move(data));
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"tribune-data-" +
                                                       IdString(auth.account.id) + ".json\"");
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<Response> AdvanceClock(ApiContext& ctx, Request& req) {
  if (!ctx.advance_clock) return MakeError(ErrorCode::kNotFound, "No such endpoint.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"advance_seconds"}));
  auto it = body.find("advance_seconds");
  if (it == body.end() || !it->value().is_int64() || it->value().as_int64() < 0 ||
      it->value().as_int64() > 10LL * 366 * 86400) {
    return MakeError(ErrorCode::kBadRequest, "advance_seconds must be an integer from 0 to ten years.");
  }
  TRIBUNE_TRY(ctx.advance_clock(it->value().as_int64()));
  return Json(200, json::serialize(json::object{{"now", FormatRfc3339(ctx.accounts.clock().NowMicros())}}));
}

}  // namespace

void RegisterLifecycleRoutes(Router& router, ApiContext& ctx) {
  auto add = [&](const char* method, const char* path, Result<Response> (*fn)(ApiContext&, Request&)) {
    router.Add(method, path, [&ctx, fn](Request& req) { return Respond(req, [&] { return fn(ctx, req); }); });
  };
  add("POST", "/api/v1/password-resets", RequestReset);
  add("POST", "/api/v1/password-resets/confirm", ConfirmReset);
  add("DELETE", "/api/v1/me", DeleteMe);
  add("POST", "/api/v1/me/password", ChangePassword);
  add("GET", "/api/v1/me/sessions", Sessions);
  add("DELETE", "/api/v1/me/sessions/{id}", EndSession);
  add("POST", "/api/v1/account-restorations", Restore);
  add("GET", "/api/v1/privacy-policy", GetPolicy);
  add("POST", "/api/v1/privacy-policy", PublishPolicy);
  add("POST", "/api/v1/me/consents", Consent);
  add("GET", "/api/v1/me/export", Export);
  add("POST", "/api/v1/testing/clock", AdvanceClock);
}

}  // namespace tribune::http
