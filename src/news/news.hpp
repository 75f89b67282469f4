// Start here for the news side: editions and articles. Thread-safe; may block on a commit.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::news {

struct Image {
  std::string url, caption, credit;
};

struct Article {
  int64_t id = 0;
  std::string edition;
  std::string slug, title, lead, body, section;
  std::vector<std::string> tags;
  Image image;
  std::string language;
  std::string short_code;
  int64_t published_at = 0;
  int64_t views = 0;
  int64_t comment_count = 0;
  std::string kind = "story";               // story | gallery | video
  std::string byline;                       // the author's name as printed; may be empty
  std::optional<int64_t> recommended_until;  // editors' pick until then (micros); nullopt: not recommended
  // Lifecycle (article_editing.cpp): draft | published | unpublished. A published article whose published_at is
  // still ahead is "scheduled". While an article is not out, published_at is kNotOut and short_code is empty
  // for a draft (codes are made on the first publish).
  std::string status = "published";
  std::optional<int64_t> planned_at;  // not out: the publish time it takes when published (nullopt: that moment)
  int64_t updated_at = 0;             // micros; strictly increasing per article (optimistic concurrency)
  std::vector<int64_t> related;       // inline related articles, in order
  // Readers see it: published and due at `now`.
  bool VisibleAt(int64_t now) const { return status == "published" && published_at <= now; }
};

// published_at of an article that is not out (draft, unpublished): later than any "now", so every reader query
// that asks for "published_at <= now" leaves it out.
inline constexpr int64_t kNotOut = INT64_MAX;

// The kinds an article may have; "Multimedia" lists the last two.
inline bool IsArticleKind(std::string_view k) { return k == "story" || k == "gallery" || k == "video"; }

struct NewArticle {
  std::string slug, title, lead, body, section;
  std::vector<std::string> tags;
  Image image;
  std::string language;          // empty: the edition's language
  std::optional<int64_t> published_at;  // empty: now
  std::string kind;                     // empty: "story"; else story | gallery | video
  std::string byline;
  std::optional<int64_t> recommended_until;
  std::string status;                   // empty: "published"; or "draft"
  std::vector<int64_t> related;         // ids of articles of this edition (any status), at most 12
};

// A partial edit: only the fields set change; each is validated as on create (article_editing.cpp).
struct ArticlePatch {
  std::optional<std::string> slug, title, lead, body, section, language, kind, byline;
  std::optional<std::vector<std::string>> tags;
  std::optional<Image> image;
  std::optional<std::optional<int64_t>> published_at;       // set: the publish time (drafts: the planned one)
  std::optional<std::optional<int64_t>> recommended_until;  // set to nullopt: no longer recommended
  std::optional<std::vector<int64_t>> related;
  std::optional<int64_t> expected_updated_at;  // set: 409 kConflict when the article changed since
};

struct EditorQuery {
  std::string status;  // draft | scheduled | published | unpublished
  std::string cursor;
  int limit = 50;
};

struct ArticlePage {
  std::vector<Article> items;
  std::optional<std::string> next_cursor;
};

struct ArticleQuery {
  std::string section;  // empty: any
  std::string tag;      // empty: any
  std::string cursor;   // opaque, from a previous page
  int limit = 20;
  // Language filter (an edition's): "fr" matches "fr" and "fr-CA". Empty: any. `not_languages` leaves out
  // the other editions' languages (the default edition's front page shows everything else).
  std::string language;
  std::vector<std::string> not_languages;
  bool recommended = false;  // only editors' picks that have not expired
  bool multimedia = false;   // only galleries and videos
};

struct TrendingQuery {
  std::string language;  // as ArticleQuery
  std::vector<std::string> not_languages;
  int limit = 5;
};

// The SQL condition (" AND ...") for ArticleQuery::language / not_languages; appends its parameters.
std::string LanguageClause(const std::string& language, const std::vector<std::string>& not_languages,
                           storage::Params& params);

// Hears every change to an article inside the write transaction that makes it, so what it keeps beside the
// article (the search index, ...) commits or rolls back with it. A failed status fails the whole write.
class ArticleListener {
 public:
  virtual ~ArticleListener() = default;
  // The article as stored after a create or an edit (any status).
  virtual Status Saved(storage::Session& s, const Article& article) = 0;
  // The article no longer reaches readers (unpublished or deleted).
  virtual Status Removed(storage::Session& s, int64_t article_id) = 0;
};

class ArticleService {
 public:
  ArticleService(storage::Database& db, const Clock& clock, IdGenerator& ids, std::string edition);

  // Makes sure the default edition row exists (first start).
  Status EnsureEdition(const std::string& name, const std::string& language);

  // Validates and stores an article; author_id 0 means none (imports). Errors: kBadRequest (field), kConflict (slug taken).
  Result<Article> Create(const NewArticle& article, int64_t author_id);

  // What readers may see (VisibleAt now); anything else is kNotFound.
  Result<Article> Get(int64_t id);
  Result<Article> GetBySlug(const std::string& slug);
  Result<Article> GetByShortCode(const std::string& code);

  // Newest first, keyset-paginated. Errors: kBadRequest for a cursor it did not issue.
  Result<ArticlePage> List(const ArticleQuery& query);

  // The most discussed and read articles of the last 24 hours (see article_trending.cpp for the score),
  // best first; articles without any recent activity are left out. Cached for 60 s of the clock, or until
  // NoteActivity says a comment or an article changed.
  Result<std::vector<Article>> Trending(const TrendingQuery& query);

  // Counts a page view. Buffered in memory and written in batches (views and the hourly view log) by a
  // background flush every 2 s, so a page read never waits for a commit.
  void RecordView(int64_t article_id);
  // Writes the buffered views now (tests). A batch whose write fails is kept for the next flush.
  Status FlushViews();
  // Stops the background flush and writes what is buffered; call before the database closes (shutdown).
  Status StopViews();

  ~ArticleService();
  const std::string& edition() const { return edition_; }
  int64_t NowMicros() const { return clock_.NowMicros(); }

  // Editors (article_editing.cpp). Every write tells the listeners inside its transaction: Saved after an edit or
  // a publish, Removed after an unpublish.
  // Any status. Errors: kNotFound.
  Result<Article> GetForEditor(int64_t id);
  // Errors: kBadRequest (field), kNotFound, kConflict (slug taken, slug of an article already published,
  // expected_updated_at stale).
  Result<Article> Update(int64_t id, const ArticlePatch& patch);
  // Draft or unpublished → published; `at` (or the planned time, or now) in the future schedules it. The short
  // code is made on the first publish and kept for ever. Errors: kNotFound, kBadRequest.
  Result<Article> Publish(int64_t id, std::optional<int64_t> at, std::optional<int64_t> expected_updated_at = {});
  // Published or scheduled → unpublished (readers get 404, /s/ 410); the short code stays reserved.
  Result<Article> Unpublish(int64_t id, std::optional<int64_t> expected_updated_at = {});
  // By status, most recently changed first (scheduled: soonest first).
  Result<ArticlePage> ListForEditor(const EditorQuery& query);
  // The related articles of `a` that readers may see now, in order.
  Result<std::vector<Article>> VisibleRelated(const Article& a);
  // GetByShortCode's status for a code: kNotFound (never issued, or not out yet) or kGone (unpublished).
  Result<Article> ResolveShortCode(const std::string& code);

  // Something Trending counts changed (a comment shown or removed, an article edited or unpublished): the next
  // Trending call recomputes instead of answering from its cache. Cheap; any thread.
  void NoteActivity() { activity_.fetch_add(1, std::memory_order_relaxed); }

  // Called after every committed edit, publish or unpublish, with the article's id (services: to every server, so
  // each drops its cached pages of the article's thread and recomputes Trending). Set before sharing the service.
  void SetChangeHook(std::function<void(int64_t article_id)> hook) { changed_ = std::move(hook); }

  // Adds a listener (not owned; it outlives the service). Call before the service is shared between threads.
  void AddListener(ArticleListener* listener) { listeners_.push_back(listener); }

 private:
  Result<std::vector<Article>> Load(storage::Session& s, const std::string& where, const storage::Params& params);
  Result<Article> Change(int64_t id, const std::function<Status(storage::Session&, Article&)>& change,
                         std::optional<int64_t> expected_updated_at);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::string edition_;
  std::vector<ArticleListener*> listeners_;

  std::mutex views_mu_;
  std::condition_variable views_cv_;
  std::map<std::pair<int64_t, int64_t>, int64_t> pending_views_;  // (article, hour) -> views
  std::thread flusher_;
  bool stopping_ = false;

  std::mutex trending_mu_;
  std::atomic<uint64_t> activity_{0};
  std::function<void(int64_t)> changed_;
  struct CachedTrending {
    int64_t at = 0;
    uint64_t activity = 0;  // activity_ when computed
    std::vector<Article> items;
  };
  std::map<std::string, CachedTrending> trending_cache_;
};

}  // namespace tribune::news
