#include "discussion/author_content.hpp"

#include <algorithm>

namespace tribune::discussion {

namespace {

// Per article of the author's comments in `status_sql`: how many of them count as published now.
Result<std::vector<std::pair<int64_t, int64_t>>> PublishedPerArticle(storage::Session& s, int64_t account_id,
                                                                   const char* sql) {
  auto rows = s.Query(sql, {account_id});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& r : *rows) out.emplace_back(r.Int(0), r.Int(1));
  return out;
}

Result<std::vector<int64_t>> AdjustCounts(storage::Session& s, const std::vector<std::pair<int64_t, int64_t>>& counts,
                                          int sign) {
  std::vector<int64_t> articles;
  for (const auto& [article, published] : counts) {
    articles.push_back(article);
    if (published == 0) continue;
    TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1",
                       {article, sign * published}));
  }
  return articles;
}

}  // namespace

Status AuthorContent::Remember(storage::Session& s, const char* sql, int64_t account_id, const char* expect,
                               CommentEvent::Kind kind) {
  if (!comments_.HasEvents()) return Ok{};
  auto rows = s.Query(sql, {account_id});
  if (!rows.ok()) return std::move(rows).error();
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(pending_mu_);
  for (const auto& r : *rows) pending_.push_back({r.Int(0), r.Int(1), expect, kind, now});
  return Ok{};
}

Result<std::vector<int64_t>> AuthorContent::Hide(storage::Session& s, int64_t account_id) {
  TRIBUNE_ASSIGN(auto counts,
                 PublishedPerArticle(s, account_id,
                                     "SELECT article_id, SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END)"
                                     " FROM comments WHERE author_id = $1 AND status IN ('published', 'pending')"
                                     " GROUP BY article_id"));
  // Only the published ones leave the public thread; held ones were never in it.
  TRIBUNE_TRY(Remember(s, "SELECT article_id, id FROM comments WHERE author_id = $1 AND status = 'published'", account_id,
                       "hidden", CommentEvent::kRemoved));
  TRIBUNE_TRY(s.Exec("UPDATE comments SET hidden_status = status, status = 'hidden'"
                     " WHERE author_id = $1 AND status IN ('published', 'pending')",
                     {account_id}));
  return AdjustCounts(s, counts, -1);
}

Result<std::vector<int64_t>> AuthorContent::Restore(storage::Session& s, int64_t account_id) {
  TRIBUNE_ASSIGN(auto counts,
                 PublishedPerArticle(s, account_id,
                                     "SELECT article_id, SUM(CASE WHEN hidden_status = 'published' THEN 1 ELSE 0 END)"
                                     " FROM comments WHERE author_id = $1 AND status = 'hidden' GROUP BY article_id"));
  TRIBUNE_TRY(Remember(s,
                       "SELECT article_id, id FROM comments WHERE author_id = $1 AND status = 'hidden'"
                       " AND COALESCE(hidden_status, 'published') = 'published'",
                       account_id, "published", CommentEvent::kVisible));
  TRIBUNE_TRY(s.Exec("UPDATE comments SET status = COALESCE(hidden_status, 'published'), hidden_status = NULL"
                     " WHERE author_id = $1 AND status = 'hidden'",
                     {account_id}));
  return AdjustCounts(s, counts, +1);
}

Result<std::vector<int64_t>> AuthorContent::Erase(storage::Session& s, int64_t account_id) {
  // Comments still published (a purge re-applied to a restored backup) leave the counts too.
  TRIBUNE_ASSIGN(auto counts,
                 PublishedPerArticle(s, account_id,
                                     "SELECT article_id, SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END)"
                                     " FROM comments WHERE author_id = $1 GROUP BY article_id"));
  TRIBUNE_TRY(s.Exec("DELETE FROM comment_revisions WHERE comment_id IN (SELECT id FROM comments WHERE author_id = $1)",
                     {account_id}));
  // Published ones (and hidden ones that were) come back as tombstones, like in the listing.
  TRIBUNE_TRY(Remember(s,
                       "SELECT article_id, id FROM comments WHERE author_id = $1 AND (status = 'published'"
                       " OR (status = 'hidden' AND hidden_status = 'published'))",
                       account_id, "deleted", CommentEvent::kVisible));
  // Comments readers saw become placeholders; the ones nobody but moderators saw vanish ('erased').
  TRIBUNE_TRY(s.Exec("UPDATE comments SET body = '', body_html = '',"
                     " status = CASE WHEN status IN ('published', 'deleted') OR hidden_status = 'published'"
                     " THEN 'deleted' ELSE 'erased' END,"
                     " hidden_status = NULL, deleted_at = COALESCE(deleted_at, $2) WHERE author_id = $1",
                     {account_id, clock_.NowMicros()}));
  return AdjustCounts(s, counts, -1);
}

void AuthorContent::Changed(const std::vector<int64_t>& article_ids) {
  for (int64_t id : article_ids) comments_.BumpThreadVersion(id);
  std::vector<Pending> mine;
  {
    std::lock_guard lock(pending_mu_);
    if (pending_.empty()) return;
    auto keep = std::partition(pending_.begin(), pending_.end(), [&](const Pending& p) {
      return std::find(article_ids.begin(), article_ids.end(), p.article_id) == article_ids.end();
    });
    mine.assign(std::make_move_iterator(keep), std::make_move_iterator(pending_.end()));
    pending_.erase(keep, pending_.end());
  }
  // A comment that does not read as its transaction left it belongs to a transaction still open (it waits for
  // that one's Changed) or one that failed (dropped after a minute).
  const auto stale = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  std::vector<Pending> later;
  for (Pending& p : mine) {
    auto c = comments_.Get(p.comment_id);
    if (c.ok() && c->status == p.expect) {
      comments_.Notify(p.article_id, p.comment_id, p.kind);
    } else if (c.ok() && p.since > stale) {
      later.push_back(p);
    }
  }
  if (later.empty()) return;
  std::lock_guard lock(pending_mu_);
  pending_.insert(pending_.end(), later.begin(), later.end());
}

}  // namespace tribune::discussion
