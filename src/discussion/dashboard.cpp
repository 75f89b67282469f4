// The console's read-only figures (see dashboard.hpp for the queue-age definition).
#include "discussion/dashboard.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <utility>

#include "discussion/discussion.hpp"

namespace tribune::discussion {

namespace {

// The first finding's rule of a findings array, or "".
std::string TopRule(const std::string& findings_json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(findings_json, ec);
  if (ec || !v.is_array() || v.as_array().empty()) return "";
  const auto* o = v.as_array()[0].if_object();
  if (o == nullptr) return "";
  const auto* r = o->if_contains("rule");
  return r != nullptr && r->is_string() ? std::string(r->as_string()) : "";
}

int64_t StartOfDay(int64_t micros) { return micros - ((micros % DashboardService::kDayUs) + DashboardService::kDayUs) % DashboardService::kDayUs; }

}  // namespace

Result<DashboardTotals> DashboardService::Totals() {
  const int64_t now = clock_.NowMicros();
  DashboardTotals t;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto pending = s.Query(
        "SELECT COUNT(*), MIN(COALESCE((SELECT MAX(d.created_at) FROM moderation_decisions d"
        " WHERE d.comment_id = c.id AND d.action = 'hold'), c.created_at)) FROM comments c WHERE c.status = 'pending'");
    if (!pending.ok()) return std::move(pending).error();
    t.pending = (*pending)[0].Int(0);
    if (t.pending > 0 && !(*pending)[0].IsNull(1)) t.oldest_pending_us = std::max<int64_t>(0, now - (*pending)[0].Int(1));
    auto today = s.Query("SELECT COUNT(*) FROM moderation_decisions WHERE kind = 'moderator' AND created_at >= $1",
                         {StartOfDay(now)});
    if (!today.ok()) return std::move(today).error();
    t.decisions_today = (*today)[0].Int(0);
    auto reported = s.Query("SELECT COUNT(*) FROM comments WHERE reported_at IS NOT NULL AND report_count > 0"
                            " AND status <> 'deleted'");
    if (!reported.ok()) return std::move(reported).error();
    t.open_reports = (*reported)[0].Int(0);
    auto appeals = s.Query("SELECT COUNT(*) FROM appeals WHERE state = 'open'");
    if (!appeals.ok()) return std::move(appeals).error();
    t.open_appeals = (*appeals)[0].Int(0);
    return Ok{};
  }));
  return t;
}

Result<std::vector<RuleDecisions>> DashboardService::DecisionsPerRule(int days) {
  const int64_t since = clock_.NowMicros() - days * kDayUs;
  // A moderator's rejection stores its rule; an approval is counted under the rule of the engine's hold.
  auto rows = db_.Read(
      std::string("SELECT d.action, d.findings_json, (SELECT e.findings_json FROM moderation_decisions e"
      " WHERE e.comment_id = d.comment_id AND e.kind <> 'moderator' AND e.created_at <= d.created_at AND ") +
      kDecisionOnStoredText +
      " ORDER BY e.created_at DESC, e.id DESC LIMIT 1) FROM moderation_decisions d"
      " WHERE d.kind = 'moderator' AND d.created_at >= $1",
      {since});
  if (!rows.ok()) return std::move(rows).error();
  std::map<std::string, RuleDecisions> by_rule;
  std::map<std::string, std::string> memo;  // findings_json -> rule (a handful of distinct texts per rule)
  auto rule_of = [&](const std::string& json) -> const std::string& {
    auto it = memo.find(json);
    if (it == memo.end()) it = memo.emplace(json, TopRule(json)).first;
    return it->second;
  };
  for (const auto& r : *rows) {
    const bool approve = r.Text(0) == "approve";
    const std::string rule = approve ? rule_of(r.Text(2)) : rule_of(r.Text(1));
    auto& d = by_rule[rule];
    d.rule = rule;
    (approve ? d.approved : d.rejected) += 1;
  }
  std::vector<RuleDecisions> out;
  for (auto& [rule, d] : by_rule) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(), [](const RuleDecisions& a, const RuleDecisions& b) {
    return a.Total() > b.Total();
  });
  return out;
}

Result<std::vector<QueueAgePoint>> DashboardService::QueueAge(int days) {
  const int64_t now = clock_.NowMicros();
  const int64_t today = StartOfDay(now);
  const int64_t start = today - (days - 1) * kDayUs;
  auto rows = db_.Read(
      "SELECT h.comment_id, h.created_at, (SELECT MIN(m.created_at) FROM moderation_decisions m"
      " WHERE m.comment_id = h.comment_id AND m.kind = 'moderator' AND m.created_at >= h.created_at),"
      " c.deleted_at FROM moderation_decisions h JOIN comments c ON c.id = h.comment_id"
      " WHERE h.action = 'hold' AND h.kind <> 'moderator' AND h.created_at <= $1",
      {now});
  if (!rows.ok()) return std::move(rows).error();
  // One waiting interval per (comment, end): a comment held again before a decision waited since its first hold.
  std::map<std::pair<int64_t, int64_t>, int64_t> intervals;  // (comment, end or INT64_MAX) -> held at
  for (const auto& r : *rows) {
    int64_t end = INT64_MAX;
    if (!r.IsNull(2)) end = r.Int(2);
    if (!r.IsNull(3) && r.Int(3) >= r.Int(1)) end = std::min(end, r.Int(3));
    if (end < start) continue;
    auto [it, fresh] = intervals.try_emplace({r.Int(0), end}, r.Int(1));
    if (!fresh) it->second = std::min(it->second, r.Int(1));
  }
  std::vector<QueueAgePoint> out;
  for (int i = 0; i < days; ++i) {
    const int64_t at = i == days - 1 ? now : start + (i + 1) * kDayUs;
    std::vector<int64_t> ages;
    for (const auto& [key, held] : intervals) {
      if (held <= at && key.second > at) ages.push_back(at - held);
    }
    QueueAgePoint p;
    p.at = at;
    p.waiting = static_cast<int64_t>(ages.size());
    if (!ages.empty()) {
      std::sort(ages.begin(), ages.end());
      const size_t n = ages.size();
      p.median_us = n % 2 ? ages[n / 2] : (ages[n / 2 - 1] + ages[n / 2]) / 2;
      p.oldest_us = ages.back();
    }
    out.push_back(p);
  }
  return out;
}

Result<AccountSummary> DashboardService::Account(int64_t account_id) {
  AccountSummary a;
  bool found = false;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto acc = s.Query("SELECT id, display_name, status, created_at FROM accounts WHERE id = $1", {account_id});
    if (!acc.ok()) return std::move(acc).error();
    if (acc->empty()) return Ok{};
    found = true;
    const auto& r = (*acc)[0];
    a.id = r.Int(0);
    a.display_name = r.Text(1);
    a.status = r.Text(2);
    a.created_at = r.Int(3);
    auto roles = s.Query("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role", {account_id});
    if (!roles.ok()) return std::move(roles).error();
    for (const auto& role : *roles) a.roles.push_back(role.Text(0));
    auto standing = s.Query("SELECT AVG(standing) FROM account_standing WHERE account_id = $1", {account_id});
    if (!standing.ok()) return std::move(standing).error();
    if (!standing->empty() && !(*standing)[0].IsNull(0)) a.standing = (*standing)[0].Double(0);
    auto counts = s.Query("SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), 0)"
                          " FROM comments WHERE author_id = $1",
                          {account_id});
    if (!counts.ok()) return std::move(counts).error();
    a.comments = (*counts)[0].Int(0);
    a.rejected = (*counts)[0].Int(1);
    return Ok{};
  }));
  if (!found) return MakeError(ErrorCode::kNotFound, "No such account.");
  return a;
}

Result<std::vector<HistoryComment>> DashboardService::RecentComments(int64_t account_id, int limit) {
  auto rows = db_.Read(
      "SELECT c.id, c.article_id, a.title, a.slug, c.body, c.status, c.created_at, c.report_count,"
      " (SELECT d.findings_json FROM moderation_decisions d WHERE d.comment_id = c.id AND " +
      std::string(kDecisionOnStoredText) + " ORDER BY d.id DESC LIMIT 1)"
      " FROM comments c LEFT JOIN articles a ON a.id = c.article_id WHERE c.author_id = $1"
      " ORDER BY c.id DESC LIMIT $2",
      {account_id, static_cast<int64_t>(limit)});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<HistoryComment> out;
  for (const auto& r : *rows) {
    HistoryComment h;
    h.id = r.Int(0);
    h.article_id = r.Int(1);
    h.article_title = r.Text(2);
    h.article_slug = r.Text(3);
    h.body = r.Text(4);
    h.status = r.Text(5);
    h.created_at = r.Int(6);
    h.report_count = r.Int(7);
    if (!r.IsNull(8)) h.findings_json = r.Text(8);
    out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<FiledReport>> DashboardService::ReportsFiled(int64_t account_id, int limit) {
  auto rows = db_.Read(
      "SELECT comment_id, rule, note, created_at, resolved_at FROM comment_reports WHERE reporter_id = $1"
      " ORDER BY created_at DESC, id DESC LIMIT $2",
      {account_id, static_cast<int64_t>(limit)});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<FiledReport> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Int(3), !r.IsNull(4)});
  return out;
}

}  // namespace tribune::discussion
