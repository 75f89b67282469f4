// GET /api/v1/search?q=&cursor=&limit=&section=&tag=&lang= (API.md): published articles matching q, best first.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"
#include "news/search.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> Search(ApiContext& ctx, Request& req) {
  if (ctx.search == nullptr) return MakeError(ErrorCode::kNotFound, "Search is not available.");
  news::SearchRequest r;
  r.q = req.Query("q").value_or("");
  r.cursor = req.Query("cursor").value_or("");
  r.section = req.Query("section").value_or("");
  r.tag = req.Query("tag").value_or("");
  r.language = req.Query("lang").value_or("");
  TRIBUNE_ASSIGN(r.limit, ParseLimit(req, 20, 50));
  TRIBUNE_ASSIGN(auto page, ctx.search->Search(r));
  json::array items;
  for (const auto& hit : page.items) {
    items.push_back(json::object{{"article", ArticleJson(hit.article, ctx.base_url)}, {"snippet", hit.snippet}});
  }
  return Json(200, json::serialize(json::object{
                       {"items", std::move(items)},
                       {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}}));
}

}  // namespace

void RegisterSearchRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/search", [&ctx](Request& req) { return Respond(req, [&] { return Search(ctx, req); }); });
}

}  // namespace tribune::http
