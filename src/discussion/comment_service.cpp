#include <algorithm>

#include "common/cursor.hpp"
#include "common/random.hpp"
#include "discussion/discussion.hpp"
#include "discussion/notices.hpp"
#include "text/markdown.hpp"

namespace tribune::discussion {

namespace {

const std::string kSelect = "SELECT " + CommentColumns("a") + " FROM comments c JOIN accounts a ON a.id = c.author_id ";

// What a viewer ($2: their account id, or 0) may see of a thread: published comments, tombstones, and
// their own held comments — everyone if published or a tombstone; its author if pending. Written as a CASE, not an OR
// over status and author_id: with statistics (ANALYZE, PRAGMA optimize) SQLite turned the OR into a multi-index
// scan of comments_author_status plus a sort of the whole thread — 174 ms for a first page of 100,000 comments
// instead of tens of microseconds along the primary key. PostgreSQL reads the CASE the same way.
constexpr const char* kVisible =
    "(CASE status WHEN 'published' THEN TRUE WHEN 'deleted' THEN TRUE WHEN 'pending' THEN author_id = $2"
    " ELSE FALSE END)";
constexpr const char* kVisibleQualified =
    "(CASE c.status WHEN 'published' THEN TRUE WHEN 'deleted' THEN TRUE WHEN 'pending' THEN c.author_id = $2"
    " ELSE FALSE END)";


const char* StatusFor(moderation::Action action) {
  return action == moderation::Action::kHold ? "pending" : "published";
}

}  // namespace

std::string CommentColumns(const char* author) {
  return std::string("c.id, c.article_id, c.parent_id, c.author_id, ") + author +
         ".display_name, c.body, c.body_html, c.status, c.created_at, c.edited_at, c.reply_count, c.edited_by";
}

CommentView CommentViewFromRow(const storage::Row& r) {
  CommentView v;
  v.id = r.Int(0);
  v.article_id = r.Int(1);
  v.parent_id = r.OptInt(2);
  v.author_id = r.Int(3);
  v.author_name = r.Text(4);
  v.body = r.Text(5);
  v.body_html = r.Text(6);
  v.status = r.Text(7);
  v.created_at = r.Int(8);
  v.edited_at = r.OptInt(9);
  v.reply_count = r.Int(10);
  v.edited_by_moderator = !r.IsNull(11) && r.Int(11) != v.author_id;
  return v;
}

Error RejectedError(const moderation::Decision& decision) {
  std::string message = "The comment breaks the community standards.";
  if (!decision.findings.empty()) message = decision.findings.front().reason;
  Error e = MakeError(ErrorCode::kRejected, std::move(message));
  e.extra_json = "\"findings\":" + moderation::FindingsToJson(decision.findings);
  return e;
}

CommentService::CommentService(storage::Database& db, const Clock& clock, IdGenerator& ids,
                               const moderation::Engine& engine, DiscussionOptions options)
    : db_(db), clock_(clock), ids_(ids), engine_(engine), options_(std::move(options)) {}

Status CommentService::RecordRejection(const Actor& actor, int64_t article_id, std::optional<int64_t> comment_id,
                                       const char* kind, const std::string& body,
                                       const moderation::Decision& decision) {
  const int64_t decision_id = ids_.Next();
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    storage::Value cid = comment_id ? storage::Value(*comment_id) : storage::Value(nullptr);
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
        " findings_json, text_sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {decision_id, cid, article_id, actor.account_id, std::string(kind),
         std::string(moderation::ActionName(decision.action)), std::string(engine_.Name()),
         moderation::FindingsToJson(decision.findings), Sha256Hex(body), clock_.NowMicros()}));
    // An edit's rejection is not a new attempt (see Edit); a post's is.
    if (comment_id) return Ok{};
    return LogAttempt(s, decision_id, std::nullopt, decision);
  }));
  if (!comment_id) Remember(decision_id, decision);
  return Ok{};
}

Result<PostResult> CommentService::Post(const Actor& actor, int64_t article_id, const std::string& body,
                                        std::optional<int64_t> parent_id) {
  TRIBUNE_ASSIGN(const PostContext context, LoadContext(actor.account_id, article_id, parent_id));
  moderation::Decision decision = Check(body, context);
  if (decision.action == moderation::Action::kReject) {
    TRIBUNE_TRY(RecordRejection(actor, article_id, std::nullopt, "post", body, decision));
    return RejectedError(decision);
  }

  PostResult result{ids_.Next(), StatusFor(decision.action), decision.findings};
  result.body_html = text::RenderMarkdown(body);
  const std::string& html = result.body_html;
  const int64_t now = clock_.NowMicros();
  result.created_at = now;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    if (parent_id) {
      auto parent = s.Query("SELECT article_id FROM comments WHERE id = $1", {*parent_id});
      if (!parent.ok()) return std::move(parent).error();
      if (parent->empty() || (*parent)[0].Int(0) != article_id) {
        return MakeError(ErrorCode::kBadRequest, "parent_id is not a comment of this article.");
      }
      TRIBUNE_TRY(s.Exec("UPDATE comments SET reply_count = reply_count + 1 WHERE article_id = $1 AND id = $2",
                         {article_id, *parent_id}));
    }
    storage::Value parent = parent_id ? storage::Value(*parent_id) : storage::Value(nullptr);
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO comments (article_id, id, parent_id, author_id, body, body_html, status, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {article_id, result.id, parent, actor.account_id, body, html, result.status, now}));
    if (result.status == "published") {
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count + 1 WHERE id = $1", {article_id}));
      if (options_.notices != nullptr) {
        TRIBUNE_TRY(options_.notices->OnPublished(s, {result.id, article_id, parent_id, actor.account_id, body}, now));
      }
    }
    if (!decision.findings.empty()) {
      TRIBUNE_TRY(s.Exec(
          "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
          " findings_json, text_sha256, created_at) VALUES ($1, $2, $3, $4, 'post', $5, $6, $7, $8, $9)",
          {ids_.Next(), result.id, article_id, actor.account_id, std::string(moderation::ActionName(decision.action)),
           std::string(engine_.Name()), moderation::FindingsToJson(decision.findings), Sha256Hex(body), now}));
    }
    return LogAttempt(s, result.id, result.id, decision);
  }));
  BumpThreadVersion(article_id);
  if (result.status == "published") Notify(article_id, result.id, CommentEvent::kVisible);
  Remember(result.id, decision);
  return result;
}

uint64_t CommentService::ThreadVersion(int64_t article_id) const {
  return versions_[static_cast<uint64_t>(article_id) % kVersionSlots].load(std::memory_order_acquire);
}

void CommentService::BumpAllThreadVersions() {
  for (size_t i = 0; i < kVersionSlots; ++i) versions_[i].fetch_add(1, std::memory_order_acq_rel);
}

void CommentService::BumpThreadVersion(int64_t article_id) {
  versions_[static_cast<uint64_t>(article_id) % kVersionSlots].fetch_add(1, std::memory_order_acq_rel);
}

void CommentService::Notify(int64_t article_id, int64_t comment_id, CommentEvent::Kind kind) {
  if (CommentEvents* events = events_.load(std::memory_order_acquire)) events->Publish({article_id, comment_id, kind});
}

Result<CommentView> CommentService::Get(int64_t comment_id) {
  auto rows = db_.Read(kSelect + "WHERE c.id = $1", {comment_id});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such comment.");
  return CommentViewFromRow((*rows)[0]);
}

Result<CommentView> CommentService::Edit(const Actor& actor, int64_t comment_id, const std::string& body,
                                         const EditHook& in_transaction) {
  auto current = Get(comment_id);
  if (!current.ok()) return std::move(current).error();
  if (current->author_id != actor.account_id && !actor.moderator) {
    return MakeError(ErrorCode::kForbidden, "Only the author can edit this comment.");
  }
  if (current->status == "deleted" || current->status == "hidden") {
    return MakeError(ErrorCode::kConflict, "The comment was deleted.");
  }

  // An edit is judged with the behaviour rules too (an edit can turn a comment into a campaign's text), but
  // it is not a new attempt: it does not join the window.
  TRIBUNE_ASSIGN(const PostContext context, LoadContext(current->author_id, current->article_id, current->parent_id));
  moderation::Decision decision = Check(body, context);
  if (decision.action == moderation::Action::kReject) {
    TRIBUNE_TRY(RecordRejection(actor, current->article_id, comment_id, "edit", body, decision));
    return RejectedError(decision);
  }
  const std::string html = text::RenderMarkdown(body);
  const std::string new_status = StatusFor(decision.action);
  const int64_t now = clock_.NowMicros();
  std::string status_before;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    // Re-read inside the transaction: a concurrent delete or edit must not be lost.
    auto rows = s.Query("SELECT body, status FROM comments WHERE article_id = $1 AND id = $2",
                        {current->article_id, comment_id});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such comment.");
    const std::string old_status = (*rows)[0].Text(1);
    status_before = old_status;
    if (old_status == "deleted" || old_status == "hidden") {
      return MakeError(ErrorCode::kConflict, "The comment was deleted.");
    }
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO comment_revisions (comment_id, revision, body, edited_by, created_at)"
        " VALUES ($1, (SELECT COALESCE(MAX(revision), 0) + 1 FROM comment_revisions WHERE comment_id = $1), $2, $3, $4)",
        {comment_id, (*rows)[0].Text(0), actor.account_id, now}));
    TRIBUNE_TRY(s.Exec("UPDATE comments SET body = $3, body_html = $4, status = $5, edited_at = $6, edited_by = $7"
                       " WHERE article_id = $1 AND id = $2",
                       {current->article_id, comment_id, body, html, new_status, now, actor.account_id}));
    if (old_status != new_status) {
      const int64_t delta = new_status == "published" ? 1 : (old_status == "published" ? -1 : 0);
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1",
                         {current->article_id, delta}));
    }
    if (in_transaction) return in_transaction(s, (*rows)[0].Text(0), old_status, new_status);
    return Ok{};
  }));
  BumpThreadVersion(current->article_id);
  // A public comment shows its new text (or leaves when the edit was held); a held one that the edit made
  // publishable appears.
  if (status_before == "published" || new_status == "published") {
    Notify(current->article_id, comment_id, CommentEvent::kVisible);
  }
  return Get(comment_id);
}

Status CommentService::Delete(const Actor& actor, int64_t comment_id) {
  auto current = Get(comment_id);
  if (!current.ok()) return std::move(current).error();
  if (current->author_id != actor.account_id && !actor.moderator) {
    return MakeError(ErrorCode::kForbidden, "Only the author can delete this comment.");
  }
  const int64_t now = clock_.NowMicros();
  bool was_public = false;
  Status st = db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query("SELECT status FROM comments WHERE article_id = $1 AND id = $2",
                        {current->article_id, comment_id});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such comment.");
    const std::string old_status = (*rows)[0].Text(0);
    if (old_status == "deleted") return Ok{};
    was_public = old_status == "published";
    TRIBUNE_TRY(s.Exec("UPDATE comments SET body = '', body_html = '', status = 'deleted', deleted_at = $3"
                       " WHERE article_id = $1 AND id = $2",
                       {current->article_id, comment_id, now}));
    TRIBUNE_TRY(s.Exec("DELETE FROM comment_revisions WHERE comment_id = $1", {comment_id}));
    if (old_status == "published") {
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count - 1 WHERE id = $1",
                         {current->article_id}));
    }
    return Ok{};
  });
  if (st.ok()) BumpThreadVersion(current->article_id);
  // The tombstone replaces a public comment; a held one deleted by its author was never shown.
  if (st.ok() && was_public) Notify(current->article_id, comment_id, CommentEvent::kVisible);
  return st;
}

std::string ThreadPageSql(Sort sort) {
  const std::string head = kSelect + "WHERE c.article_id = $1 AND " + std::string(kVisibleQualified) + " ";
  switch (sort) {
    case Sort::kOldest:
      // $3: after this id, $4: rows. Ordered by the primary key's columns, so that only the primary key serves
      // the order (PostgreSQL with stale statistics walked the whole comments_id index for ORDER BY id).
      return head + "AND c.id > $3 ORDER BY c.article_id, c.id LIMIT $4";
    case Sort::kNewest:
      return head + "AND c.id < $3 ORDER BY c.article_id DESC, c.id DESC LIMIT $4";
    case Sort::kTop:
      // (reply_count, id) after the cursor ($3, $4), in (reply_count DESC, id) order, as two index seeks: the rest
      // of the cursor's reply-count group, then the lower groups. One OR-condition would make SQLite scan the
      // cursor's whole group from its start (45 ms deep in a 100,000-comment thread). $5: rows.
      return kSelect +
             "JOIN (SELECT article_id, id FROM (SELECT article_id, id FROM comments WHERE article_id = $1"
             " AND reply_count = $3 AND id > $4 AND " + std::string(kVisible) + " ORDER BY id LIMIT $5) AS same_group"
             " UNION ALL SELECT article_id, id FROM (SELECT article_id, id FROM comments WHERE article_id = $1"
             " AND reply_count < $3 AND " + std::string(kVisible) + " ORDER BY reply_count DESC, id LIMIT $5)"
             " AS lower_groups) AS k ON c.article_id = k.article_id AND c.id = k.id"
             " ORDER BY c.reply_count DESC, c.id LIMIT $5";
  }
  return head;
}

Result<CommentPage> CommentService::List(const ListQuery& q) {
  const int limit = std::clamp(q.limit, 1, options_.page_max);
  std::optional<std::vector<int64_t>> keys;
  const size_t key_count = q.sort == Sort::kTop ? 2 : 1;
  if (!q.cursor.empty()) {
    keys = DecodeCursor(q.cursor, key_count);
    if (!keys) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
  }
  const std::string sql = ThreadPageSql(q.sort);
  storage::Params params{q.article_id, q.viewer_id};
  switch (q.sort) {
    case Sort::kOldest:
      params.push_back(keys ? (*keys)[0] : int64_t{0});
      params.push_back(int64_t{limit + 1});
      break;
    case Sort::kNewest:
      params.push_back(keys ? (*keys)[0] : INT64_MAX);
      params.push_back(int64_t{limit + 1});
      break;
    case Sort::kTop:
      params.push_back(keys ? (*keys)[0] : INT64_MAX);
      params.push_back(keys ? (*keys)[1] : int64_t{0});
      params.push_back(int64_t{limit + 1});
      break;
  }
  CommentPage page;
  bool article_found = false;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto article = s.Query("SELECT comment_count FROM articles WHERE id = $1 AND published_at <= $2",
                           {q.article_id, clock_.NowMicros()});  // readers' articles only (news::kNotOut)
    if (!article.ok()) return std::move(article).error();
    if (article->empty()) return Ok{};
    article_found = true;
    page.total = (*article)[0].Int(0);
    auto rows = s.Query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& r : *rows) page.items.push_back(CommentViewFromRow(r));
    return Ok{};
  }));
  if (!article_found) return MakeError(ErrorCode::kNotFound, "No such article.");
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    const CommentView& last = page.items.back();
    page.next_cursor = q.sort == Sort::kTop ? EncodeCursor({last.reply_count, last.id}) : EncodeCursor({last.id});
  }
  return page;
}

}  // namespace tribune::discussion
