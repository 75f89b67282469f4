// PUT|DELETE /api/v1/me/avatar, GET /api/v1/accounts/{id}/avatar.
#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "avatars/avatars.hpp"
#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<avatars::AvatarService*> Service(ApiContext& ctx) {
  if (ctx.avatars == nullptr) return MakeError(ErrorCode::kUnavailable, "Avatars are not available.");
  return ctx.avatars;
}

// The etag without quotes: the version in avatar URLs, so a new picture is a new URL to caches.
std::string Version(const std::string& etag) {
  std::string v;
  for (char c : etag) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') v += c;
  }
  return v.substr(0, 16);
}

std::string AvatarUrl(int64_t account_id, const std::string& etag) {
  return "/api/v1/accounts/" + IdString(account_id) + "/avatar?v=" + Version(etag);
}

// If-None-Match: "*" or a comma-separated list of (possibly weak) entity tags.
bool NoneMatch(std::string_view header, const std::string& etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

Result<Response> Put(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto image, service->Upload(auth.account.id, req.body, std::string(req.Header("content-type"))));
  Response resp = Json(200, json::serialize(json::object{{"avatar_url", AvatarUrl(auth.account.id, image.etag)}}));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

Result<Response> Delete(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_TRY(service->Remove(auth.account.id));
  return Json(204, "");
}

Result<Response> Get(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "account"));
  TRIBUNE_ASSIGN(auto* service, Service(ctx));
  TRIBUNE_ASSIGN(auto image, service->Get(id));
  Response resp;
  resp.content_type = image.content_type;
  resp.headers.emplace_back("ETag", image.etag);
  resp.headers.emplace_back("Cache-Control", "public, max-age=300");
  // X-Content-Type-Options: nosniff is on every response (the server adds it).
  if (image.content_type == "image/svg+xml") {
    // The default avatar uses presentation attributes only; nothing else may load or run.
    resp.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  }
  if (NoneMatch(req.Header("if-none-match"), image.etag)) {
    resp.status = 304;
    return resp;
  }
  resp.status = 200;
  resp.body = std::move(image.bytes);
  return resp;
}

}  // namespace

void RegisterAvatarRoutes(Router& router, ApiContext& ctx) {
  router.Add("PUT", "/api/v1/me/avatar", [&ctx](Request& req) { return Respond(req, [&] { return Put(ctx, req); }); });
  router.Add("DELETE", "/api/v1/me/avatar",
             [&ctx](Request& req) { return Respond(req, [&] { return Delete(ctx, req); }); });
  router.Add("GET", "/api/v1/accounts/{id}/avatar",
             [&ctx](Request& req) { return Respond(req, [&] { return Get(ctx, req); }); }, Dispatch::kInline);
}

}  // namespace tribune::http
