// The blocked reader's page (/blocked, DESIGN.md D3): why the account is blocked (the rule, the moderator's
// note, the date), whether the block is final, the appeal form (account.js posts it to /api/v1/appeals) and
// the state of the reader's appeals.
#include "http/pages/account_pages.hpp"

namespace tribune::http::account_pages {

namespace {

using site::Data;

std::string RuleName(site::Lang lang, const std::string& rule) {
  const std::string key = "acct.rule." + rule;
  const std::string_view name = site::T(lang, key);
  return name == key ? rule : std::string(name);
}

Response Blocked(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) return SeeOther("/login?return=/blocked");
  if (ctx.api.sanctions == nullptr) return ErrorPage(ctx, visit, 500);
  const accounts::Account& a = visit.viewer->account;
  auto block = ctx.api.sanctions->ActiveBlock(a.id);
  auto appeals = ctx.api.sanctions->AppealsOf(a.id);
  if (!block.ok() || !appeals.ok()) return ErrorPage(ctx, visit, 500);
  const auto& opts = ctx.api.sanctions->options();
  Data d;
  bool open = false;
  site::List list;
  for (const auto& ap : *appeals) {
    open = open || ap.state == "open";
    site::Object item{{"state", std::string(site::T(visit.lang, "acct.appeal.state." + ap.state))},
                      {"state_class", ap.state},
                      {"date", site::FormatDate(visit.lang, ap.created_at)},
                      {"rule", RuleName(visit.lang, ap.block_rule)}};
    if (!ap.note.empty() && ap.state != "open") item.emplace("note", ap.note);
    list.push_back(item);
  }
  if (!list.empty()) d.set("history", site::Object{{"items", list}});
  if (block->has_value()) {
    const accounts::Block& b = **block;
    site::Object shown{{"rule", RuleName(visit.lang, b.rule)},
                       {"rule_id", b.rule},
                       {"since", site::Format(visit.lang, "acct.blocked.since",
                                              {{"date", site::FormatDate(visit.lang, b.created_at)}})},
                       {"final", site::Bool(b.final)}};
    if (!b.note.empty()) shown.emplace("note", b.note);
    d.set("block", shown);
    if (!b.final && !open) {
      d.set("form", site::Object{{"subject", accounts::kAppealSubject},
                                 {"user_id", std::to_string(a.id)},
                                 {"min", site::Num(static_cast<int64_t>(opts.explanation_min))},
                                 {"max", site::Num(static_cast<int64_t>(opts.explanation_max))},
                                 {"bounds", site::Format(visit.lang, "acct.appeal.bounds",
                                                         {{"min", std::to_string(opts.explanation_min)},
                                                          {"max", std::to_string(opts.explanation_max)}})}});
    }
    if (!b.final && open) d.set("waiting", site::Bool(true));
  } else {
    d.set("not_blocked", site::Bool(true));
  }
  if (req.Query("sent")) d.set("sent", site::Bool(true));
  return Show(ctx, visit, "acct.blocked.title", "blocked", std::move(d),
              {.data = boost::json::object{{"page", "blocked"},
                                           {"appeal_min", opts.explanation_min},
                                           {"appeal_max", opts.explanation_max}}});
}

}  // namespace

void RegisterBlockedPages(Router& router, SiteContext& ctx) {
  router.Add("GET", "/blocked", [&ctx](Request& req) { return Blocked(ctx, req); });
}

}  // namespace tribune::http::account_pages
