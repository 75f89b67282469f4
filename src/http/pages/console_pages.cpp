// The moderators' console: the gate and frame every console page shares, evidence highlighting, and the
// flash-mob cluster page. The other pages are in queue_page, account_history_page, appeals_page, audit_page and
// dashboard_page; decisions go through the JSON API from web/static/console.js.
#include <boost/json.hpp>

#include <algorithm>

#include "http/json_body.hpp"
#include "http/pages/console.hpp"
#include "moderation/policy.hpp"
#include "text/utf8.hpp"

namespace tribune::http {

namespace console {

using site::Data;
using text::HtmlEscape;

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::variant<PageVisit, Response> Gate(SiteContext& ctx, const Request& req) {
  PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) {
    Response r = HtmlResponse(303, "", {.no_store = true});
    r.headers.emplace_back("Location", "/login?return=" + UrlEncode(req.target));
    return r;
  }
  if (!visit.Moderator()) return ErrorPage(ctx, visit, 403);
  return visit;
}

std::string LangQuery(const SiteContext& ctx, const PageVisit& visit) {
  if (visit.lang == ctx.config.default_lang) return "?";
  return "?lang=" + std::string(site::LangCode(visit.lang)) + "&";
}

Response Page(SiteContext& ctx, const PageVisit& visit, const std::string& current, const std::string& title,
              const std::string& content, boost::json::object data) {
  Data nav;
  const std::string q = LangQuery(ctx, visit);
  const std::string lq = q == "?" ? "" : q.substr(0, q.size() - 1);
  nav.set("q", lq);
  for (const char* name : {"queue", "appeals", "audit", "dashboard"}) {
    nav.set(std::string("is_") + name, site::Bool(current == name));
  }
  nav.set("admin", site::Bool(visit.viewer->account.HasRole("admin")));
  Frame f;
  f.title = title;
  f.content = site::Render("console_nav", visit.lang, nav) + content;
  f.scripts = {"console.js"};
  f.styles = {"console.css"};
  f.data = std::move(data);
  f.body_class = "console";
  f.noindex = true;
  return PageResponse(ctx, visit, std::move(f), 200, {.no_store = true});
}

std::vector<Finding> Findings(const std::string& findings_json) {
  std::vector<Finding> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(findings_json, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& f : v.as_array()) {
    const auto* o = f.if_object();
    if (o == nullptr) continue;
    Finding x;
    if (const auto* r = o->if_contains("rule"); r && r->is_string()) x.rule = r->as_string();
    if (const auto* s = o->if_contains("score"); s && s->is_number()) x.score = s->to_number<double>();
    if (const auto* r = o->if_contains("reason"); r && r->is_string()) x.reason = r->as_string();
    if (const auto* d = o->if_contains("details"); d && d->is_array()) {
      for (const auto& v : d->as_array()) x.moderator = x.moderator || (v.is_string() && v.as_string() == "moderator");
    }
    out.push_back(std::move(x));
  }
  return out;
}

namespace {

std::string EscapeWithBreaks(std::string_view s) {
  std::string out = HtmlEscape(s);
  std::string res;
  for (char c : out) {
    if (c == '\n') res += "<br>";
    else res += c;
  }
  return res;
}

// Moves a byte offset back to the start of a UTF-8 code point.
size_t Boundary(const std::string& s, size_t at) {
  at = std::min(at, s.size());
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

}  // namespace

std::string Highlight(const std::string& body, const std::string& findings_json) {
  struct Span {
    size_t begin, end;
    std::string title;
  };
  std::vector<Span> spans;
  boost::system::error_code ec;
  auto v = boost::json::parse(findings_json, ec);
  if (!ec && v.is_array()) {
    for (const auto& f : v.as_array()) {
      const auto* o = f.if_object();
      if (o == nullptr) continue;
      std::string rule, reason;
      if (const auto* r = o->if_contains("rule"); r && r->is_string()) rule = r->as_string();
      if (const auto* r = o->if_contains("reason"); r && r->is_string()) reason = r->as_string();
      const auto* sp = o->if_contains("spans");
      if (sp == nullptr || !sp->is_array()) continue;
      for (const auto& s : sp->as_array()) {
        const auto* pair = s.if_array();
        if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) continue;
        const auto b = (*pair)[0].to_number<int64_t>(), e = (*pair)[1].to_number<int64_t>();
        if (b < 0 || e <= b) continue;
        const size_t begin = Boundary(body, static_cast<size_t>(b));
        size_t end = static_cast<size_t>(std::min<int64_t>(e, static_cast<int64_t>(body.size())));
        while (end < body.size() && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) ++end;
        if (end <= begin) continue;
        spans.push_back({begin, end, reason.empty() ? rule : rule + ": " + reason});
      }
    }
  }
  // A span over the whole text (off_topic, language) says nothing about where to look; merged with the precise
  // evidence of another rule it would paint everything. Keep it only when it is the only evidence.
  const auto whole = [&](const Span& s) { return s.begin == 0 && s.end >= body.size(); };
  if (std::any_of(spans.begin(), spans.end(), [&](const Span& s) { return !whole(s); })) {
    spans.erase(std::remove_if(spans.begin(), spans.end(), whole), spans.end());
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  // Overlapping spans become one mark whose title names every rule.
  std::vector<Span> merged;
  for (auto& s : spans) {
    if (!merged.empty() && s.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, s.end);
      if (merged.back().title.find(s.title) == std::string::npos) merged.back().title += "; " + s.title;
    } else {
      merged.push_back(std::move(s));
    }
  }
  std::string out;
  size_t at = 0;
  for (const auto& s : merged) {
    out += EscapeWithBreaks(std::string_view(body).substr(at, s.begin - at));
    out += "<mark title=\"" + HtmlEscape(s.title) + "\">" +
           EscapeWithBreaks(std::string_view(body).substr(s.begin, s.end - s.begin)) + "</mark>";
    at = s.end;
  }
  out += EscapeWithBreaks(std::string_view(body).substr(at));
  return out;
}

std::string Age(site::Lang lang, int64_t micros) {
  const int64_t minutes = std::max<int64_t>(0, micros / 60'000'000);
  if (minutes < 60) return site::Plural(lang, "console.age.minutes", minutes);
  if (minutes < 48 * 60) return site::Plural(lang, "console.age.hours", minutes / 60);
  return site::Plural(lang, "console.age.days", minutes / (24 * 60));
}

site::List RuleOptions(const std::string& selected) {
  site::List out;
  for (const auto& r : moderation::KnownRules()) {
    out.push_back(site::Object{{"rule", r}, {"selected", site::Bool(r == selected)}});
  }
  return out;
}

discussion::DashboardService Reads(SiteContext& ctx) {
  return discussion::DashboardService(ctx.api.accounts.db(), ctx.api.accounts.clock());
}

namespace {

Response ClusterPage(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const auto id = ParseId(req.path_params.at("id"));
  if (!id) return ErrorPage(ctx, visit, 404);
  auto cluster = ctx.api.moderation.Cluster(*id);
  if (!cluster.ok()) return ErrorPage(ctx, visit, cluster.error().code == ErrorCode::kNotFound ? 404 : 500);
  const std::string lq = LangQuery(ctx, visit);
  Data d;
  d.set("id", std::to_string(cluster->id));
  d.set("summary", site::Format(visit.lang, "console.cluster.summary",
                                {{"accounts", std::to_string(cluster->accounts)},
                                 {"comments", std::to_string(cluster->members.size())}}));
  d.set("approved", site::Bool(cluster->approved));
  d.set("truncated", site::Bool(cluster->truncated));
  d.set("rules", RuleOptions("flash_mob"));
  site::List members;
  const int64_t now = ctx.api.accounts.clock().NowMicros();
  for (const auto& m : cluster->members) {
    members.push_back(site::Object{
        {"comment_id", m.comment_id ? std::to_string(*m.comment_id) : std::string()},
        {"author_id", std::to_string(m.account_id)},
        {"author", m.display_name},
        {"history", "/moderation/accounts/" + std::to_string(m.account_id) + (lq == "?" ? "" : lq.substr(0, lq.size() - 1))},
        {"created", site::FormatDate(visit.lang, m.created_at)},
        {"created_iso", FormatRfc3339(m.created_at)},
        {"age", Age(visit.lang, now - m.created_at)},
        {"status", std::string(site::T(visit.lang, "console.status." + m.status))},
        {"body", m.body}});
  }
  d.set("members", members);
  const std::string title = site::Format(visit.lang, "console.cluster.title", {{"id", std::to_string(cluster->id)}});
  d.set("title", title);
  return Page(ctx, visit, "", title, site::Render("console_cluster", visit.lang, d),
              boost::json::object{{"page", "cluster"}, {"cluster", std::to_string(cluster->id)}});
}

}  // namespace

}  // namespace console

void RegisterConsolePages(Router& router, SiteContext& ctx) {
  console::RegisterQueuePage(router, ctx);
  console::RegisterHistoryPage(router, ctx);
  console::RegisterAppealsPage(router, ctx);
  console::RegisterAuditPage(router, ctx);
  console::RegisterDashboardPage(router, ctx);
  router.Add("GET", "/moderation/clusters/{id}", [&ctx](Request& req) { return console::ClusterPage(ctx, req); });
}

}  // namespace tribune::http
