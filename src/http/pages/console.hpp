// Shared pieces of the moderators' console pages (queue_page, account_history_page, appeals_page, audit_page,
// dashboard_page, console_pages): the gate, the sub-navigation, evidence highlighting, small formatters.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "discussion/dashboard.hpp"
#include "http/pages/pages.hpp"

namespace tribune::http::console {

// The visit of a moderator or admin; anything else is the response to send (a redirect to /login for the
// anonymous, 403 for readers).
std::variant<PageVisit, Response> Gate(SiteContext& ctx, const Request& req);

// A console page: the sub-navigation (current = "queue", "appeals", "audit", "dashboard", or "" for none),
// the content, console.css and console.js, noindex, no-store.
Response Page(SiteContext& ctx, const PageVisit& visit, const std::string& current, const std::string& title,
              const std::string& content, boost::json::object data = {});

// The comment text with the findings' evidence spans (UTF-8 byte offsets into `body`) inside
// <mark title="rule: reason">; every text piece escaped; overlapping spans merged; newlines as <br>. A span over
// the whole text is dropped when another finding points at something narrower.
std::string Highlight(const std::string& body, const std::string& findings_json);

struct Finding {
  std::string rule;
  double score = 0;
  std::string reason;
  bool moderator = false;  // a moderator's decision recorded as a finding (no score, no reason)
};
std::vector<Finding> Findings(const std::string& findings_json);

// "12 min", "5 h", "3 days" in the visit's language.
std::string Age(site::Lang lang, int64_t micros);
// The rule options of a <select>, `selected` preselected (escaped).
site::List RuleOptions(const std::string& selected);
std::string UrlEncode(const std::string& s);
// "?lang=xx&" or "?" — for links that keep the visit's language.
std::string LangQuery(const SiteContext& ctx, const PageVisit& visit);
discussion::DashboardService Reads(SiteContext& ctx);

void RegisterQueuePage(Router& router, SiteContext& ctx);
void RegisterHistoryPage(Router& router, SiteContext& ctx);
void RegisterAppealsPage(Router& router, SiteContext& ctx);
void RegisterAuditPage(Router& router, SiteContext& ctx);
void RegisterDashboardPage(Router& router, SiteContext& ctx);

}  // namespace tribune::http::console
