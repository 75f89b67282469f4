// /moderation/appeals: open appeals, oldest first, with the block they contest; restore or deny with a note
// (console.js over the API).
#include <boost/json.hpp>

#include "http/json_body.hpp"
#include "http/pages/console.hpp"

namespace tribune::http::console {

namespace {

using site::Data;

constexpr int kPageSize = 50;

Response Appeals(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  if (ctx.api.sanctions == nullptr) return ErrorPage(ctx, visit, 500);
  std::optional<int64_t> after;
  if (auto c = req.Query("cursor")) after = ParseId(*c);
  auto appeals = ctx.api.sanctions->ListAppeals("open", after, kPageSize);
  if (!appeals.ok()) return ErrorPage(ctx, visit, 500);
  const std::string lq = LangQuery(ctx, visit);
  const std::string lang_only = lq == "?" ? "" : lq.substr(0, lq.size() - 1);
  const int64_t now = ctx.api.accounts.clock().NowMicros();
  Data d;
  site::List items;
  for (const auto& a : *appeals) {
    items.push_back(site::Object{
        {"id", std::to_string(a.id)},
        {"subject", a.subject},
        {"user_id", std::to_string(a.account_id)},
        {"name", a.display_name},
        {"history", "/moderation/accounts/" + std::to_string(a.account_id) + lang_only},
        {"explanation", a.explanation},
        {"block", site::Format(lang, "console.appeals.block",
                               {{"number", std::to_string(a.block_number)}, {"rule", a.block_rule}})},
        {"final", site::Bool(a.block_final)},
        {"created", site::FormatDate(lang, a.created_at)},
        {"created_iso", FormatRfc3339(a.created_at)},
        {"waiting", Age(lang, now - a.created_at)}});
  }
  d.set("items", items);
  d.set("empty", site::Bool(items.empty()));
  if (static_cast<int>(appeals->size()) == kPageSize) {
    d.set("next", "/moderation/appeals" + lq + "cursor=" + std::to_string(appeals->back().id));
  }
  const std::string title = std::string(site::T(lang, "console.appeals.title"));
  d.set("title", title);
  return Page(ctx, visit, "appeals", title, site::Render("console_appeals", lang, d),
              boost::json::object{{"page", "appeals"}});
}

}  // namespace

void RegisterAppealsPage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/moderation/appeals", [&ctx](Request& req) { return Appeals(ctx, req); });
}

}  // namespace tribune::http::console
