// POST|GET /api/v1/articles, GET /api/v1/articles/{id}, GET /s/{code}. Editors' routes: article_editor_handlers.cpp.
#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

#include "http/handlers/api.hpp"
#include "http/handlers/article_editor.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

// "2026-11-30T22:15:00Z", with optional fractional seconds and a "+01:00" offset instead of "Z".
std::optional<int64_t> ParseRfc3339(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970) return std::nullopt;
  size_t i = 19;
  int64_t frac = 0, scale = 1'000'000;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 1) {
        scale /= 10;
        frac += (s[i] - '0') * scale;
      }
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return std::nullopt;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset;
  return secs * 1'000'000 + frac;
}

namespace {

Result<Response> Create(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can publish articles.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_ASSIGN(auto fields, ParseArticleFields(body, {"status"}));
  news::NewArticle a = AsNewArticle(fields);
  if (!fields.slug) return MakeError(ErrorCode::kBadRequest, "slug is required.");
  if (!fields.title) return MakeError(ErrorCode::kBadRequest, "title is required.");
  TRIBUNE_ASSIGN(a.status, GetString(body, "status", false));
  TRIBUNE_ASSIGN(auto article, ctx.articles.Create(a, auth.account.id));
  // The editors' view (a superset of the reader's): status, updated_at for the next PATCH, related.
  return Json(201, json::serialize(EditorArticleJson(article, ctx.base_url, ctx.articles.NowMicros())));
}

Result<Response> List(ApiContext& ctx, Request& req) {
  if (req.Query("status")) return EditorList(ctx, req);  // editors only
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
  // An editor sees any status (drafts, scheduled, unpublished) and the editors' fields; everybody else only what
  // is out. Credentials are looked up only when sent (anonymous reads stay on the I/O thread).
  if (!req.Header("cookie").empty() || !req.Header("authorization").empty()) {
    auto viewer = ctx.auth.Optional(req);
    if (viewer && viewer->account.CanEditArticles()) {
      TRIBUNE_ASSIGN(auto any, ctx.articles.GetForEditor(id));
      Response r = Json(200, json::serialize(EditorArticleJson(any, ctx.base_url, ctx.articles.NowMicros())));
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
  }
  auto article = ctx.articles.Get(id);
  if (!article.ok()) return std::move(article).error();
  return Json(200, json::serialize(ArticleJson(*article, ctx.base_url)));
}

Result<Response> ShortLink(ApiContext& ctx, Request& req) {
  // Unknown or not yet out: 404. Unpublished: 410 (the code stays reserved; publishing again revives it).
  TRIBUNE_ASSIGN(auto article, ctx.articles.ResolveShortCode(req.path_params["code"]));
  Response resp = Json(301, "");
  resp.headers.emplace_back("Location", ctx.base_url + "/articles/" + article.slug);
  return resp;
}

}  // namespace

void RegisterArticleRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/articles", [&ctx](Request& req) { return Respond(req, [&] { return Create(ctx, req); }); });
  router.Add("GET", "/api/v1/articles", [&ctx](Request& req) { return Respond(req, [&] { return List(ctx, req); }); },
             Dispatch::kInlineIfAnonymous);
  router.Add("GET", "/api/v1/articles/{id}", [&ctx](Request& req) { return Respond(req, [&] { return Get(ctx, req); }); },
             Dispatch::kInlineIfAnonymous);
  RegisterArticleEditorRoutes(router, ctx);
  router.Add("GET", "/s/{code}", [&ctx](Request& req) { return Respond(req, [&] { return ShortLink(ctx, req); }); },
             Dispatch::kInline);
}

}  // namespace tribune::http
