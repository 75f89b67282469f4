// E-mail subscriptions to the news (notify/newsletter.hpp): subscribe (double opt-in), confirm, one-click
// unsubscribe. None of them acts for a signed-in reader: the mailbox is the proof, so no session and no CSRF token
// are needed (a JSON body cannot be sent cross-site without a preflight, which this site never allows).
// /api/v1/me/subscriptions: a signed-in reader's view of the topics of their own (confirmed) address, and cancelling
// one (session + CSRF as every cookie write).
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"
#include "notify/newsletter.hpp"

namespace tribune::http {

namespace {

Result<notify::NewsletterService*> Service(ApiContext& ctx) {
  if (ctx.newsletters == nullptr) return MakeError(ErrorCode::kNotFound, "Subscriptions are not enabled on this site.");
  return ctx.newsletters;
}

Result<Response> Subscribe(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email", "topic", "language"}));
  notify::NewsletterRequest in;
  TRIBUNE_ASSIGN(in.email, GetString(body, "email", true));
  TRIBUNE_ASSIGN(in.topic, GetString(body, "topic", true));
  TRIBUNE_ASSIGN(in.language, GetString(body, "language", false));
  in.client_address = ClientAddress(req, ctx.trusted_proxies);
  TRIBUNE_TRY(service->Subscribe(in));
  // The same answer for every address, subscribed or not (no enumeration).
  return Json(202, R"({"status":"check_your_mailbox"})");
}

Result<Response> Confirm(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_ASSIGN(auto topic, service->Confirm(token));
  (void)topic;
  return Json(204, "");
}

Result<Response> Unsubscribe(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_TRY(service->Unsubscribe(token));
  return Json(204, "");
}

// Only an address the reader confirmed owning (an active account) shows its subscriptions.
Result<std::string> OwnAddress(const accounts::AuthContext& auth) {
  if (auth.account.status != "active") {
    return MakeError(ErrorCode::kForbidden, "Confirm your e-mail address first: follow the link we sent you.");
  }
  return auth.account.email;
}

Result<Response> Mine(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  TRIBUNE_ASSIGN(const std::string email, OwnAddress(auth));
  TRIBUNE_ASSIGN(auto topics, service->TopicsOf(email));
  boost::json::array items;
  for (const auto& t : topics) items.push_back(boost::json::object{{"topic", t.topic}, {"confirmed", t.confirmed}});
  return Json(200, boost::json::serialize(boost::json::object{{"email", email}, {"items", std::move(items)}}));
}

Result<Response> RemoveMine(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_ASSIGN(const std::string email, OwnAddress(auth));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"topic"}));
  TRIBUNE_ASSIGN(auto topic, GetString(body, "topic", true));
  TRIBUNE_TRY(service->RemoveTopic(email, topic));
  return Json(204, "");
}

}  // namespace

void RegisterSubscriptionRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return Subscribe(ctx, req); }); });
  router.Add("POST", "/api/v1/subscriptions/confirm",
             [&ctx](Request& req) { return Respond(req, [&] { return Confirm(ctx, req); }); });
  router.Add("POST", "/api/v1/subscriptions/unsubscribe",
             [&ctx](Request& req) { return Respond(req, [&] { return Unsubscribe(ctx, req); }); });
  router.Add("GET", "/api/v1/me/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return Mine(ctx, req); }); });
  router.Add("DELETE", "/api/v1/me/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return RemoveMine(ctx, req); }); });
}

}  // namespace tribune::http
