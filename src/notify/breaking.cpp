#include "notify/breaking.hpp"

#include "notify/texts.hpp"

namespace tribune::notify {

Result<Enqueued> BreakingNews::Send(const BreakingArticle& article) {
  if (article.title.size() > 1000) return MakeError(ErrorCode::kBadRequest, "The headline is too long to push.");
  PushMessage m;
  m.key = "breaking:" + std::to_string(article.article_id);
  m.title = BreakingTitle(article.language);
  m.body = article.lead.empty() ? article.title : article.title + " — " + Excerpt(article.lead, 200);
  m.url = article.path;
  m.tag = "breaking-" + std::to_string(article.article_id);
  m.topic = "b" + std::to_string(article.article_id);
  m.ttl_seconds = 6 * 3600;  // news that arrives a day late is not breaking any more
  m.urgency = "high";
  Enqueued out;
  bool sent_before = false;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(storage::Rows rows, s.Query("SELECT id FROM push_messages WHERE message_key = $1", {m.key}));
    sent_before = !rows.empty();
    if (sent_before) return Ok{};
    // Kept even when nobody is subscribed, so that a second click cannot reach later subscribers with old news.
    TRIBUNE_ASSIGN(out, outbox_.Enqueue(s, m, {"breaking:" + article.language, std::nullopt, std::nullopt, true}));
    return Ok{};
  }));
  if (sent_before) return MakeError(ErrorCode::kConflict, "This article was already sent as breaking news.");
  return out;
}

}  // namespace tribune::notify
