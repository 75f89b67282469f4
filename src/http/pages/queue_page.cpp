// /moderation: the queue (pending, reported, rejected) rendered on the server, oldest first, with the evidence
// highlighted; console.js adds the keyboard and the decisions (JSON API).
#include <boost/json.hpp>

#include <algorithm>

#include "http/json_body.hpp"
#include "http/pages/console.hpp"
#include "moderation/policy.hpp"

namespace tribune::http::console {

namespace {

using site::Data;

constexpr int kPageSize = 25;

Response Queue(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  if (ctx.api.queue == nullptr) return ErrorPage(ctx, visit, 500);
  discussion::QueueQuery q;
  q.state = req.Query("state").value_or("pending");
  if (q.state != "pending" && q.state != "reported" && q.state != "rejected") q.state = "pending";
  q.rule = req.Query("rule").value_or("");
  // An unknown rule (an old or hand-made link) would show an empty queue under "All rules": ignore it.
  const auto& known = moderation::KnownRules();
  if (std::find(known.begin(), known.end(), q.rule) == known.end()) q.rule.clear();
  q.cursor = req.Query("cursor").value_or("");
  q.limit = kPageSize;
  auto page = ctx.api.queue->List(q);
  if (!page.ok() && !q.cursor.empty()) {  // a stale cursor: start again
    q.cursor.clear();
    page = ctx.api.queue->List(q);
  }
  if (!page.ok()) return ErrorPage(ctx, visit, page.error().code == ErrorCode::kBadRequest ? 400 : 500);

  const std::string lq = LangQuery(ctx, visit);
  const std::string lang_only = lq == "?" ? "" : lq.substr(0, lq.size() - 1);
  const int64_t now = ctx.api.accounts.clock().NowMicros();
  Data d;
  site::List tabs;
  for (const char* s : {"pending", "reported", "rejected"}) {
    tabs.push_back(site::Object{{"href", "/moderation" + lq + "state=" + s + (q.rule.empty() ? "" : "&rule=" + UrlEncode(q.rule))},
                                {"label", std::string(site::T(lang, std::string("console.queue.tab.") + s))},
                                {"current", site::Bool(q.state == s)}});
  }
  d.set("tabs", tabs);
  d.set("state", q.state);
  d.set("lang_field", std::string(site::LangCode(lang)));
  d.set("keep_lang", site::Bool(lq != "?"));
  d.set("filter_rules", RuleOptions(q.rule));
  d.set("rule_filtered", site::Bool(!q.rule.empty()));
  d.set("rules", RuleOptions(""));  // the block dialog (console_dialogs)
  site::List items;
  for (const auto& item : page->items) {
    const auto findings = Findings(item.findings_json);
    std::string top = findings.empty() ? "" : findings.front().rule;
    if (top.empty() && !item.reports.empty()) top = item.reports.front().rule;
    if (top.empty() || top == "moderator") top = "off_topic";
    site::List fl;
    for (const auto& f : findings) {
      char score[16];
      std::snprintf(score, sizeof score, "%.2f", f.score);
      fl.push_back(site::Object{{"rule", f.rule}, {"score", std::string(score)}, {"reason", f.reason},
                                {"moderator", site::Bool(f.moderator)}});
    }
    site::List reports;
    int64_t report_total = 0;
    for (const auto& r : item.reports) {
      reports.push_back(site::Object{{"rule", r.rule}, {"count", site::Num(r.count)}});
      report_total += r.count;
    }
    const auto& c = item.comment;
    const std::string id = std::to_string(c.id);
    Data it;
    it.set("id", id);
    it.set("body", c.body);  // the edit textarea (escaped by the template)
    it.set("body_marked", Highlight(c.body, item.findings_json));
    it.set("findings", fl);
    it.set("has_findings", site::Bool(!fl.empty()));
    it.set("reports", reports);
    it.set("has_reports", site::Bool(!reports.empty()));
    it.set("reports_summary", site::Plural(lang, "console.queue.reports", report_total));
    it.set("article_title", item.article_title);
    it.set("article_href", "/articles/" + UrlEncode(item.article_slug) + lang_only + "#comment-" + id);
    it.set("author", c.author_name);
    it.set("author_id", std::to_string(c.author_id));
    it.set("author_href", "/moderation/accounts/" + std::to_string(c.author_id) + lang_only);
    it.set("author_history", site::Format(lang, "console.queue.author_history",
                                          {{"comments", site::Plural(lang, "console.queue.n_comments", item.author.comments)},
                                           {"rejected", site::Plural(lang, "console.queue.n_rejected", item.author.rejected)},
                                           {"blocks", site::Plural(lang, "console.queue.n_blocks", item.author.blocks)}}));
    it.set("author_blocked", site::Bool(item.author.status == "blocked"));
    it.set("blocks", site::Num(item.author.blocks));
    it.set("waiting", Age(lang, now - item.queued_at));
    if (q.state == "rejected") {
      it.set("rejected_ago", site::Format(lang, "console.queue.rejected_ago", {{"age", Age(lang, now - item.queued_at)}}));
    }
    it.set("queued_iso", FormatRfc3339(item.queued_at));
    it.set("queued", site::FormatDate(lang, item.queued_at));
    it.set("status", std::string(site::T(lang, "console.status." + c.status)));
    it.set("status_id", c.status);  // sent back with a decision: a stale page cannot undo another moderator's
    it.set("top_rule", top);
    it.set("rules", RuleOptions(top));
    if (item.cluster_id) {
      it.set("cluster", site::Object{{"href", "/moderation/clusters/" + std::to_string(*item.cluster_id) + lang_only},
                                     {"text", site::Plural(lang, "console.queue.cluster", item.cluster_accounts)}});
    }
    it.set("decided", site::Bool(c.status == "published" && q.state != "reported"));
    items.push_back(it);
  }
  d.set("items", items);
  d.set("empty", site::Bool(items.empty()));
  if (page->next_cursor) {
    d.set("next", "/moderation" + lq + "state=" + q.state + (q.rule.empty() ? "" : "&rule=" + UrlEncode(q.rule)) +
                      "&cursor=" + UrlEncode(*page->next_cursor));
  }
  if (!q.cursor.empty()) d.set("first", "/moderation" + lq + "state=" + q.state + (q.rule.empty() ? "" : "&rule=" + UrlEncode(q.rule)));
  const std::string title = std::string(site::T(lang, "console.queue.title"));
  d.set("title", title);
  return Page(ctx, visit, "queue", title, site::Render("console_queue", lang, d),
              boost::json::object{{"page", "queue"}, {"state", q.state}});
}

}  // namespace

void RegisterQueuePage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/moderation", [&ctx](Request& req) { return Queue(ctx, req); });
}

}  // namespace tribune::http::console
