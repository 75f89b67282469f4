#include "discussion/queue.hpp"

#include <limits>
#include <map>
#include <unordered_map>

#include "common/cursor.hpp"
#include "discussion/discussion.hpp"

namespace tribune::discussion {

namespace {

// CROSS JOIN keeps comments the outer loop in SQLite, so a page walks the queue index (comments_status_queue or
// comments_reported_queue) in order and stops after limit+1 rows, even with an edition filter: otherwise the
// planner may start from the edition's articles and sort all their comments. PostgreSQL plans it as a join.
const std::string kSelect = "SELECT " + CommentColumns("acc") +
                            ", ar.title, ar.slug, c.reported_at"
                            " FROM comments c CROSS JOIN articles ar CROSS JOIN accounts acc"
                            " WHERE ar.id = c.article_id AND acc.id = c.author_id AND ";

QueueItem FromRow(const storage::Row& r) {
  QueueItem item;
  item.comment = CommentViewFromRow(r);
  const CommentView& v = item.comment;
  item.article_id = v.article_id;
  item.article_title = r.Text(12);
  item.article_slug = r.Text(13);
  item.queued_at = r.IsNull(14) ? v.created_at : r.Int(14);
  return item;
}

// `"rule":"<rule>"` as the findings JSON spells it, as a LIKE pattern with '!' escaping the wildcards.
std::string RulePattern(const std::string& rule) {
  std::string json;
  for (char ch : rule) {
    if (ch == '"' || ch == '\\') json += '\\';
    json += ch;
  }
  std::string pattern = "%\"rule\":\"";
  for (char ch : json) {
    if (ch == '%' || ch == '_' || ch == '!') pattern += '!';
    pattern += ch;
  }
  return pattern + "\"%";
}

std::string Param(storage::Params& params, storage::Value v) {
  params.push_back(std::move(v));
  return "$" + std::to_string(params.size());
}

}  // namespace

QueueService::QueueService(storage::Database& db, const Clock& clock, ReportService& reports,
                           ModerationService* moderation)
    : db_(db), clock_(clock), reports_(&reports), moderation_(moderation) {}

QueueService::QueueService(storage::Database& db, const Clock& clock, ModerationService* moderation)
    : db_(db), clock_(clock), moderation_(moderation) {}

Result<QueuePage> QueueService::List(const QueueQuery& q) {
  const bool reported = q.state == "reported";
  if (!reported && q.state != "pending" && q.state != "rejected") {
    return MakeError(ErrorCode::kBadRequest, "state must be pending, reported or rejected.");
  }
  if (q.limit < 1 || q.limit > kMaxLimit) {
    return MakeError(ErrorCode::kBadRequest, "limit must be a whole number from 1 to " + std::to_string(kMaxLimit) + ".");
  }
  if ((q.min_age_us && *q.min_age_us < 0) || (q.max_age_us && *q.max_age_us < 0)) {
    return MakeError(ErrorCode::kBadRequest, "min_age and max_age must not be negative.");
  }
  std::optional<std::vector<int64_t>> keys;
  if (!q.cursor.empty()) {
    keys = DecodeCursor(q.cursor, reported ? 2 : 1);
    if (!keys) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
  }

  storage::Params params;
  std::string sql = kSelect;
  if (reported) {
    // The partial index needs its own condition spelled out; the row value is one index range.
    sql += "c.reported_at IS NOT NULL AND c.status = 'published' AND (c.reported_at, c.id) > (" +
           Param(params, keys ? (*keys)[0] : std::numeric_limits<int64_t>::min()) + ", " +
           Param(params, keys ? (*keys)[1] : int64_t{0}) + ")";
  } else {
    sql += "c.status = " + Param(params, q.state) + " AND c.id > " + Param(params, keys ? (*keys)[0] : int64_t{0});
  }
  if (!q.edition.empty()) sql += " AND ar.edition_id = " + Param(params, q.edition);
  const int64_t now = clock_.NowMicros();
  if (q.min_age_us) sql += " AND c.created_at <= " + Param(params, now - *q.min_age_us);
  if (q.max_age_us) sql += " AND c.created_at >= " + Param(params, now - *q.max_age_us);
  if (!q.rule.empty()) {
    sql += std::string(" AND ((SELECT d.findings_json FROM moderation_decisions d WHERE d.comment_id = c.id AND ") +
           kDecisionOnStoredText + " ORDER BY d.id DESC LIMIT 1) LIKE " + Param(params, RulePattern(q.rule)) + " ESCAPE '!'"
           " OR EXISTS (SELECT 1 FROM comment_reports r WHERE r.comment_id = c.id AND r.resolved_at IS NULL"
           " AND r.rule = " + Param(params, q.rule) + "))";
  }
  sql += reported ? " ORDER BY c.reported_at, c.id" : " ORDER BY c.id";
  sql += " LIMIT " + Param(params, int64_t{q.limit + 1});

  QueuePage page;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto rows = s.Query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& r : *rows) page.items.push_back(FromRow(r));
    if (static_cast<int>(page.items.size()) > q.limit) {
      page.items.resize(q.limit);
      const QueueItem& last = page.items.back();
      page.next_cursor = reported ? EncodeCursor({last.queued_at, last.comment.id}) : EncodeCursor({last.comment.id});
    }
    std::unordered_map<int64_t, AuthorHistory> authors;  // per page: an author often has several held comments
    for (QueueItem& item : page.items) {
      const int64_t id = item.comment.id;
      auto decision = s.Query(
          std::string("SELECT findings_json, created_at FROM moderation_decisions WHERE comment_id = $1 AND ") +
              kDecisionOnStoredText + " ORDER BY id DESC LIMIT 1",
          {id});
      if (!decision.ok()) return std::move(decision).error();
      if (!decision->empty()) {
        item.findings_json = (*decision)[0].Text(0);
        // Held or rejected when the latest decision was taken (on posting, editing, or by a moderator).
        if (!reported) item.queued_at = (*decision)[0].Int(1);
      }
      auto reports = s.Query(
          "SELECT rule, COUNT(*) FROM comment_reports WHERE comment_id = $1 AND resolved_at IS NULL"
          " GROUP BY rule ORDER BY COUNT(*) DESC, rule",
          {id});
      if (!reports.ok()) return std::move(reports).error();
      for (const auto& r : *reports) item.reports.push_back({r.Text(0), r.Int(1)});

      const int64_t author = item.comment.author_id;
      auto cached = authors.find(author);
      if (cached == authors.end()) {
        AuthorHistory h;
        auto counts = s.Query(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) FROM comments WHERE author_id = $1",
            {author});
        if (!counts.ok()) return std::move(counts).error();
        h.comments = (*counts)[0].Int(0);
        h.rejected = (*counts)[0].Int(1);
        auto blocks = s.Query("SELECT COUNT(*) FROM account_blocks WHERE account_id = $1", {author});
        if (!blocks.ok()) return std::move(blocks).error();
        h.blocks = (*blocks)[0].Int(0);
        auto status = s.Query("SELECT status FROM accounts WHERE id = $1", {author});
        if (!status.ok()) return std::move(status).error();
        if (!status->empty()) h.status = (*status)[0].Text(0);
        cached = authors.emplace(author, std::move(h)).first;
      }
      item.author = cached->second;
    }
    return Ok{};
  }));

  // Clusters live in the behaviour monitor's memory: looked up once per cluster of the page.
  if (moderation_ != nullptr) {
    // Once for the page: what the other servers posted belongs to the clusters shown.
    TRIBUNE_TRY(moderation_->CatchUp());
    std::map<int64_t, int64_t> accounts;  // cluster id → accounts
    for (QueueItem& item : page.items) {
      auto cluster = moderation_->ClusterOfComment(item.comment.id, /*catch_up=*/false);
      if (!cluster.ok()) continue;
      auto known = accounts.find(*cluster);
      if (known == accounts.end()) {
        auto count = moderation_->ClusterAccounts(*cluster);
        if (!count.ok()) continue;
        known = accounts.emplace(*cluster, *count).first;
      }
      item.cluster_id = *cluster;
      item.cluster_accounts = known->second;
    }
  }
  return page;
}

}  // namespace tribune::discussion
