// /moderation/dashboard: totals, decisions per rule (7 or 30 days) and queue age over the last 30 days, drawn
// as SVG on the server (charts.hpp) from discussion::DashboardService.
#include <boost/json.hpp>

#include "http/pages/charts.hpp"
#include "http/pages/console.hpp"

namespace tribune::http::console {

namespace {

using site::Data;

constexpr int kAgeDays = 30;

Response Dashboard(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  const int days = req.Query("days").value_or("") == "30" ? 30 : 7;
  auto reads = Reads(ctx);
  auto totals = reads.Totals();
  auto rules = reads.DecisionsPerRule(days);
  auto ages = reads.QueueAge(kAgeDays);
  if (!totals.ok() || !rules.ok() || !ages.ok()) return ErrorPage(ctx, visit, 500);

  charts::BarChart bars;
  bars.id = "chart-rules";
  bars.title = site::Plural(lang, "console.dash.rules_title", days);
  bars.no_data = std::string(site::T(lang, "console.dash.no_decisions"));
  bars.series = {{std::string(site::T(lang, "console.dash.approved")), "s0", "#1b5e20"},
                 {std::string(site::T(lang, "console.dash.rejected")), "s1", "#a3121a"}};
  std::string desc;
  for (const auto& r : *rules) {
    const std::string label = r.rule.empty() ? std::string(site::T(lang, "console.dash.no_rule")) : r.rule;
    bars.rows.push_back({label, {static_cast<double>(r.approved), static_cast<double>(r.rejected)}});
    desc += (desc.empty() ? "" : "; ") + site::Format(lang, "console.dash.rule_desc",
                                                      {{"rule", label},
                                                       {"approved", std::to_string(r.approved)},
                                                       {"rejected", std::to_string(r.rejected)}});
  }
  bars.desc = desc.empty() ? bars.no_data : desc;

  charts::LineChart line;
  line.id = "chart-age";
  line.title = std::string(site::T(lang, "console.dash.age_title"));
  line.no_data = std::string(site::T(lang, "console.dash.no_waiting"));
  line.y_label = std::string(site::T(lang, "console.dash.hours"));
  line.series = {{std::string(site::T(lang, "console.dash.median")), "s2", "#14213d"},
                 {std::string(site::T(lang, "console.dash.oldest")), "s1", "#a3121a"}};
  int64_t peak_oldest = 0, peak_waiting = 0;
  for (const auto& p : *ages) {
    peak_oldest = std::max(peak_oldest, p.oldest_us);
    peak_waiting = std::max(peak_waiting, p.waiting);
  }
  // Minutes while every wait is short, hours otherwise.
  const bool minutes = peak_oldest < 2 * 3'600'000'000LL;
  const double unit = minutes ? 6e7 : 3.6e9;
  if (minutes) line.y_label = std::string(site::T(lang, "console.dash.minutes"));
  for (const auto& p : *ages) {
    const std::string day = site::FormatDay(lang, p.at);
    line.points.push_back({day.substr(0, day.rfind(' ')), {p.median_us / unit, p.oldest_us / unit}});
  }
  line.desc = site::Format(lang, "console.dash.age_desc",
                           {{"oldest", Age(lang, peak_oldest)}, {"waiting", std::to_string(peak_waiting)}});

  Data d;
  d.set("pending", site::Num(totals->pending));
  d.set("oldest", totals->pending > 0 ? Age(lang, totals->oldest_pending_us) : std::string("—"));
  d.set("today", site::Num(totals->decisions_today));
  d.set("reported", site::Num(totals->open_reports));
  d.set("appeals", site::Num(totals->open_appeals));
  d.set("bars", charts::DrawBars(bars));
  d.set("line", charts::DrawLines(line));
  const std::string lq = LangQuery(ctx, visit);
  d.set("days7", site::Object{{"href", "/moderation/dashboard" + lq + "days=7"}, {"current", site::Bool(days == 7)}});
  d.set("days30", site::Object{{"href", "/moderation/dashboard" + lq + "days=30"}, {"current", site::Bool(days == 30)}});
  // The table behind the line chart, for screen readers and exact values.
  site::List rows;
  for (auto it = ages->rbegin(); it != ages->rend(); ++it) {
    rows.push_back(site::Object{{"day", site::FormatDay(lang, it->at)},
                                {"waiting", site::Num(it->waiting)},
                                {"median", it->waiting ? Age(lang, it->median_us) : std::string("—")},
                                {"oldest", it->waiting ? Age(lang, it->oldest_us) : std::string("—")}});
  }
  d.set("age_rows", rows);
  const std::string title = std::string(site::T(lang, "console.dash.title"));
  d.set("title", title);
  return Page(ctx, visit, "dashboard", title, site::Render("console_dashboard", lang, d));
}

}  // namespace

void RegisterDashboardPage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/moderation/dashboard", [&ctx](Request& req) { return Dashboard(ctx, req); });
}

}  // namespace tribune::http::console
