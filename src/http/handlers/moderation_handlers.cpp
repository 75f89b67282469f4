// Moderators' endpoints: POST /api/v1/moderation/check (the engine's decision for a text, stored nowhere),
// decisions on comments, and flash-mob clusters (see them, decide them in one go).
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
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

Result<accounts::AuthContext> RequireModerator(ApiContext& ctx, Request& req, bool write) {
  auto auth = write ? ctx.auth.RequireForWrite(req) : ctx.auth.Require(req);
  if (!auth.ok()) return std::move(auth).error();
  if (!auth->account.CanModerate()) return MakeError(ErrorCode::kForbidden, "Only moderators can do this.");
  return auth;
}

json::object ClusterJson(const discussion::ClusterDetail& c) {
  json::array members;
  for (const auto& m : c.members) {
    members.push_back(json::object{
        {"event_id", IdString(m.event_id)},
        {"comment_id", m.comment_id ? json::value(IdString(*m.comment_id)) : json::value(nullptr)},
        {"article_id", IdString(m.article_id)},
        {"author", json::object{{"id", IdString(m.account_id)}, {"display_name", m.display_name}}},
        {"created_at", FormatRfc3339(m.created_at)},
        {"status", m.status},
        {"body", m.body}});
  }
  return json::object{{"id", IdString(c.id)}, {"accounts", c.accounts},  {"comments", c.members.size()},
                      {"approved", c.approved}, {"truncated", c.truncated}, {"members", std::move(members)}};
}

// {action: "approve"|"reject"|"edit", rule?, body?}
Result<Response> DecideComment(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "comment"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"action", "rule", "body", "expected_status"}));
  TRIBUNE_ASSIGN(auto action, GetString(body, "action", true));
  TRIBUNE_ASSIGN(auto rule, GetString(body, "rule", false));
  TRIBUNE_ASSIGN(auto expected, GetString(body, "expected_status", false));
  if (!expected.empty() && expected != "pending" && expected != "published" && expected != "rejected") {
    return MakeError(ErrorCode::kBadRequest, "expected_status must be pending, published or rejected.");
  }
  const discussion::Actor moderator{auth.account.id, true};
  if (action == "edit") {
    TRIBUNE_ASSIGN(auto text, GetString(body, "body", true));
    TRIBUNE_ASSIGN(auto edited, ctx.moderation.EditAsModerator(moderator, id, text));
    return Json(200, json::serialize(CommentJson(edited)));
  }
  if (body.contains("body")) return MakeError(ErrorCode::kBadRequest, "body is only for \"edit\".");
  TRIBUNE_ASSIGN(auto comment, ctx.moderation.Decide(moderator, id, action, rule,
                                                     expected.empty() ? std::nullopt : std::optional(expected)));
  return Json(200, json::serialize(CommentJson(comment)));
}

Result<Response> CommentCluster(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireModerator(ctx, req, false));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "comment"));
  TRIBUNE_ASSIGN(int64_t cluster, ctx.moderation.ClusterOfComment(id));
  TRIBUNE_ASSIGN(auto detail, ctx.moderation.Cluster(cluster));
  return Json(200, json::serialize(ClusterJson(detail)));
}

Result<Response> GetCluster(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireModerator(ctx, req, false));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "cluster"));
  TRIBUNE_ASSIGN(auto detail, ctx.moderation.Cluster(id));
  return Json(200, json::serialize(ClusterJson(detail)));
}

// {action: "reject"|"approve", rule?} for every member at once.
Result<Response> DecideCluster(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "cluster"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"action", "rule"}));
  TRIBUNE_ASSIGN(auto action, GetString(body, "action", true));
  TRIBUNE_ASSIGN(auto rule, GetString(body, "rule", false));
  TRIBUNE_ASSIGN(auto result, ctx.moderation.DecideCluster({auth.account.id, true}, id, action, rule));
  return Json(200, json::serialize(json::object{{"cluster_id", IdString(result.cluster_id)},
                                                {"action", action},
                                                {"decided", result.decided}}));
}

// {action: "reject"|"approve", rule?, since_hours?} for the account's recent comments (24 h by default).
Result<Response> DecideRecent(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "account"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"action", "rule", "since_hours"}));
  TRIBUNE_ASSIGN(auto action, GetString(body, "action", true));
  TRIBUNE_ASSIGN(auto rule, GetString(body, "rule", false));
  int64_t hours = 24;
  if (auto it = body.find("since_hours"); it != body.end()) {
    if (!it->value().is_int64()) return MakeError(ErrorCode::kBadRequest, "since_hours must be an integer.");
    hours = it->value().as_int64();
  }
  if (hours < 1 || hours > 366 * 24) return MakeError(ErrorCode::kBadRequest, "since_hours must be from 1 to 8784.");
  TRIBUNE_ASSIGN(auto result, ctx.moderation.DecideRecent({auth.account.id, true}, id, action, rule, hours * 3600));
  return Json(200, json::serialize(json::object{{"account_id", IdString(id)}, {"action", action},
                                                {"decided", result.decided}}));
}

// Admins delete an account without notice: erased now, no restore link, no mail.
Result<Response> DeleteAccount(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req));
  if (!auth.account.HasRole("admin")) return MakeError(ErrorCode::kForbidden, "Only admins delete accounts.");
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "account"));
  if (id == auth.account.id) return MakeError(ErrorCode::kBadRequest, "Delete your own account from your profile.");
  TRIBUNE_TRY(ctx.accounts.PurgeNow(auth.account.id, id));
  return Json(204, "");
}

}  // namespace

void RegisterModerationCheckRoute(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/moderation/check",
             [&ctx](Request& req) { return Respond(req, [&] { return Check(ctx, req); }); });
}

void RegisterModerationRoutes(Router& router, ApiContext& ctx) {
  RegisterModerationCheckRoute(router, ctx);
  router.Add("POST", "/api/v1/moderation/comments/{id}/decision",
             [&ctx](Request& req) { return Respond(req, [&] { return DecideComment(ctx, req); }); });
  router.Add("GET", "/api/v1/moderation/comments/{id}/cluster",
             [&ctx](Request& req) { return Respond(req, [&] { return CommentCluster(ctx, req); }); });
  router.Add("GET", "/api/v1/moderation/clusters/{id}",
             [&ctx](Request& req) { return Respond(req, [&] { return GetCluster(ctx, req); }); });
  router.Add("POST", "/api/v1/moderation/clusters/{id}/decision",
             [&ctx](Request& req) { return Respond(req, [&] { return DecideCluster(ctx, req); }); });
  router.Add("POST", "/api/v1/moderation/accounts/{id}/comments/decision",
             [&ctx](Request& req) { return Respond(req, [&] { return DecideRecent(ctx, req); }); });
  router.Add("DELETE", "/api/v1/moderation/accounts/{id}",
             [&ctx](Request& req) { return Respond(req, [&] { return DeleteAccount(ctx, req); }); });
}

}  // namespace tribune::http
