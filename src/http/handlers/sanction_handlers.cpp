// Sanctions (DESIGN.md D3): moderators block and unblock accounts and decide appeals; a blocked reader files
// an appeal and follows its state.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

constexpr int kAppealsPageDefault = 50;
constexpr int kAppealsPageMax = 200;

Result<accounts::SanctionService*> Service(ApiContext& ctx) {
  if (ctx.sanctions == nullptr) return MakeError(ErrorCode::kUnavailable, "Sanctions are not available.");
  return ctx.sanctions;
}

Result<accounts::AuthContext> RequireModerator(ApiContext& ctx, Request& req, bool write) {
  auto auth = write ? ctx.auth.RequireForWrite(req) : ctx.auth.Require(req);
  if (!auth.ok()) return std::move(auth).error();
  if (!auth->account.CanModerate()) return MakeError(ErrorCode::kForbidden, "Only moderators can do this.");
  return auth;
}

json::value OptTime(const std::optional<int64_t>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

json::object BlockJson(const accounts::Block& b) {
  return json::object{{"id", IdString(b.id)},
                      {"account_id", IdString(b.account_id)},
                      {"block_number", b.number},
                      {"rule", b.rule},
                      {"note", b.note},
                      {"final", b.final},
                      {"blocked_by", IdString(b.blocked_by)},
                      {"created_at", FormatRfc3339(b.created_at)},
                      {"lifted_at", OptTime(b.lifted_at)},
                      {"active", !b.lifted_at.has_value()}};
}

json::object AppealJson(const accounts::Appeal& a) {
  return json::object{
      {"id", IdString(a.id)},
      {"account", json::object{{"id", IdString(a.account_id)}, {"display_name", a.display_name}}},
      {"block", json::object{{"id", IdString(a.block_id)},
                             {"number", a.block_number},
                             {"rule", a.block_rule},
                             {"final", a.block_final}}},
      {"subject", a.subject},
      {"explanation", a.explanation},
      {"state", a.state},
      {"created_at", FormatRfc3339(a.created_at)},
      {"decided_at", OptTime(a.decided_at)},
      {"note", a.note}};
}

// {rule, note?}
Result<Response> PostBlock(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "account"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"rule", "note"}));
  TRIBUNE_ASSIGN(auto rule, GetString(body, "rule", true));
  TRIBUNE_ASSIGN(auto note, GetString(body, "note", false));
  TRIBUNE_ASSIGN(auto block,
                 svc->BlockAccount(auth.account.id, auth.account.HasRole("admin"), id, rule, note));
  json::object out = BlockJson(block);
  return Json(201, json::serialize(out));
}

// {note?}; the body may be empty.
Result<Response> DeleteBlock(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "account"));
  std::string note;
  if (!req.body.empty()) {
    TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
    TRIBUNE_TRY(AllowOnly(body, {"note"}));
    TRIBUNE_ASSIGN(note, GetString(body, "note", false));
  }
  TRIBUNE_TRY(svc->Unblock(auth.account.id, id, note));
  return Json(204, "");
}

Result<Response> ListBlocks(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireModerator(ctx, req, false));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "account"));
  TRIBUNE_ASSIGN(auto blocks, svc->Blocks(id));
  json::array items;
  for (const auto& b : blocks) items.push_back(BlockJson(b));
  return Json(200, json::serialize(json::object{{"items", std::move(items)}}));
}

// {subject, user_id, explanation}: the one write a blocked reader may make.
Result<Response> FileAppeal(ApiContext& ctx, Request& req) {
  // gate: a blocked reader may appeal (Auth::Blocked::kAllow); the block itself is checked by the service.
  TRIBUNE_ASSIGN(auto auth, ctx.auth.RequireForWrite(req, Auth::Consent::kAny, Auth::Blocked::kAllow));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"subject", "user_id", "explanation"}));
  TRIBUNE_ASSIGN(auto subject, GetString(body, "subject", true));
  TRIBUNE_ASSIGN(auto user_id_text, GetString(body, "user_id", true));
  TRIBUNE_ASSIGN(auto explanation, GetString(body, "explanation", true));
  const auto user_id = ParseId(user_id_text);
  if (!user_id) return MakeError(ErrorCode::kBadRequest, "user_id must be your user ID, a string of digits.");
  TRIBUNE_ASSIGN(auto appeal, svc->FileAppeal(auth.account.id, subject, *user_id, explanation));
  return Json(201, json::serialize(AppealJson(appeal)));
}

Result<Response> ListAppeals(ApiContext& ctx, Request& req) {
  TRIBUNE_TRY(RequireModerator(ctx, req, false));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  const std::string state = req.Query("state").value_or("open");
  std::optional<int64_t> after;
  if (auto c = req.Query("cursor"); c && !c->empty()) {
    after = ParseId(*c);
    if (!after) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
  }
  TRIBUNE_ASSIGN(int limit, ParseLimit(req, kAppealsPageDefault, kAppealsPageMax));
  TRIBUNE_ASSIGN(auto appeals, svc->ListAppeals(state == "any" ? "" : state, after, limit));
  json::array items;
  for (const auto& a : appeals) items.push_back(AppealJson(a));
  json::value next = nullptr;
  if (!appeals.empty() && static_cast<int>(appeals.size()) == limit) next = IdString(appeals.back().id);
  return Json(200, json::serialize(json::object{{"items", std::move(items)}, {"next_cursor", next}}));
}

// {action: "restore"|"deny", note?}
Result<Response> Decide(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, RequireModerator(ctx, req, true));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(int64_t id, PathId(req, "appeal"));
  TRIBUNE_ASSIGN(auto body, ParseJsonObject(req));
  TRIBUNE_TRY(AllowOnly(body, {"action", "note"}));
  TRIBUNE_ASSIGN(auto action, GetString(body, "action", true));
  TRIBUNE_ASSIGN(auto note, GetString(body, "note", false));
  TRIBUNE_ASSIGN(auto appeal, svc->DecideAppeal(auth.account.id, id, action, note));
  return Json(200, json::serialize(AppealJson(appeal)));
}

Result<Response> MyAppeals(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  TRIBUNE_ASSIGN(auto* svc, Service(ctx));
  TRIBUNE_ASSIGN(auto appeals, svc->AppealsOf(auth.account.id));
  TRIBUNE_ASSIGN(auto active, svc->ActiveBlock(auth.account.id));
  json::array items;
  for (const auto& a : appeals) items.push_back(AppealJson(a));
  json::value block = nullptr;
  if (active) {
    block = json::object{{"id", IdString(active->id)}, {"number", active->number},
                         {"rule", active->rule},       {"note", active->note},
                         {"final", active->final},     {"created_at", FormatRfc3339(active->created_at)}};
  }
  Response resp =
      Json(200, json::serialize(json::object{{"items", std::move(items)}, {"block", std::move(block)}}));
  resp.headers.emplace_back("Cache-Control", "no-store");
  return resp;
}

}  // namespace

void RegisterSanctionRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/api/v1/moderation/accounts/{id}/blocks",
             [&ctx](Request& req) { return Respond(req, [&] { return PostBlock(ctx, req); }); });
  router.Add("DELETE", "/api/v1/moderation/accounts/{id}/blocks",
             [&ctx](Request& req) { return Respond(req, [&] { return DeleteBlock(ctx, req); }); });
  router.Add("GET", "/api/v1/moderation/accounts/{id}/blocks",
             [&ctx](Request& req) { return Respond(req, [&] { return ListBlocks(ctx, req); }); });
  router.Add("POST", "/api/v1/appeals",
             [&ctx](Request& req) { return Respond(req, [&] { return FileAppeal(ctx, req); }); });
  router.Add("GET", "/api/v1/moderation/appeals",
             [&ctx](Request& req) { return Respond(req, [&] { return ListAppeals(ctx, req); }); });
  router.Add("POST", "/api/v1/moderation/appeals/{id}/decision",
             [&ctx](Request& req) { return Respond(req, [&] { return Decide(ctx, req); }); });
  router.Add("GET", "/api/v1/me/appeals",
             [&ctx](Request& req) { return Respond(req, [&] { return MyAppeals(ctx, req); }); });
}

}  // namespace tribune::http
