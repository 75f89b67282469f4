// Registration, confirmation, sessions and the reader's own view:
// POST /api/v1/accounts, POST /api/v1/account-confirmations, POST|DELETE /api/v1/session, GET /api/v1/me,
// GET /api/v1/captcha.
#include <boost/json.hpp>

#include <algorithm>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Response NoStore(Response resp) {
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<Response> Captcha(ApiContext& ctx, Request&) {
  if (ctx.captcha == nullptr) return MakeError(ErrorCode::kNotFound, "Captcha is not in use here.");
  const accounts::CaptchaChallenge c = ctx.captcha->Issue();
  return NoStore(Json(200, json::serialize(json::object{{"algorithm", c.algorithm},
                                                        {"challenge", c.challenge},
                                                        {"maxnumber", c.maxnumber},
                                                        {"salt", c.salt},
                                                        {"signature", c.signature}})));
}

Result<Response> Register(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "password", "display_name", "captcha", "accept_terms", "language"}));
  accounts::RegisterRequest r;
  TRIBUNE_ASSIGN(r.email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(r.password, GetString(body, "password", true));
  TRIBUNE_ASSIGN(r.display_name, GetString(body, "display_name", true));
  TRIBUNE_ASSIGN(r.captcha, GetString(body, "captcha", false));
  TRIBUNE_ASSIGN(r.accept_terms, GetBool(body, "accept_terms", false));
  TRIBUNE_ASSIGN(r.language, GetString(body, "language", false));
  TRIBUNE_ASSIGN(auto account, ctx.accounts.Register(r));
  return Json(201, json::serialize(json::object{
                       {"id", IdString(account.id)}, {"email", account.email}, {"display_name", account.display_name}}));
}

Result<Response> Confirm(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_TRY(ctx.accounts.ConfirmEmail(token));
  return Json(204, "");
}

Result<Response> Login(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "password", "captcha"}));
  TRIBUNE_ASSIGN(auto email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(auto password, GetString(body, "password", true));
  TRIBUNE_ASSIGN(auto captcha, GetString(body, "captcha", false));
  const accounts::ClientInfo client{ClientAddress(req, ctx.trusted_proxies), std::string(req.Header("user-agent"))};
  TRIBUNE_ASSIGN(auto login, ctx.accounts.Login(email, password, client, captcha));
  Response resp = Json(200, json::serialize(json::object{{"account", AccountJson(login.account)},
                                                          {"csrf_token", login.csrf_token}}));
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader(login.session_token, login.max_age_seconds));
  return NoStore(std::move(resp));
}

Result<Response> Logout(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  if (!auth.session_hash.empty()) TRIBUNE_TRY(ctx.accounts.Logout(auth.session_hash));
  Response resp = Json(204, "");
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0));
  return resp;
}

Result<Response> Me(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  json::object me = AccountJson(auth.account);
  me["csrf_token"] = auth.csrf_token;
  me["consent"] = json::object{{"policy_version", auth.account.consent_version},
                               {"current_version", ctx.accounts.CurrentPolicyVersion()}};
  // Every session of a blocked account learns why at its next request.
  if (auth.account.status == "blocked") me["block"] = ctx.auth.BlockJson(auth.account.id);
  return NoStore(Json(200, json::serialize(me)));
}

}  // namespace

std::string ClientAddress(const Request& req, const std::vector<std::string>& trusted_proxies) {
  if (std::find(trusted_proxies.begin(), trusted_proxies.end(), req.remote_address) == trusted_proxies.end()) {
    return req.remote_address;
  }
  std::string_view forwarded = req.Header("x-forwarded-for");
  const size_t comma = forwarded.rfind(',');
  std::string_view last = comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  if (last.empty() || last.size() > 64) return req.remote_address;
  return std::string(last);
}

void RegisterAccountRoutes(Router& router, ApiContext& ctx) {
  auto add = [&](const char* method, const char* path, Result<Response> (*fn)(ApiContext&, Request&)) {
    router.Add(method, path, [&ctx, fn](Request& req) { return Respond(req, [&] { return fn(ctx, req); }); });
  };
  add("GET", "/api/v1/captcha", Captcha);
  add("POST", "/api/v1/accounts", Register);
  add("POST", "/api/v1/account-confirmations", Confirm);
  add("POST", "/api/v1/session", Login);
  add("DELETE", "/api/v1/session", Logout);
  add("GET", "/api/v1/me", Me);
}

}  // namespace tribune::http
