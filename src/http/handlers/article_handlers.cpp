// POST|GET /api/v1/articles, GET /api/v1/articles/{id}, GET /s/{code}.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> Create(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can publish articles.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"slug", "title", "lead", "body", "section", "tags", "image", "language"}));
  news::NewArticle a;
  TRIBUNE_ASSIGN(a.slug, GetString(body, "slug", true));
  TRIBUNE_ASSIGN(a.title, GetString(body, "title", true));
  TRIBUNE_ASSIGN(a.lead, GetString(body, "lead", false));
  TRIBUNE_ASSIGN(a.body, GetString(body, "body", false));
  TRIBUNE_ASSIGN(a.section, GetString(body, "section", false));
  TRIBUNE_ASSIGN(a.tags, GetStringArray(body, "tags"));
  TRIBUNE_ASSIGN(a.language, GetString(body, "language", false));
  TRIBUNE_ASSIGN(const json::object* image, GetObject(body, "image"));
  if (image != nullptr) {
    TRIBUNE_TRY(AllowOnly(*image, {"url", "caption", "credit"}));
    TRIBUNE_ASSIGN(a.image.url, GetString(*image, "url", false));
    TRIBUNE_ASSIGN(a.image.caption, GetString(*image, "caption", false));
    TRIBUNE_ASSIGN(a.image.credit, GetString(*image, "credit", false));
  }
  TRIBUNE_ASSIGN(auto article, ctx.articles.Create(a, auth.account.id));
  return Json(201, json::serialize(ArticleJson(article, ctx.base_url)));
}

Result<Response> List(ApiContext& ctx, Request& req) {
  news::ArticleQuery q;
  q.section = req.Query("section").value_or("");
  q.tag = req.Query("tag").value_or("");
  q.cursor = req.Query("cursor").value_or("");
  TRIBUNE_ASSIGN(q.limit, ParseLimit(req, 20, 100));
  TRIBUNE_ASSIGN(auto page, ctx.articles.List(q));
  json::array items;
  for (const auto& a : page.items) items.push_back(ArticleJson(a, ctx.base_url));
  return Json(200, json::serialize(json::object{
                       {"items", std::move(items)},
                       {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}}));
}

Result<Response> Get(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "article"));
  TRIBUNE_ASSIGN(auto article, ctx.articles.Get(id));
  return Json(200, json::serialize(ArticleJson(article, ctx.base_url)));
}

Result<Response> ShortLink(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto article, ctx.articles.GetByShortCode(req.path_params["code"]));
  Response resp = Json(301, "");
  resp.headers.emplace_back("Location", ctx.base_url + "/articles/" + article.slug);
  return resp;
}

}  // namespace

void RegisterArticleRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/articles", [&ctx](Request& req) { return Respond(req, [&] { return Create(ctx, req); }); });
  router.Add("GET", "/api/v1/articles", [&ctx](Request& req) { return Respond(req, [&] { return List(ctx, req); }); },
             Dispatch::kInline);
  router.Add("GET", "/api/v1/articles/{id}", [&ctx](Request& req) { return Respond(req, [&] { return Get(ctx, req); }); },
             Dispatch::kInline);
  router.Add("GET", "/s/{code}", [&ctx](Request& req) { return Respond(req, [&] { return ShortLink(ctx, req); }); },
             Dispatch::kInline);
}

}  // namespace tribune::http
