// POST /api/v1/comments/{id}/reports: a reader flags a published comment with the rule it breaks.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

Result<Response> Post(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireToParticipate(req));
  if (ctx.reports == nullptr) return MakeError(ErrorCode::kUnavailable, "Reports are not available.");
  TRIBUNE_ASSIGN(int64_t comment_id, PathId(req, "comment"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"rule", "note"}));
  TRIBUNE_ASSIGN(auto rule, GetString(body, "rule", true));
  TRIBUNE_ASSIGN(auto note, GetString(body, "note", false));
  TRIBUNE_ASSIGN(auto report, ctx.reports->Report(auth.account.id, comment_id, rule, note));
  return Json(201, json::serialize(json::object{
                       {"id", IdString(report.id)}, {"reports", report.reports}, {"queued", report.queued}}));
}

}  // namespace

void RegisterReportRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/comments/{id}/reports",
             [&ctx](Request& req) { return Respond(req, [&] { return Post(ctx, req); }); });
}

}  // namespace tribune::http
