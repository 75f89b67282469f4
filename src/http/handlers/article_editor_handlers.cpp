// Editors' article API: PATCH /api/v1/articles/{id}, POST /api/v1/articles/{id}/publish|unpublish,
// GET /api/v1/editor/articles?status= (also reachable as GET /api/v1/articles?status= by editors).
// POST /api/v1/images and GET /images/{id}/{width}.{webp|jpg} (uploaded article images).
#include <boost/json.hpp>

#include "avatars/article_images.hpp"
#include "http/handlers/api.hpp"
#include "http/handlers/article_editor.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<std::optional<int64_t>> ExpectedUpdatedAt(const json::object& body) {
  TRIBUNE_ASSIGN(auto t, OptionalTime(body, "expected_updated_at"));
  if (!t) return std::optional<int64_t>{};
  if (!*t) return MakeError(ErrorCode::kBadRequest, "expected_updated_at must be an RFC 3339 time.");
  return std::optional<int64_t>{**t};
}

Result<accounts::AuthContext> RequireEditor(ApiContext& ctx, const Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can edit articles.");
  return auth;
}

Response EditorJson(ApiContext& ctx, int status, const news::Article& a) {
  Response r = Json(status, json::serialize(EditorArticleJson(a, ctx.base_url, ctx.articles.NowMicros())));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// An empty body counts as {} (publish and unpublish take optional fields).
Result<json::object> OptionalBody(const Request& req) {
  if (req.body.empty()) return json::object{};
  return ParseJsonObject(req);
}

Result<Response> Patch(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireEditor(ctx, req));
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "article"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_ASSIGN(auto patch, ParseArticleFields(body, {"expected_updated_at"}));
  TRIBUNE_ASSIGN(patch.expected_updated_at, ExpectedUpdatedAt(body));
  TRIBUNE_ASSIGN(auto article, ctx.articles.Update(id, patch));
  return EditorJson(ctx, 200, article);
}

Result<Response> Publish(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireEditor(ctx, req));
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "article"));
  TRIBUNE_ASSIGN(auto body, OptionalBody(req));
  TRIBUNE_TRY(AllowOnly(body, {"published_at", "expected_updated_at"}));
  TRIBUNE_ASSIGN(auto at, OptionalTime(body, "published_at"));
  TRIBUNE_ASSIGN(auto expected, ExpectedUpdatedAt(body));
  TRIBUNE_ASSIGN(auto article, ctx.articles.Publish(id, at ? *at : std::nullopt, expected));
  return EditorJson(ctx, 200, article);
}

Result<Response> Unpublish(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireEditor(ctx, req));
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "article"));
  TRIBUNE_ASSIGN(auto body, OptionalBody(req));
  TRIBUNE_TRY(AllowOnly(body, {"expected_updated_at"}));
  TRIBUNE_ASSIGN(auto expected, ExpectedUpdatedAt(body));
  TRIBUNE_ASSIGN(auto article, ctx.articles.Unpublish(id, expected));
  return EditorJson(ctx, 200, article);
}

Result<Response> UploadImage(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can upload images.");
  if (ctx.images == nullptr) return MakeError(ErrorCode::kUnavailable, "Image uploads are not available.");
  TRIBUNE_ASSIGN(auto img, ctx.images->Upload(req.body, std::string(req.Header("content-type")), auth.account.id));
  const std::string base = "/images/" + IdString(img.id) + "/";
  std::string srcset, srcset_jpg;
  json::array variants;
  for (const auto& [w, h] : img.sizes) {
    const std::string ws = std::to_string(w);
    srcset += (srcset.empty() ? "" : ", ") + base + ws + ".webp " + ws + "w";
    srcset_jpg += (srcset_jpg.empty() ? "" : ", ") + base + ws + ".jpg " + ws + "w";
    variants.push_back(json::object{{"width", w}, {"height", h}, {"webp", base + ws + ".webp"}, {"jpg", base + ws + ".jpg"}});
  }
  return Json(201, json::serialize(json::object{{"id", IdString(img.id)},
                                                {"url", "/images/" + IdString(img.id)},
                                                {"width", img.width},
                                                {"height", img.height},
                                                {"srcset", srcset},
                                                {"srcset_jpg", srcset_jpg},
                                                {"variants", std::move(variants)}}));
}

Response ImageResponse(const Request& req, const avatars::EncodedVariant& v) {
  Response r;
  r.headers.emplace_back("ETag", v.etag);
  r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  if (req.Header("if-none-match") == v.etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = v.content_type;
  r.body = v.bytes;
  return r;
}

// /images/{id}/{width}.{webp|jpg}
Result<Response> ServeVariant(ApiContext& ctx, Request& req) {
  if (ctx.images == nullptr) return MakeError(ErrorCode::kNotFound, "No such image.");
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "image"));
  const std::string& file = req.path_params["file"];
  const size_t dot = file.find('.');
  const auto width = dot == std::string::npos ? std::nullopt : ParseId(file.substr(0, dot));
  const std::string format = dot == std::string::npos ? "" : file.substr(dot + 1);
  if (!width || *width > 100000 || (format != "webp" && format != "jpg")) {
    return MakeError(ErrorCode::kNotFound, "No such image.");
  }
  TRIBUNE_ASSIGN(auto v, ctx.images->Variant(id, static_cast<int>(*width), format));
  return ImageResponse(req, v);
}

// /images/{id}: the largest JPEG (what image.url of an article names).
Result<Response> ServeLargest(ApiContext& ctx, Request& req) {
  if (ctx.images == nullptr) return MakeError(ErrorCode::kNotFound, "No such image.");
  TRIBUNE_ASSIGN(const int64_t id, PathId(req, "image"));
  TRIBUNE_ASSIGN(auto info, ctx.images->Info(id));
  TRIBUNE_ASSIGN(auto v, ctx.images->Variant(id, info.width, "jpg"));
  return ImageResponse(req, v);
}

}  // namespace

// GET /api/v1/articles?status= and GET /api/v1/editor/articles?status=: editors only.
Result<Response> EditorList(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  if (!auth.account.CanEditArticles()) return MakeError(ErrorCode::kForbidden, "Only editors can list drafts.");
  news::EditorQuery q;
  q.status = req.Query("status").value_or("");
  q.cursor = req.Query("cursor").value_or("");
  TRIBUNE_ASSIGN(q.limit, ParseLimit(req, 50, 100));
  TRIBUNE_ASSIGN(auto page, ctx.articles.ListForEditor(q));
  json::array items;
  const int64_t now = ctx.articles.NowMicros();
  for (const auto& a : page.items) items.push_back(EditorArticleJson(a, ctx.base_url, now));
  Response r = Json(200, json::serialize(json::object{
                             {"items", std::move(items)},
                             {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}}));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void RegisterArticleEditorRoutes(Router& router, ApiContext& ctx) {
  auto add = [&](const char* method, const char* path, Result<Response> (*fn)(ApiContext&, Request&),
                 Dispatch d = Dispatch::kWorker) {
    router.Add(method, path, [&ctx, fn](Request& req) { return Respond(req, [&] { return fn(ctx, req); }); }, d);
  };
  add("PATCH", "/api/v1/articles/{id}", Patch);
  add("POST", "/api/v1/articles/{id}/publish", Publish);
  add("POST", "/api/v1/articles/{id}/unpublish", Unpublish);
  add("GET", "/api/v1/editor/articles", EditorList);
  add("POST", "/api/v1/images", UploadImage);
  add("GET", "/images/{id}", ServeLargest, Dispatch::kInline);
  add("GET", "/images/{id}/{file}", ServeVariant, Dispatch::kInline);
}

}  // namespace tribune::http
