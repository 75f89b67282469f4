// Social login (OpenID Connect): GET /api/v1/social/providers, GET /api/v1/social/{provider}/start,
// GET /api/v1/social/{provider}/callback, GET /api/v1/social/signup, POST /api/v1/social/signups.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Response Redirect(const std::string& location) {
  Response resp = Json(302, "");
  resp.headers.emplace_back("Location", location);
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<oidc::Client*> Social(ApiContext& ctx) {
  if (ctx.social == nullptr) return MakeError(ErrorCode::kNotFound, "Social login is not set up on this site.");
  return ctx.social;
}

Result<Response> Providers(ApiContext& ctx, Request&) {
  json::array items;
  if (ctx.social != nullptr) {
    for (const auto& p : ctx.social->providers()) {
      items.push_back(json::object{
          {"id", p.id}, {"display_name", p.display_name}, {"start_url", "/api/v1/social/" + p.id + "/start"}});
    }
  }
  return Json(200, json::serialize(json::object{{"items", std::move(items)}}));
}

Result<Response> Start(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* social, Social(ctx));
  TRIBUNE_ASSIGN(auto url, social->Begin(req.path_params.at("provider"), req.Query("return_to").value_or("/")));
  return Redirect(url);
}

Response WithSession(Response resp, const accounts::LoginResult& login) {
  resp.headers.emplace_back("Set-Cookie", SessionCookieHeader(login.session_token, login.max_age_seconds));
  return resp;
}

Result<Response> Callback(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* social, Social(ctx));
  if (auto error = req.Query("error")) {
    return MakeError(ErrorCode::kBadRequest, "The provider did not let you in (" + error->substr(0, 64) + ").");
  }
  const std::string code = req.Query("code").value_or("");
  const std::string state = req.Query("state").value_or("");
  if (code.empty() || state.empty() || code.size() > 2048 || state.size() > 256) {
    return MakeError(ErrorCode::kBadRequest, "The provider's answer is missing its code or state.");
  }
  TRIBUNE_ASSIGN(auto done, social->Complete(req.path_params.at("provider"), code, state));
  const auto& id = done.identity;
  TRIBUNE_ASSIGN(auto outcome,
                 ctx.accounts.SignInWithIdentity({id.provider, id.subject, id.email, id.email_verified, id.name},
                                                 done.return_to, std::string(req.Header("user-agent"))));
  if (outcome.login) return WithSession(Redirect(done.return_to), *outcome.login);
  return Redirect("/signup/social?ticket=" + outcome.signup_ticket);
}

Result<Response> PeekSignup(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto identity, ctx.accounts.PeekSocialSignup(req.Query("ticket").value_or("")));
  return Json(200, json::serialize(json::object{{"provider", identity.provider},
                                                {"email", identity.email},
                                                {"email_verified", identity.email_verified},
                                                {"display_name", identity.name},
                                                {"return_to", identity.return_to}}));
}

Result<Response> CompleteSignup(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"ticket", "accept_terms", "display_name"}));
  TRIBUNE_ASSIGN(auto ticket, GetString(body, "ticket", true));
  TRIBUNE_ASSIGN(bool accept, GetBool(body, "accept_terms", false));
  TRIBUNE_ASSIGN(auto name, GetString(body, "display_name", false));
  TRIBUNE_ASSIGN(auto identity, ctx.accounts.PeekSocialSignup(ticket));
  TRIBUNE_ASSIGN(auto login,
                 ctx.accounts.CompleteSocialSignup(ticket, accept, name, std::string(req.Header("user-agent"))));
  Response resp = Json(201, json::serialize(json::object{{"account", AccountJson(login.account)},
                                                         {"csrf_token", login.csrf_token},
                                                         {"return_to", identity.return_to}}));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return WithSession(std::move(resp), login);
}

}  // namespace

void RegisterSocialRoutes(Router& router, ApiContext& ctx) {
  auto add = [&](const char* method, const char* path, Result<Response> (*fn)(ApiContext&, Request&)) {
    router.Add(method, path, [&ctx, fn](Request& req) { return Respond(req, [&] { return fn(ctx, req); }); });
  };
  add("GET", "/api/v1/social/providers", Providers);
  add("GET", "/api/v1/social/{provider}/start", Start);
  add("GET", "/api/v1/social/{provider}/callback", Callback);
  add("GET", "/api/v1/social/signup", PeekSignup);
  add("POST", "/api/v1/social/signups", CompleteSignup);
}

}  // namespace tribune::http
