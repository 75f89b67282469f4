// The moderators' queue (GET /api/v1/moderation/queue): held comments (state pending), comments readers
// reported (state reported), and rejected ones (to review false positives). Each item carries the comment, its
// article, the engine's latest findings with evidence spans, the open reports, the author's history, and the
// flash-mob cluster it belongs to. Oldest first; filters by rule, edition and age; keyset paging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "discussion/discussion.hpp"
#include "discussion/moderation.hpp"
#include "discussion/reports.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

struct QueueQuery {
  std::string state = "pending";      // pending | reported | rejected
  std::string rule;                   // only items whose findings (or open reports) name this rule
  std::string edition;                // only comments under this edition's articles
  std::optional<int64_t> min_age_us;  // only items at least this old
  std::optional<int64_t> max_age_us;  // only items at most this old
  std::string cursor;                 // from the previous page
  int limit = 50;
};

struct AuthorHistory {
  int64_t comments = 0;   // every comment the author wrote
  int64_t rejected = 0;   // of them, rejected
  int64_t blocks = 0;     // blocks the account received
  std::string status;     // active | blocked | ...
};

struct QueueItem {
  CommentView comment;
  int64_t article_id = 0;
  std::string article_title;
  std::string article_slug;
  std::string findings_json = "[]";  // the latest engine decision's findings (rule, score, reason, spans)
  std::vector<ReportCount> reports;
  AuthorHistory author;
  std::optional<int64_t> cluster_id;
  int64_t cluster_accounts = 0;
  int64_t queued_at = 0;  // when it entered this state's queue
};

struct QueuePage {
  std::vector<QueueItem> items;
  std::optional<std::string> next_cursor;
};

class QueueService {
 public:
  // Open reports are read with SQL inside the page's snapshot, so `reports` is kept only for the callers' wiring;
  // the second form needs none. `moderation` may be nullptr (no cluster information). Thread-safe.
  QueueService(storage::Database& db, const Clock& clock, ReportService& reports, ModerationService* moderation);
  QueueService(storage::Database& db, const Clock& clock, ModerationService* moderation);

  // One page, oldest first: pending and rejected by comment id, reported by (reported_at, id). Every read of a
  // page runs on one snapshot. Limit 1..kMaxLimit; ages are relative to the clock's now.
  // Errors: kBadRequest (unknown state, bad cursor, limit out of range, negative age).
  Result<QueuePage> List(const QueueQuery& query);

  static constexpr int kMaxLimit = 200;

 private:
  storage::Database& db_;
  const Clock& clock_;
  ReportService* reports_ = nullptr;
  ModerationService* moderation_;
};

}  // namespace tribune::discussion
