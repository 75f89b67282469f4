#include "discussion/author_content.hpp"

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

Result<std::vector<int64_t>> AuthorContent::Hide(storage::Session& s, int64_t account_id) {
  TRIBUNE_ASSIGN(auto counts,
                 PublishedPerArticle(s, account_id,
                                     "SELECT article_id, SUM(CASE WHEN status = 'published' THEN 1 ELSE 0 END)"
                                     " FROM comments WHERE author_id = $1 AND status IN ('published', 'pending')"
                                     " GROUP BY article_id"));
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
}

}  // namespace tribune::discussion
