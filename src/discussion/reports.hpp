// Reader reports (POST /api/v1/comments/{id}/reports): a reader flags a published comment with the rule it
// breaks. When `threshold` distinct readers have open reports on a comment, it enters the moderators' queue in
// state "reported" (comments.reported_at). A moderator's decision on the comment resolves its reports. Readers
// may file at most `per_hour` reports an hour (counted in the database, so every server shares the count).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::discussion {

struct ReportOptions {
  int threshold = 3;
  int per_hour = 20;
  bool limits_enabled = true;
  size_t note_max = 1000;
  std::function<bool(const std::string&)> is_rule;  // a rule id of the publisher's policy
};

struct ReportResult {
  int64_t id = 0;
  int64_t reports = 0;   // distinct open reports on the comment now
  bool queued = false;   // the comment is (now) in the "reported" queue
};

struct ReportCount {
  std::string rule;
  int64_t count = 0;
};

class ReportService {
 public:
  ReportService(storage::Database& db, const Clock& clock, IdGenerator& ids, ReportOptions options);

  // Errors: kBadRequest (unknown rule, note too long or not UTF-8), kNotFound (no such published comment),
  // kForbidden (one's own comment), kConflict (this reader reported it already), kRateLimited (retry_after set).
  Result<ReportResult> Report(int64_t reporter_id, int64_t comment_id, const std::string& rule,
                              const std::string& note);
  // The open reports of a comment per rule, most first (for the queue).
  Result<std::vector<ReportCount>> OpenReports(int64_t comment_id);

  // Inside a moderator's decision: resolves the comment's open reports and takes it out of the reported queue.
  static Status Resolve(storage::Session& s, int64_t comment_id, int64_t now_micros);

 private:
  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  ReportOptions options_;
};

}  // namespace tribune::discussion
