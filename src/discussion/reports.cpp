#include "discussion/reports.hpp"

#include <algorithm>
#include <utility>

#include "text/utf8.hpp"

namespace tribune::discussion {

namespace {

constexpr int64_t kHourMicros = 3'600'000'000;

// Without the publisher's list of rules, a rule id must at least look like one.
bool LooksLikeRuleId(const std::string& rule) {
  if (rule.empty() || rule.size() > 40) return false;
  return std::all_of(rule.begin(), rule.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

ReportService::ReportService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                             ReportOptions options)
    : db_(db), clock_(clock), ids_(ids), options_(std::move(options)) {}

Result<ReportResult> ReportService::Report(int64_t reporter_id, int64_t comment_id, const std::string& rule,
                                           const std::string& note) {
  const bool known_rule = options_.is_rule ? options_.is_rule(rule) : LooksLikeRuleId(rule);
  if (!known_rule)
    return MakeError(ErrorCode::kBadRequest, "rule must be one of the rule ids of the community standards.");
  if (!text::IsValidUtf8(note)) return MakeError(ErrorCode::kBadRequest, "note must be valid UTF-8.");
  if (text::HasForbiddenControls(note))
    return MakeError(ErrorCode::kBadRequest, "note must not hold control characters.");
  if (text::CountCodePoints(note) > options_.note_max) {
    return MakeError(ErrorCode::kBadRequest,
                     "note must be at most " + std::to_string(options_.note_max) + " characters long.");
  }

  const int64_t now = clock_.NowMicros();
  const int64_t threshold = std::max(options_.threshold, 1);
  ReportResult result;
  // Everything below runs on the single writer, so the rate limit's count and the duplicate check see every
  // earlier report, from this server or any other sharing the database.
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto comment,
                   s.Query("SELECT article_id, author_id, status FROM comments WHERE id = $1", {comment_id}));
    // Hidden, pending, deleted... comments answer as missing: a report must not reveal that they exist.
    if (comment.empty() || comment[0].Text(2) != "published") {
      return MakeError(ErrorCode::kNotFound, "No such comment.");
    }
    const int64_t article_id = comment[0].Int(0);
    if (comment[0].Int(1) == reporter_id) {
      return MakeError(ErrorCode::kForbidden, "You cannot report your own comment.");
    }
    if (options_.limits_enabled) {
      TRIBUNE_ASSIGN(auto recent, s.Query("SELECT COUNT(*), MIN(created_at) FROM comment_reports"
                                          " WHERE reporter_id = $1 AND created_at > $2",
                                          {reporter_id, now - kHourMicros}));
      if (recent[0].Int(0) >= options_.per_hour) {
        Error e =
            MakeError(ErrorCode::kRateLimited, "You have filed too many reports; please try again later.");
        // The limit lifts when the oldest report of the hour leaves it.
        const int64_t frees_at = recent[0].IsNull(1) ? now + kHourMicros : recent[0].Int(1) + kHourMicros;
        e.retry_after_seconds = std::max<int64_t>(1, (frees_at - now + 999'999) / 1'000'000);
        return e;
      }
    }
    const int64_t id = ids_.Next();
    TRIBUNE_ASSIGN(
        int64_t inserted,
        s.Exec("INSERT INTO comment_reports (id, comment_id, article_id, reporter_id, rule, note, created_at)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (comment_id, reporter_id) DO NOTHING",
               {id, comment_id, article_id, reporter_id, rule, note, now}));
    if (inserted == 0) return MakeError(ErrorCode::kConflict, "You reported this comment already.");
    TRIBUNE_ASSIGN(auto updated,
                   s.Query("UPDATE comments SET report_count = report_count + 1,"
                           " reported_at = CASE WHEN reported_at IS NULL AND report_count + 1 >= $3 THEN $4"
                           " ELSE reported_at END"
                           " WHERE article_id = $1 AND id = $2 RETURNING report_count, reported_at",
                           {article_id, comment_id, threshold, now}));
    if (updated.empty()) return MakeError(ErrorCode::kInternal, "The reported comment vanished.");
    result.id = id;
    result.reports = updated[0].Int(0);
    result.queued = !updated[0].IsNull(1);
    return Ok{};
  }));
  return result;
}

Result<std::vector<ReportCount>> ReportService::OpenReports(int64_t comment_id) {
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT rule, COUNT(*) FROM comment_reports"
                                     " WHERE comment_id = $1 AND resolved_at IS NULL"
                                     " GROUP BY rule ORDER BY 2 DESC, rule",
                                     {comment_id}));
  std::vector<ReportCount> counts;
  counts.reserve(rows.size());
  for (const auto& r : rows) counts.push_back({r.Text(0), r.Int(1)});
  return counts;
}

Status ReportService::Resolve(storage::Session& s, int64_t comment_id, int64_t now_micros) {
  TRIBUNE_TRY(
      s.Exec("UPDATE comment_reports SET resolved_at = $2 WHERE comment_id = $1 AND resolved_at IS NULL",
             {comment_id, now_micros}));
  TRIBUNE_TRY(s.Exec("UPDATE comments SET report_count = 0, reported_at = NULL WHERE id = $1", {comment_id}));
  return Ok{};
}

}  // namespace tribune::discussion
