// /moderation/accounts/{id}: one account as a moderator sees it — who, status, standing, recent comments with
// their findings, the reports it filed, its blocks and appeals; block / unblock and account-wide decisions
// (console.js over the API).
#include <boost/json.hpp>

#include "http/json_body.hpp"
#include "http/pages/console.hpp"

namespace tribune::http::console {

namespace {

using site::Data;

constexpr int kRecent = 50;

Response History(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  const auto id = ParseId(req.path_params.at("id"));
  if (!id) return ErrorPage(ctx, visit, 404);
  auto reads = Reads(ctx);
  auto account = reads.Account(*id);
  if (!account.ok()) return ErrorPage(ctx, visit, account.error().code == ErrorCode::kNotFound ? 404 : 500);
  auto comments = reads.RecentComments(*id, kRecent);
  auto filed = reads.ReportsFiled(*id, kRecent);
  if (!comments.ok() || !filed.ok()) return ErrorPage(ctx, visit, 500);
  std::vector<accounts::Block> blocks;
  std::vector<accounts::Appeal> appeals;
  if (ctx.api.sanctions != nullptr) {
    auto b = ctx.api.sanctions->Blocks(*id);
    auto a = ctx.api.sanctions->AppealsOf(*id);
    if (!b.ok() || !a.ok()) return ErrorPage(ctx, visit, 500);
    blocks = std::move(b).value();
    appeals = std::move(a).value();
  }
  const std::string lq = LangQuery(ctx, visit);
  const std::string lang_only = lq == "?" ? "" : lq.substr(0, lq.size() - 1);
  Data d;
  d.set("id", std::to_string(account->id));
  d.set("name", account->display_name);
  d.set("status", std::string(site::T(lang, "console.account_status." + account->status)));
  d.set("blocked", site::Bool(account->status == "blocked"));
  d.set("created", site::FormatDate(lang, account->created_at));
  d.set("created_iso", FormatRfc3339(account->created_at));
  std::string roles;
  for (const auto& r : account->roles) roles += (roles.empty() ? "" : ", ") + r;
  d.set("roles", roles);
  if (account->standing) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", *account->standing);
    d.set("standing", std::string(buf));
  }
  d.set("counts", site::Format(lang, "console.history.counts",
                               {{"comments", std::to_string(account->comments)},
                                {"rejected", std::to_string(account->rejected)}}));
  // Blocks: the next one is final when the account was blocked before (DESIGN D3: the second block is final).
  const bool active_final = !blocks.empty() && !blocks.back().lifted_at && blocks.back().final;
  const bool next_final = !blocks.empty();
  d.set("next_final", site::Bool(next_final));
  d.set("can_unblock", site::Bool(account->status == "blocked" && !active_final));
  d.set("final_block", site::Bool(active_final));
  d.set("can_block", site::Bool(account->status != "blocked" && account->status != "deleted" && account->status != "purged"));
  d.set("next_number", site::Num(static_cast<int64_t>(blocks.size()) + 1));
  site::List bl;
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    bl.push_back(site::Object{{"number", site::Num(it->number)},
                              {"rule", it->rule},
                              {"note", it->note},
                              {"final", site::Bool(it->final)},
                              {"created", site::FormatDate(lang, it->created_at)},
                              {"created_iso", FormatRfc3339(it->created_at)},
                              {"lifted", it->lifted_at ? site::FormatDate(lang, *it->lifted_at) : std::string()},
                              {"lifted_iso", it->lifted_at ? FormatRfc3339(*it->lifted_at) : std::string()},
                              {"active", site::Bool(!it->lifted_at)}});
  }
  d.set("blocks", bl);
  d.set("has_blocks", site::Bool(!bl.empty()));
  site::List al;
  for (const auto& a : appeals) {
    al.push_back(site::Object{{"id", std::to_string(a.id)},
                              {"state", std::string(site::T(lang, "console.appeal_state." + a.state))},
                              {"explanation", a.explanation},
                              {"block_number", site::Num(a.block_number)},
                              {"created", site::FormatDate(lang, a.created_at)},
                              {"note", a.note}});
  }
  d.set("appeals", al);
  d.set("has_appeals", site::Bool(!al.empty()));
  site::List cl;
  for (const auto& c : *comments) {
    site::List fl;
    for (const auto& f : Findings(c.findings_json)) {
      if (f.rule.empty()) continue;
      fl.push_back(site::Object{{"rule", f.rule}, {"reason", f.reason}});
    }
    cl.push_back(site::Object{
        {"id", std::to_string(c.id)},
        {"body_marked", Highlight(c.body, c.findings_json)},
        {"status_class", c.status},
        {"status", std::string(site::T(lang, "console.status." + c.status))},
        {"created", site::FormatDate(lang, c.created_at)},
        {"created_iso", FormatRfc3339(c.created_at)},
        {"article_title", c.article_title},
        {"article_href", "/articles/" + UrlEncode(c.article_slug) + lang_only},
        {"has_findings", site::Bool(!fl.empty())},
        {"has_reports", site::Bool(c.report_count > 0)},
        {"findings", fl},
        {"reports", c.report_count > 0 ? site::Plural(lang, "console.queue.reports", c.report_count) : std::string()}});
  }
  d.set("comments", cl);
  if (account->comments > static_cast<int64_t>(cl.size()) && cl.size() == static_cast<size_t>(kRecent)) {
    d.set("more_comments", site::Format(lang, "console.history.more_comments",
                                        {{"shown", std::to_string(cl.size())}, {"total", std::to_string(account->comments)}}));
  }
  d.set("has_comments", site::Bool(!cl.empty()));
  site::List rl;
  for (const auto& r : *filed) {
    rl.push_back(site::Object{{"comment_id", std::to_string(r.comment_id)},
                              {"rule", r.rule},
                              {"note", r.note},
                              {"created", site::FormatDay(lang, r.created_at)},
                              {"resolved", site::Bool(r.resolved)}});
  }
  d.set("filed", rl);
  d.set("has_filed", site::Bool(!rl.empty()));
  d.set("rules", RuleOptions(""));
  const std::string title = site::Format(lang, "console.history.title", {{"name", account->display_name}});
  d.set("title", title);
  return Page(ctx, visit, "", title, site::Render("console_history", lang, d),
              boost::json::object{{"page", "history"}, {"account", std::to_string(account->id)}});
}

}  // namespace

void RegisterHistoryPage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/moderation/accounts/{id}", [&ctx](Request& req) { return History(ctx, req); });
}

}  // namespace tribune::http::console
