// Start here for the news side: editions and articles. Thread-safe; may block on a commit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
};

struct NewArticle {
  std::string slug, title, lead, body, section;
  std::vector<std::string> tags;
  Image image;
  std::string language;          // empty: the edition's language
  std::optional<int64_t> published_at;  // empty: now
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
};

class ArticleService {
 public:
  ArticleService(storage::Database& db, const Clock& clock, IdGenerator& ids, std::string edition);

  // Makes sure the default edition row exists (first start).
  Status EnsureEdition(const std::string& name, const std::string& language);

  // Validates and stores an article; author_id 0 means none (imports). Errors: kBadRequest (field), kConflict (slug taken).
  Result<Article> Create(const NewArticle& article, int64_t author_id);

  // Errors: kNotFound.
  Result<Article> Get(int64_t id);
  Result<Article> GetBySlug(const std::string& slug);
  Result<Article> GetByShortCode(const std::string& code);

  // Newest first, keyset-paginated. Errors: kBadRequest for a cursor it did not issue.
  Result<ArticlePage> List(const ArticleQuery& query);

  const std::string& edition() const { return edition_; }

 private:
  Result<std::vector<Article>> Load(storage::Session& s, const std::string& where, const storage::Params& params);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  std::string edition_;
};

}  // namespace tribune::news
