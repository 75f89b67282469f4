#include "notify/breaking.hpp"

#include "notify/texts.hpp"

namespace tribune::notify {

Result<Enqueued> BreakingNews::Send(const BreakingArticle& article) {
  if (article.title.size() > 1000) return MakeError(ErrorCode::kBadRequest, "The headline is too long to push.");
  if (article.published_at > clock_.NowMicros()) {
    return MakeError(ErrorCode::kConflict, "The article is scheduled for later: send it as breaking news once it is out.");
  }
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
  // The message is kept even when nobody is subscribed, so that its key alone answers a second click (two at
  // once included: the key is unique), and later subscribers never get old news.
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(out, outbox_.Enqueue(s, m, {"breaking:" + article.language, std::nullopt, std::nullopt, true}));
    return Ok{};
  }));
  if (out.message_id == 0) return MakeError(ErrorCode::kConflict, "This article was already sent as breaking news.");
  return out;
}

}  // namespace tribune::notify
