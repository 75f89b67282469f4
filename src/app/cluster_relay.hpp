// What one server tells the others sharing its database — and, on SQLite, itself — through
// Database::Notify / Listen (PostgreSQL LISTEN/NOTIFY):
//   tribune_comments  "<article>,<comment>,<kind>"  a comment's public face changed: every server's live
//                                                    streams hear it and its cached anonymous pages go stale
//   tribune_policy    "<version>"                   a privacy policy was published (also by the CLI)
// The comment services publish into the relay instead of straight into the LiveHub, so a reader connected to
// server B sees a comment posted on server A. A lost notification costs a live update (the client's next
// reload shows it); the database stays the truth.
#pragma once

#include "accounts/accounts.hpp"
#include "discussion/discussion.hpp"
#include "discussion/events.hpp"
#include "http/live.hpp"
#include "news/news.hpp"
#include "storage/database.hpp"

namespace tribune::app {

inline constexpr const char* kCommentsChannel = "tribune_comments";
inline constexpr const char* kArticlesChannel = "tribune_articles";

class ClusterRelay final : public discussion::CommentEvents {
 public:
  ClusterRelay(storage::Database& db, discussion::CommentService& comments, http::LiveHub* live,
               accounts::AccountService* accounts)
      : db_(db), comments_(comments), live_(live), accounts_(accounts) {}

  // Trending hears every comment event (this server's and the others'); call before Start. May stay unset.
  void SetArticles(news::ArticleService* articles) { articles_ = articles; }

  // Listens on the channels. Errors: kUnavailable (the database could not LISTEN).
  Status Start();
  // From the comment services after a commit: to every server.
  void Publish(const discussion::CommentEvent& event) override;
  // From the article service after an edit, publish or unpublish commits: every server (this one too) drops its
  // cached pages of the article's thread and recomputes Trending, so an unpublished article's discussion and
  // place in Trending go everywhere at once.
  void ArticleChanged(int64_t article_id);

  // "<article>,<comment>,<kind>" and back; nullopt for anything else.
  static std::string Encode(const discussion::CommentEvent& event);
  static std::optional<discussion::CommentEvent> Decode(const std::string& payload);

 private:
  void Deliver(const discussion::CommentEvent& event);
  void DeliverArticle(int64_t article_id);

  storage::Database& db_;
  discussion::CommentService& comments_;
  http::LiveHub* live_;
  accounts::AccountService* accounts_;
  news::ArticleService* articles_ = nullptr;
};

}  // namespace tribune::app
