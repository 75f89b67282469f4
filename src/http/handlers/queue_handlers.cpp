// GET /api/v1/moderation/queue: the moderators' queue (held, reported and rejected comments) with the evidence
// a moderator needs to decide each one.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "http/handlers/views.hpp"
#include "http/json_body.hpp"

namespace tribune::http {

namespace json = boost::json;

namespace {

constexpr int kDefaultLimit = 50;

// ?NAME= in whole seconds (0 allowed), as microseconds; nullopt when absent. Errors: kBadRequest.
Result<std::optional<int64_t>> AgeParam(const Request& req, const char* name) {
  auto raw = req.Query(name);
  if (!raw) return std::optional<int64_t>{};
  const bool digits = !raw->empty() && raw->size() <= 12 &&
                      raw->find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return MakeError(ErrorCode::kBadRequest, std::string(name) + " must be a whole number of seconds.");
  return std::optional<int64_t>{std::stoll(*raw) * 1'000'000};
}

json::object ItemJson(const discussion::QueueItem& item) {
  json::value findings;
  json::error_code ec;
  findings = json::parse(item.findings_json, ec);
  if (ec || !findings.is_array()) findings = json::array{};
  json::array reports;
  for (const auto& r : item.reports) reports.push_back(json::object{{"rule", r.rule}, {"count", r.count}});
  return json::object{
      {"comment", CommentJson(item.comment)},
      {"article", json::object{{"id", IdString(item.article_id)},
                               {"title", item.article_title},
                               {"slug", item.article_slug}}},
      {"findings", std::move(findings)},
      {"reports", std::move(reports)},
      {"author_history", json::object{{"comments", item.author.comments},
                                      {"rejected", item.author.rejected},
                                      {"blocks", item.author.blocks},
                                      {"status", item.author.status}}},
      {"cluster", item.cluster_id ? json::value(json::object{{"id", IdString(*item.cluster_id)},
                                                            {"accounts", item.cluster_accounts}})
                                  : json::value(nullptr)},
      {"queued_at", FormatRfc3339(item.queued_at)},
  };
}

Result<Response> List(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(auto auth, ctx.auth.Require(req));
  if (!auth.account.CanModerate()) return MakeError(ErrorCode::kForbidden, "Only moderators can see the queue.");
  if (ctx.queue == nullptr) return MakeError(ErrorCode::kUnavailable, "The moderation queue is not available.");
  discussion::QueueQuery q;
  q.state = req.Query("state").value_or("pending");
  q.rule = req.Query("rule").value_or("");
  q.edition = req.Query("edition").value_or("");
  q.cursor = req.Query("cursor").value_or("");
  TRIBUNE_ASSIGN(q.min_age_us, AgeParam(req, "min_age"));
  TRIBUNE_ASSIGN(q.max_age_us, AgeParam(req, "max_age"));
  if (auto raw = req.Query("limit")) {
    auto limit = ParseId(*raw);
    if (!limit || *limit > discussion::QueueService::kMaxLimit) {
      return MakeError(ErrorCode::kBadRequest,
                       "limit must be a whole number from 1 to " + std::to_string(discussion::QueueService::kMaxLimit) + ".");
    }
    q.limit = static_cast<int>(*limit);
  } else {
    q.limit = kDefaultLimit;
  }
  TRIBUNE_ASSIGN(auto page, ctx.queue->List(q));
  json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(ItemJson(item));
  return Json(200, json::serialize(json::object{
                       {"items", std::move(items)},
                       {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}}));
}

}  // namespace

void RegisterQueueRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/moderation/queue",
             [&ctx](Request& req) { return Respond(req, [&] { return List(ctx, req); }); });
}

}  // namespace tribune::http
