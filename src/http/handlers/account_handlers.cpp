// POST /api/v1/accounts, POST|DELETE /api/v1/session, GET /api/v1/me.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> Register(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "password", "display_name", "captcha", "accept_terms"}));
  accounts::RegisterRequest r;
  TRIBUNE_ASSIGN(r.email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(r.password, GetString(body, "password", true));
  TRIBUNE_ASSIGN(r.display_name, GetString(body, "display_name", true));
  TRIBUNE_ASSIGN(r.captcha, GetString(body, "captcha", false));
  TRIBUNE_ASSIGN(r.accept_terms, GetBool(body, "accept_terms", false));
  TRIBUNE_ASSIGN(auto account, ctx.accounts.Register(r));
  return Json(201, json::serialize(json::object{
                       {"id", IdString(account.id)}, {"email", account.email}, {"display_name", account.display_name}}));
}

Result<Response> Login(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "password", "captcha"}));
  TRIBUNE_ASSIGN(auto email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(auto password, GetString(body, "password", true));
  TRIBUNE_ASSIGN(auto login, ctx.accounts.Login(email, password, std::string(req.Header("user-agent"))));
  Response resp = Json(200, json::serialize(json::object{{"account", AccountJson(login.account)},
                                                          {"csrf_token", login.csrf_token}}));
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader(login.session_token, login.max_age_seconds));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<Response> Logout(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.session_hash.empty()) TRIBUNE_TRY(ctx.accounts.Logout(auth.session_hash));
  Response resp = Json(204, "");
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0));
  return resp;
}

Result<Response> Me(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  json::object me = AccountJson(auth.account);
  me["csrf_token"] = auth.csrf_token;
  // Privacy-policy versions arrive with re-consent (issue 5); until then version 0 is current.
  me["consent"] = json::object{{"policy_version", auth.account.consent_version}, {"current_version", 0}};
  Response resp = Json(200, json::serialize(me));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

}  // namespace

void RegisterAccountRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/accounts", [&ctx](Request& req) { return Respond(req, [&] { return Register(ctx, req); }); });
  router.Add("POST", "/api/v1/session", [&ctx](Request& req) { return Respond(req, [&] { return Login(ctx, req); }); });
  router.Add("DELETE", "/api/v1/session", [&ctx](Request& req) { return Respond(req, [&] { return Logout(ctx, req); }); });
  router.Add("GET", "/api/v1/me", [&ctx](Request& req) { return Respond(req, [&] { return Me(ctx, req); }); });
}

}  // namespace tribune::http
