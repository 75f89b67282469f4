// Web Push and notification preferences: the VAPID key, browsers' subscriptions, breaking news (editors), a
// reader's notification settings, and the one-click unsubscribe of notice mails.
#include <boost/json.hpp>

#include "common/clock.hpp"
#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"
#include "notify/breaking.hpp"
#include "notify/prefs.hpp"
#include "notify/push.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Status Available(const ApiContext& ctx) {
  if (ctx.push_subscriptions == nullptr || ctx.vapid_public_key.empty()) {
    return MakeError(ErrorCode::kNotFound, "Push notifications are not enabled on this site.");
  }
  return Ok{};
}

// A cookie caller is a reader (and must prove it with the CSRF token); a request without a session is anonymous.
Result<std::optional<accounts::AuthContext>> Caller(ApiContext& ctx, const Request& req) {
  if (!ctx.auth.Optional(req)) return std::optional<accounts::AuthContext>();
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  return std::optional<accounts::AuthContext>(std::move(auth));
}

json::object DeviceJson(const notify::Subscription& s) {
  json::array topics;
  for (const auto& t : s.topics) topics.emplace_back(t);
  json::object o{{"id", IdString(s.id)},
                 {"origin", s.origin},
                 {"topics", std::move(topics)},
                 {"created_at", FormatRfc3339(s.created_at)}};
  o["last_success_at"] = s.last_success_at ? json::value(FormatRfc3339(*s.last_success_at)) : json::value(nullptr);
  return o;
}

Result<Response> Key(ApiContext& ctx) {
  TRIBUNE_TRY(Available(ctx));
  return Json(200, json::serialize(json::object{{"vapid_public_key", ctx.vapid_public_key}}));
}

Result<Response> Subscribe(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(auto caller, Caller(ctx, req));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"endpoint", "keys", "topics", "expirationTime", "language", "merge"}));
  notify::SubscriptionInput in;
  TRIBUNE_ASSIGN(in.endpoint, GetString(body, "endpoint", true));
  TRIBUNE_ASSIGN(const json::object* keys, GetObject(body, "keys"));
  if (keys == nullptr) return MakeError(ErrorCode::kBadRequest, "keys is required: {p256dh, auth}.");
  TRIBUNE_TRY(AllowOnly(*keys, {"p256dh", "auth"}));
  TRIBUNE_ASSIGN(in.p256dh, GetString(*keys, "p256dh", true));
  TRIBUNE_ASSIGN(in.auth, GetString(*keys, "auth", true));
  TRIBUNE_ASSIGN(in.topics, GetStringArray(body, "topics"));
  // PushSubscription.toJSON() carries expirationTime (a number or null); accepted and ignored.
  if (auto it = body.find("expirationTime"); it != body.end() && !it->value().is_null() && !it->value().is_number()) {
    return MakeError(ErrorCode::kBadRequest, "expirationTime must be a number or null.");
  }
  TRIBUNE_ASSIGN(std::string language, GetString(body, "language", false));
  TRIBUNE_ASSIGN(in.merge, GetBool(body, "merge", false));
  if (caller) {
    in.account_id = caller->account.id;
    if (language.empty()) language = caller->account.language;
  }
  if (!language.empty()) in.language = language;
  in.client_address = ClientAddress(req, ctx.trusted_proxies);
  TRIBUNE_ASSIGN(auto sub, ctx.push_subscriptions->Subscribe(in));
  return Json(201, json::serialize(DeviceJson(sub)));
}

Result<Response> Unsubscribe(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(auto caller, Caller(ctx, req));
  (void)caller;  // the endpoint itself is the proof; a cookie caller still had to pass the CSRF check
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"endpoint"}));
  TRIBUNE_ASSIGN(auto endpoint, GetString(body, "endpoint", true));
  TRIBUNE_ASSIGN(bool found, ctx.push_subscriptions->Unsubscribe(endpoint));
  (void)found;  // idempotent: the browser's state is what matters
  return Json(204, "");
}

Result<Response> ChangeTopics(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(auto caller, Caller(ctx, req));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"endpoint", "add", "remove"}));
  TRIBUNE_ASSIGN(auto endpoint, GetString(body, "endpoint", true));
  TRIBUNE_ASSIGN(auto add, GetStringArray(body, "add"));
  TRIBUNE_ASSIGN(auto remove, GetStringArray(body, "remove"));
  std::optional<int64_t> account;
  if (caller) account = caller->account.id;
  TRIBUNE_ASSIGN(auto sub, ctx.push_subscriptions->ChangeTopics(endpoint, add, remove, account));
  return Json(200, json::serialize(DeviceJson(sub)));
}

// What this browser receives: the endpoint is a secret, so it travels in a POST body, not in a URL.
Result<Response> State(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"endpoint"}));
  TRIBUNE_ASSIGN(auto endpoint, GetString(body, "endpoint", true));
  TRIBUNE_ASSIGN(auto sub, ctx.push_subscriptions->Find(endpoint));
  if (!sub) return Json(200, R"({"known":false})");
  json::object o = DeviceJson(*sub);
  o["known"] = true;
  return Json(200, json::serialize(o));
}

Result<Response> Breaking(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can send breaking news.");
  if (ctx.breaking == nullptr) return MakeError(ErrorCode::kNotFound, "Push notifications are not enabled on this site.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"article_id"}));
  TRIBUNE_ASSIGN(auto id, GetOptionalId(body, "article_id"));
  if (!id) return MakeError(ErrorCode::kBadRequest, "article_id is required.");
  // Any status: one not out yet (draft, scheduled, unpublished: published_at ahead) is a 409 from Send.
  TRIBUNE_ASSIGN(auto article, ctx.articles.GetForEditor(*id));
  TRIBUNE_ASSIGN(auto sent, ctx.breaking->Send({article.id, article.title, article.lead, "/articles/" + article.slug,
                                                article.language, article.published_at}));
  return Json(202, json::serialize(json::object{{"message_id", IdString(sent.message_id)},
                                                {"recipients", sent.recipients}}));
}

Result<Response> Settings(ApiContext& ctx, int64_t account_id) {
  json::object o;
  if (ctx.notification_prefs != nullptr) {
    TRIBUNE_ASSIGN(auto mode, ctx.notification_prefs->EmailReplies(account_id));
    o["email_replies"] = mode;
  }
  json::array devices;
  if (ctx.push_subscriptions != nullptr) {
    TRIBUNE_ASSIGN(auto subs, ctx.push_subscriptions->ForAccount(account_id));
    for (const auto& s : subs) devices.push_back(DeviceJson(s));
  }
  o["devices"] = std::move(devices);
  return Json(200, json::serialize(o));
}

Result<Response> GetSettings(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  return Settings(ctx, auth.account.id);
}

Result<Response> PutSettings(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  if (ctx.notification_prefs == nullptr) return MakeError(ErrorCode::kNotFound, "Notices are not enabled.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"email_replies"}));
  TRIBUNE_ASSIGN(auto mode, GetString(body, "email_replies", true));
  TRIBUNE_TRY(ctx.notification_prefs->SetEmailReplies(auth.account.id, mode));
  return Settings(ctx, auth.account.id);
}

Result<Response> RemoveDevice(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_TRY(Available(ctx));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "device"));
  TRIBUNE_TRY(ctx.push_subscriptions->Remove(auth.account.id, id));
  return Json(204, "");
}

Result<Response> UnsubscribeByToken(ApiContext& ctx, Request& req) {
  if (ctx.notification_prefs == nullptr) return MakeError(ErrorCode::kNotFound, "Notices are not enabled.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"token"}));
  TRIBUNE_ASSIGN(auto token, GetString(body, "token", true));
  TRIBUNE_TRY(ctx.notification_prefs->Unsubscribe(token));
  return Json(200, json::serialize(json::object{{"email_replies", "off"}}));
}

}  // namespace

void RegisterPushRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/push/key", [&ctx](Request& req) { return Respond(req, [&] { return Key(ctx); }); });
  router.Add("POST", "/api/v1/push/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return Subscribe(ctx, req); }); });
  router.Add("DELETE", "/api/v1/push/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return Unsubscribe(ctx, req); }); });
  router.Add("PATCH", "/api/v1/push/subscriptions",
             [&ctx](Request& req) { return Respond(req, [&] { return ChangeTopics(ctx, req); }); });
  router.Add("POST", "/api/v1/push/subscriptions/state",
             [&ctx](Request& req) { return Respond(req, [&] { return State(ctx, req); }); });
  router.Add("POST", "/api/v1/push/breaking",
             [&ctx](Request& req) { return Respond(req, [&] { return Breaking(ctx, req); }); });
  router.Add("GET", "/api/v1/me/notifications",
             [&ctx](Request& req) { return Respond(req, [&] { return GetSettings(ctx, req); }); });
  router.Add("PUT", "/api/v1/me/notifications",
             [&ctx](Request& req) { return Respond(req, [&] { return PutSettings(ctx, req); }); });
  router.Add("DELETE", "/api/v1/me/notifications/devices/{id}",
             [&ctx](Request& req) { return Respond(req, [&] { return RemoveDevice(ctx, req); }); });
  router.Add("POST", "/api/v1/notifications/unsubscribe",
             [&ctx](Request& req) { return Respond(req, [&] { return UnsubscribeByToken(ctx, req); }); });
}

}  // namespace tribune::http
