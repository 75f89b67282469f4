// POST /api/v1/moderation/check — the engine's decision for a text, stored nowhere (moderators).
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> Check(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.CanModerate()) return MakeError(ErrorCode::kForbidden, "Only moderators can run checks.");
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"text", "article_id", "language"}));
  TRIBUNE_ASSIGN(auto text, GetString(body, "text", true));
  TRIBUNE_ASSIGN(auto article_id, GetOptionalId(body, "article_id"));
  TRIBUNE_ASSIGN(auto language, GetString(body, "language", false));
  if (language.size() > 12) return MakeError(ErrorCode::kBadRequest, "language must be a language tag such as \"en\".");
  std::string context;  // with an article, off_topic can judge the text against it
  if (article_id) {
    TRIBUNE_ASSIGN(auto article, ctx.articles.Get(*article_id));
    std::string tags;
    for (const auto& t : article.tags) tags.append(t).append(" ");
    context = moderation::ArticleContext(article.title, tags, article.lead, article.body);
  }
  moderation::Decision d = ctx.engine.Check({text, article_id.value_or(0), auth.account.id,
                                             language.empty() ? ctx.edition_language : language, context});
  return Json(200, json::serialize(json::object{{"action", moderation::ActionName(d.action)},
                                                {"findings", moderation::FindingsArray(d.findings)}}));
}

}  // namespace

void RegisterModerationRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/moderation/check",
             [&ctx](Request& req) { return Respond(req, [&] { return Check(ctx, req); }); });
}

}  // namespace tribune::http
