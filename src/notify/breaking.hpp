// Breaking news: an editor sends an article to every subscription of its edition's "breaking:<language>" topic
// (signed-in and anonymous readers alike), once per article.
#pragma once

#include <string>

#include "notify/push.hpp"

namespace tribune::notify {

struct BreakingArticle {
  int64_t article_id = 0;
  std::string title;
  std::string lead;
  std::string path;      // "/articles/<slug>"
  std::string language;  // the edition's language: the topic is breaking:<language>
  int64_t published_at = 0;  // micros; a scheduled article is not news yet
};

class BreakingNews {
 public:
  BreakingNews(storage::Database& db, const Clock& clock, PushOutbox& outbox) : db_(db), clock_(clock), outbox_(outbox) {}
  // Queues the push for every subscriber, in one transaction. Errors: kConflict (this article was sent as
  // breaking news before, or is scheduled for later), kBadRequest (a headline too long to push).
  Result<Enqueued> Send(const BreakingArticle& article);

 private:
  storage::Database& db_;
  const Clock& clock_;
  PushOutbox& outbox_;
};

}  // namespace tribune::notify
