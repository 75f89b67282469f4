// GET /api/v1/moderation/audit: the append-only log of moderator actions, newest first. Admins only.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

json::value ParsedOrEmpty(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(json::object{}) : v;
}

Result<Response> Audit(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  if (!auth.account.HasRole("admin")) return MakeError(ErrorCode::kForbidden, "Only admins read the audit log.");
  accounts::AuditQuery q;
  q.target_type = req.Query("target_type").value_or("");
  if (!q.target_type.empty() && q.target_type != "comment" && q.target_type != "account" &&
      q.target_type != "appeal" && q.target_type != "cluster") {
    return MakeError(ErrorCode::kBadRequest, "target_type must be comment, account, appeal or cluster.");
  }
  for (auto [name, field] : {std::pair{"target_id", &q.target_id}, std::pair{"actor_id", &q.actor_id}}) {
    if (auto v = req.Query(name)) {
      auto id = ParseId(*v);
      if (!id) return MakeError(ErrorCode::kBadRequest, std::string(name) + " must be an id.");
      *field = *id;
    }
  }
  if (auto c = req.Query("cursor")) {
    auto id = ParseId(*c);
    if (!id) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
    q.before_id = *id;
  }
  if (auto l = req.Query("limit")) {
    auto n = ParseId(*l);
    if (!n || *n > 200) return MakeError(ErrorCode::kBadRequest, "limit must be 1 to 200.");
    q.limit = static_cast<int>(*n);
  }
  TRIBUNE_ASSIGN(auto records, accounts::ListAudit(ctx.accounts.db(), q));
  json::array items;
  for (const auto& r : records) {
    items.push_back(json::object{{"id", IdString(r.id)},
                                 {"at", FormatRfc3339(r.created_at)},
                                 {"actor_id", IdString(r.entry.actor_id)},
                                 {"action", r.entry.action},
                                 {"target", json::object{{"type", r.entry.target_type}, {"id", IdString(r.entry.target_id)}}},
                                 {"before", ParsedOrEmpty(r.entry.before_json)},
                                 {"after", ParsedOrEmpty(r.entry.after_json)},
                                 {"note", r.entry.note}});
  }
  json::value next = nullptr;
  if (!records.empty() && static_cast<int>(records.size()) == q.limit) next = IdString(records.back().id);
  return Json(200, json::serialize(json::object{{"items", std::move(items)}, {"next_cursor", next}}));
}

}  // namespace

void RegisterAuditRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/moderation/audit", [&ctx](Request& req) { return Respond(req, [&] { return Audit(ctx, req); }); });
}

}  // namespace tribune::http
