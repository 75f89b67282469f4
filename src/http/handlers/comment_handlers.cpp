// GET|POST /api/v1/articles/{id}/comments, PATCH|DELETE /api/v1/comments/{id}.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

discussion::Actor ActorOf(const accounts::AuthContext& auth) {
  return {auth.account.id, auth.account.CanModerate()};
}

Result<Response> List(ApiContext& ctx, Request& req) {
  discussion::ListQuery q;
  TRIBUNE_ASSIGN(q.article_id, PathId(req, "article"));
  const std::string sort = req.Query("sort").value_or("oldest");
  if (sort == "oldest") q.sort = discussion::Sort::kOldest;
  else if (sort == "newest") q.sort = discussion::Sort::kNewest;
  else if (sort == "top") q.sort = discussion::Sort::kTop;
  else return MakeError(ErrorCode::kBadRequest, "sort must be oldest, newest or top.");
  q.cursor = req.Query("cursor").value_or("");
  TRIBUNE_ASSIGN(q.limit, ParseLimit(req, ctx.comments_page_default, ctx.comments_page_max));
  if (auto viewer = ctx.auth.Optional(req)) q.viewer_id = viewer->account.id;
  // Anonymous readers all see the same page: serve it from the cache while the thread is unchanged.
  // The version is read before the database, so a write racing with this read only causes a miss later.
  const bool cacheable = q.viewer_id == 0;
  const std::string key = std::to_string(q.article_id) + '|' + sort + '|' + q.cursor + '|' + std::to_string(q.limit);
  const uint64_t version = ctx.comments.ThreadVersion(q.article_id);
  if (cacheable) {
    if (auto body = ctx.page_cache.Get(key, version)) return Json(200, std::move(body));
  }
  TRIBUNE_ASSIGN(auto page, ctx.comments.List(q));
  json::array items;
  items.reserve(page.items.size());
  for (const auto& c : page.items) items.push_back(CommentJson(c));
  auto body = std::make_shared<const std::string>(json::serialize(json::object{
      {"items", std::move(items)},
      {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)},
      {"total", page.total}}));
  if (cacheable) ctx.page_cache.Put(key, version, body);
  return Json(200, std::move(body));
}

Result<Response> Post(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireToParticipate(req));
  TRIBUNE_ASSIGN(int64_t article_id, PathId(req, "article"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"body", "parent_id"}));
  TRIBUNE_ASSIGN(auto text, GetString(body, "body", true));
  TRIBUNE_ASSIGN(auto parent, GetOptionalId(body, "parent_id"));
  TRIBUNE_ASSIGN(auto posted, ctx.comments.Post(ActorOf(auth), article_id, text, parent));
  return Json(201, json::serialize(json::object{{"id", IdString(posted.id)},
                                                {"status", posted.status},
                                                {"findings", moderation::FindingsArray(posted.findings)},
                                                {"body_html", posted.body_html},
                                                {"created_at", FormatRfc3339(posted.created_at)}}));
}

Result<Response> Edit(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireToParticipate(req));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "comment"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"body"}));
  TRIBUNE_ASSIGN(auto text, GetString(body, "body", true));
  TRIBUNE_ASSIGN(auto comment, ctx.comments.Edit(ActorOf(auth), id, text));
  return Json(200, json::serialize(CommentJson(comment)));
}

Result<Response> Remove(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "comment"));
  TRIBUNE_TRY(ctx.comments.Delete(ActorOf(auth), id));
  return Json(204, "");
}

}  // namespace

void RegisterCommentRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/articles/{id}/comments",
             [&ctx](Request& req) { return Respond(req, [&] { return List(ctx, req); }); },
             Dispatch::kInlineIfAnonymous);
  router.Add("POST", "/api/v1/articles/{id}/comments",
             [&ctx](Request& req) { return Respond(req, [&] { return Post(ctx, req); }); });
  router.Add("PATCH", "/api/v1/comments/{id}",
             [&ctx](Request& req) { return Respond(req, [&] { return Edit(ctx, req); }); });
  router.Add("DELETE", "/api/v1/comments/{id}",
             [&ctx](Request& req) { return Respond(req, [&] { return Remove(ctx, req); }); });
}

}  // namespace tribune::http
