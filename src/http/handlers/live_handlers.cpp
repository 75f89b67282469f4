// GET /api/v1/articles/{id}/live: the discussion's changes as Server-Sent Events (http/live.hpp).
#include "http/handlers/api.hpp"
#include "http/json_body.hpp"
#include "http/live.hpp"

namespace tribune::http {

namespace {

Result<Response> Live(ApiContext& ctx, Request& req) {
  TRIBUNE_ASSIGN(const int64_t article_id, PathId(req, "article"));
  if (ctx.live == nullptr) return MakeError(ErrorCode::kNotFound, "Live updates are not available.");
  TRIBUNE_TRY(ctx.articles.Get(article_id));
  // The header an EventSource sends when it reconnects; the query parameter for clients that cannot set one.
  // Only ids this server wrote are accepted: anything else is a client's bug, said out loud (400).
  std::string last(req.Header("last-event-id"));
  if (last.empty()) last = req.Query("last_event_id").value_or("");
  std::optional<uint64_t> last_id;
  if (!last.empty()) {
    last_id = ParseEventId(last);
    if (!last_id) return MakeError(ErrorCode::kBadRequest, "Last-Event-ID must be an id that this stream sent.");
  }
  auto stream = ctx.live->Subscribe(article_id, ClientAddress(req, ctx.trusted_proxies), last_id);
  if (!stream.ok()) {
    Response r = ErrorResponse(stream.error(), req.request_id);
    if (stream.error().code == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "30");
    return r;
  }
  Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  r.headers = {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}};
  r.stream = std::move(stream).value();
  return r;
}

}  // namespace

void RegisterLiveRoutes(Router& router, ApiContext& ctx) {
  // Anonymous like the listing it follows; inline: two indexed reads, no credentials to resolve.
  router.Add("GET", "/api/v1/articles/{id}/live",
             [&ctx](Request& req) { return Respond(req, [&] { return Live(ctx, req); }); }, Dispatch::kInline);
}

}  // namespace tribune::http
