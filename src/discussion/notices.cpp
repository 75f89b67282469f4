// Notices: reply notices (push + e-mail, at once or in a daily digest) and followed-article pushes.
#include "discussion/notices.hpp"

#include <ctime>

#include "common/log.hpp"
#include "notify/texts.hpp"

namespace tribune::discussion {

namespace {

constexpr size_t kPushExcerpt = 140;
constexpr size_t kMailExcerpt = 300;

std::string ArticlePath(const std::string& slug, int64_t comment_id) {
  return "/articles/" + slug + "#c" + std::to_string(comment_id);
}

std::string UtcDay(int64_t micros) {
  const std::time_t t = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

Status Notices::OnPublished(storage::Session& s, const PublishedComment& comment, int64_t now) {
  // Someone else's data (an address or a link a mail refuses) must not cost the replier their comment: a notice
  // that cannot be made is logged and skipped. Those refusals come before anything is written; storage errors
  // still fail the transaction.
  for (Status st : {NotifyParentAuthor(s, comment, now), NotifyFollowers(s, comment, now)}) {
    if (st.ok()) continue;
    if (st.error().code != ErrorCode::kBadRequest) return st;
    log::Warn("notice skipped", "\"comment\":" + std::to_string(comment.comment_id) + ",\"error\":\"" +
                                    log::JsonEscape(st.error().message) + "\"");
  }
  return Ok{};
}

Status Notices::NotifyParentAuthor(storage::Session& s, const PublishedComment& comment, int64_t now) {
  if (!comment.parent_id) return Ok{};
  TRIBUNE_ASSIGN(storage::Rows rows,
                 s.Query("SELECT p.author_id, a.status, a.language, a.email, a.display_name, r.display_name, art.title,"
                         " art.slug FROM comments p JOIN accounts a ON a.id = p.author_id JOIN accounts r ON r.id = $2"
                         " JOIN articles art ON art.id = p.article_id WHERE p.id = $1",
                         {*comment.parent_id, comment.author_id}));
  if (rows.empty()) return Ok{};
  const auto& r = rows[0];
  const int64_t recipient = r.Int(0);
  const std::string& status = r.Text(1);
  if (recipient == comment.author_id || (status != "active" && status != "unconfirmed")) return Ok{};
  const std::string& language = r.Text(2);
  const std::string& replier = r.Text(5);
  const std::string path = ArticlePath(r.Text(7), comment.comment_id);

  if (options_.push != nullptr) {
    notify::PushMessage m;
    m.key = "reply:" + std::to_string(comment.comment_id);
    m.title = notify::ReplyTitle(language, replier);
    m.body = notify::Excerpt(comment.body, kPushExcerpt);
    m.url = path;
    m.tag = "reply-" + std::to_string(comment.comment_id);
    m.ttl_seconds = 86'400;
    m.urgency = "normal";
    TRIBUNE_TRY(options_.push->Enqueue(s, m, {"replies", recipient, std::nullopt}));
  }
  // E-mail needs a confirmed address and the reader's own choice.
  if (options_.mail == nullptr || options_.prefs == nullptr || status != "active") return Ok{};
  TRIBUNE_ASSIGN(const std::string mode, notify::PreferenceService::EmailReplies(s, recipient));
  if (mode == "daily") {
    TRIBUNE_TRY(s.Exec("INSERT INTO reply_digest_items (account_id, comment_id, created_at) VALUES ($1, $2, $3)"
                       " ON CONFLICT (account_id, comment_id) DO NOTHING",
                       {recipient, comment.comment_id, now}));
    return Ok{};
  }
  if (mode != "immediate") return Ok{};
  mail::Mail m;
  m.to = r.Text(3);
  m.kind = "reply_notice";
  m.language = language;
  m.account_id = recipient;
  m.dedup_key = "reply:" + std::to_string(comment.comment_id);
  m.unsubscribe_url = options_.base_url + "/unsubscribe?token=" + options_.prefs->UnsubscribeToken(recipient);
  m.vars = {{"display_name", r.Text(4)},
            {"replier_name", replier},
            {"article_title", r.Text(6)},
            {"excerpt", notify::Excerpt(comment.body, kMailExcerpt)},
            {"link", options_.base_url + path},
            {"settings_link", options_.base_url + "/account/notifications"}};
  return options_.mail->Enqueue(s, m);
}

Status Notices::NotifyFollowers(storage::Session& s, const PublishedComment& comment, int64_t now) {
  if (options_.push == nullptr) return Ok{};
  TRIBUNE_ASSIGN(storage::Rows rows,
                 s.Query("SELECT art.title, art.slug, art.language, a.display_name FROM articles art, accounts a"
                         " WHERE art.id = $1 AND a.id = $2",
                         {comment.article_id, comment.author_id}));
  if (rows.empty()) return Ok{};
  const auto& r = rows[0];
  // One notice per article and window, sent when the window ends: it reaches every follower who did not write
  // all of the window's comments themselves (each comment adds the followers other than its author).
  const int64_t window = std::max<int64_t>(1, options_.follow_window_us);
  notify::PushMessage m;
  m.key = "follow:" + std::to_string(comment.article_id) + ":" + std::to_string(now / window);
  m.deliver_at = (now / window + 1) * window;
  m.title = notify::FollowTitle(r.Text(2), r.Text(0));
  m.body = r.Text(3) + ": " + notify::Excerpt(comment.body, kPushExcerpt);
  m.url = ArticlePath(r.Text(1), comment.comment_id);
  m.tag = "article-" + std::to_string(comment.article_id);
  m.topic = "a" + std::to_string(comment.article_id);
  m.ttl_seconds = 86'400;
  m.urgency = "low";
  notify::Audience audience{"article:" + std::to_string(comment.article_id), std::nullopt, comment.author_id};
  audience.add_to_existing = true;
  TRIBUNE_TRY(options_.push->Enqueue(s, m, audience));
  return Ok{};
}

Result<int> Notices::SendDigests(storage::Database& db, int64_t now) {
  if (options_.mail == nullptr || options_.prefs == nullptr) return 0;
  const int64_t hour = (now / (3600LL * 1'000'000)) % 24;
  if (hour < options_.digest_hour) return 0;
  const std::string day = UtcDay(now);
  TRIBUNE_ASSIGN(storage::Rows last, db.Read("SELECT value FROM meta WHERE key = 'reply_digest_day'"));
  if (!last.empty() && last[0].Text(0) >= day) return 0;
  TRIBUNE_ASSIGN(storage::Rows accounts,
                 db.Read("SELECT DISTINCT account_id FROM reply_digest_items WHERE created_at <= $1", {now}));
  int sent = 0;
  for (const auto& a : accounts) {
    bool queued = false;
    Status st = db.Write([&](storage::Session& s) -> Status {
      TRIBUNE_ASSIGN(queued, DigestFor(s, a.Int(0), day, now));
      return Ok{};
    });
    // One reader's digest that cannot be made (a mail the renderer refuses) must not hold back everyone else's.
    if (!st.ok()) {
      log::Error("reply digest failed", "\"account\":" + std::to_string(a.Int(0)) + ",\"error\":\"" +
                                            log::JsonEscape(st.error().message) + "\"");
    }
    sent += queued ? 1 : 0;
  }
  TRIBUNE_TRY(db.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO meta (key, value) VALUES ('reply_digest_day', $1) ON CONFLICT (key) DO UPDATE"
                       " SET value = excluded.value",
                       {day}));
    return Ok{};
  }));
  return sent;
}

Result<bool> Notices::DigestFor(storage::Session& s, int64_t account_id, const std::string& day, int64_t now) {
  TRIBUNE_ASSIGN(storage::Rows acct, s.Query("SELECT status, language, email, display_name FROM accounts WHERE id = $1",
                                             {account_id}));
  TRIBUNE_ASSIGN(const std::string mode, notify::PreferenceService::EmailReplies(s, account_id));
  std::vector<std::map<std::string, std::string>> items;
  int64_t total = 0;
  if (!acct.empty() && acct[0].Text(0) == "active" && mode == "daily") {
    // Replies removed since (deleted, rejected) are not announced.
    TRIBUNE_ASSIGN(storage::Rows rows,
                   s.Query("SELECT c.id, c.body, r.display_name, art.title, art.slug FROM reply_digest_items i"
                           " JOIN comments c ON c.id = i.comment_id JOIN accounts r ON r.id = c.author_id"
                           " JOIN articles art ON art.id = c.article_id WHERE i.account_id = $1 AND i.created_at <= $2"
                           " AND c.status = 'published' ORDER BY i.created_at DESC, i.comment_id DESC",
                           {account_id, now}));
    total = static_cast<int64_t>(rows.size());
    for (const auto& r : rows) {
      if (items.size() >= static_cast<size_t>(std::max(1, options_.digest_max_items))) break;
      items.push_back({{"replier_name", r.Text(2)},
                       {"article_title", r.Text(3)},
                       {"excerpt", notify::Excerpt(r.Text(1), kMailExcerpt)},
                       {"link", options_.base_url + ArticlePath(r.Text(4), r.Int(0))}});
    }
  }
  TRIBUNE_TRY(s.Exec("DELETE FROM reply_digest_items WHERE account_id = $1 AND created_at <= $2", {account_id, now}));
  if (items.empty()) return false;
  mail::Mail m;
  m.to = acct[0].Text(2);
  m.kind = "reply_digest";
  m.language = acct[0].Text(1);
  m.account_id = account_id;
  m.dedup_key = "digest:" + std::to_string(account_id) + ":" + day;
  m.unsubscribe_url = options_.base_url + "/unsubscribe?token=" + options_.prefs->UnsubscribeToken(account_id);
  const int64_t more = total - static_cast<int64_t>(items.size());
  m.vars = {{"display_name", acct[0].Text(3)},
            {"count", std::to_string(total)},
            {"more", more > 0 ? std::to_string(more) : ""},
            {"settings_link", options_.base_url + "/account/notifications"}};
  m.items = std::move(items);
  TRIBUNE_TRY(options_.mail->Enqueue(s, m));
  return true;
}

}  // namespace tribune::discussion
