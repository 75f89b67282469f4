// Read-only figures for the moderators' console: the dashboard (totals, decisions per rule, queue age over
// time) and an account's history (its recent comments with their findings, the reports it filed). Nothing here
// writes; every method reads one snapshot. Thread-safe.
//
// Queue age (the dashboard's line chart): at a moment t, a comment is waiting when an engine decision (kind
// post, edit or cluster) held it at h <= t and no moderator decided it (and nobody deleted it) between h and t;
// its age at t is t - h. Each point is one moment: the end of each UTC day of the window, and "now" for today;
// it carries how many were waiting, the median age and the oldest age.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

struct DashboardTotals {
  int64_t pending = 0;         // comments waiting for a moderator now
  int64_t oldest_pending_us = 0;  // age of the oldest of them (0: none)
  int64_t decisions_today = 0;  // moderators' decisions since 00:00 UTC
  int64_t open_reports = 0;     // comments in the reported queue
  int64_t open_appeals = 0;
};

// Moderators' decisions for one rule: rejections name the rule the moderator chose; approvals count under the
// rule the engine held the comment for ("" when none, e.g. a reported comment kept).
struct RuleDecisions {
  std::string rule;
  int64_t approved = 0;
  int64_t rejected = 0;
  int64_t Total() const { return approved + rejected; }
};

struct QueueAgePoint {
  int64_t at = 0;          // unix micros
  int64_t waiting = 0;
  int64_t median_us = 0;   // 0 when nothing waited
  int64_t oldest_us = 0;
};

struct HistoryComment {
  int64_t id = 0;
  int64_t article_id = 0;
  std::string article_title;
  std::string article_slug;
  std::string body;
  std::string status;  // published | pending | rejected | deleted
  int64_t created_at = 0;
  int64_t report_count = 0;          // open reports
  std::string findings_json = "[]";  // the latest decision's findings (engine or moderator)
};

struct FiledReport {
  int64_t comment_id = 0;
  std::string rule;
  std::string note;
  int64_t created_at = 0;
  bool resolved = false;
};

struct AccountSummary {
  int64_t id = 0;
  std::string display_name;
  std::string status;
  int64_t created_at = 0;
  std::vector<std::string> roles;
  std::optional<double> standing;  // the trolling prior, when the monitor has one
  int64_t comments = 0;
  int64_t rejected = 0;
};

class DashboardService {
 public:
  DashboardService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<DashboardTotals> Totals();
  // Decisions of the last `days` days, most decided rule first.
  Result<std::vector<RuleDecisions>> DecisionsPerRule(int days);
  // One point per UTC day for the last `days` days (the last one is now), oldest first.
  Result<std::vector<QueueAgePoint>> QueueAge(int days);

  // Errors: kNotFound (no such account).
  Result<AccountSummary> Account(int64_t account_id);
  // Newest first, at most `limit`.
  Result<std::vector<HistoryComment>> RecentComments(int64_t account_id, int limit);
  Result<std::vector<FiledReport>> ReportsFiled(int64_t account_id, int limit);

  static constexpr int64_t kDayUs = 86'400'000'000;

 private:
  storage::Database& db_;
  const Clock& clock_;
};

}  // namespace tribune::discussion
