// Editors' side of articles: edit, publish (now or scheduled), unpublish, list by status; related items and
// short codes.
//
// Lifecycle: draft → published (scheduled while published_at is ahead) ⇄ unpublished. Drafts have no short
// code; the first publish makes one, recorded in short_codes for ever, so it never changes and is never issued
// again (an unpublished article keeps it; /s/ answers 410 for it). A slug may change only while the article is
// a draft: once published, its URL is out in the world.
#include <algorithm>
#include <set>

#include "common/cursor.hpp"
#include "common/random.hpp"
#include "news/article_rules.hpp"
#include "news/news.hpp"

namespace tribune::news {

namespace detail {

Status CheckRelated(storage::Session& s, const std::string& edition, int64_t article_id,
                    const std::vector<int64_t>& related) {
  if (related.size() > kMaxRelated) {
    return MakeError(ErrorCode::kBadRequest, "At most " + std::to_string(kMaxRelated) + " related articles.");
  }
  std::set<int64_t> seen;
  for (int64_t id : related) {
    if (id == article_id) return MakeError(ErrorCode::kBadRequest, "An article cannot be related to itself.");
    if (!seen.insert(id).second) return MakeError(ErrorCode::kBadRequest, "related names an article twice.");
    TRIBUNE_ASSIGN(auto rows, s.Query("SELECT 1 FROM articles WHERE id = $1 AND edition_id = $2", {id, edition}));
    if (rows.empty()) {
      return MakeError(ErrorCode::kBadRequest, "related: there is no article " + std::to_string(id) + ".");
    }
  }
  return Ok{};
}

Status SaveRelated(storage::Session& s, int64_t article_id, const std::vector<int64_t>& related) {
  TRIBUNE_TRY(s.Exec("DELETE FROM article_related WHERE article_id = $1", {article_id}));
  for (size_t i = 0; i < related.size(); ++i) {
    TRIBUNE_TRY(s.Exec("INSERT INTO article_related (article_id, position, related_id) VALUES ($1, $2, $3)",
                       {article_id, static_cast<int64_t>(i), related[i]}));
  }
  return Ok{};
}

Result<std::string> IssueShortCode(storage::Session& s, int64_t article_id, int64_t now) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    // 8 base64url characters from 6 random bytes: 2^48 codes, retried on the rare collision.
    std::string code = RandomToken(6);
    TRIBUNE_ASSIGN(auto used, s.Query("SELECT 1 FROM short_codes WHERE code = $1", {code}));
    if (!used.empty()) continue;
    TRIBUNE_TRY(s.Exec("INSERT INTO short_codes (code, article_id, created_at) VALUES ($1, $2, $3)",
                       {code, article_id, now}));
    return code;
  }
  return MakeError(ErrorCode::kInternal, "no free short code");
}

std::string DraftCode(int64_t article_id) { return "~" + std::to_string(article_id); }

Status LoadRelated(storage::Session& s, Article& a) {
  TRIBUNE_ASSIGN(auto rows, s.Query("SELECT related_id FROM article_related WHERE article_id = $1 ORDER BY position",
                                    {a.id}));
  a.related.clear();
  for (const auto& r : rows) a.related.push_back(r.Int(0));
  return Ok{};
}

}  // namespace detail

namespace {

Error Stale() {
  return MakeError(ErrorCode::kConflict, "The article was changed since you loaded it; reload and edit again.");
}

NewArticle AsNew(const Article& a) {
  NewArticle n;
  n.slug = a.slug;
  n.title = a.title;
  n.lead = a.lead;
  n.body = a.body;
  n.section = a.section;
  n.tags = a.tags;
  n.image = a.image;
  n.language = a.language;
  n.kind = a.kind;
  n.byline = a.byline;
  n.recommended_until = a.recommended_until;
  n.related = a.related;
  return n;
}

}  // namespace

Result<Article> ArticleService::GetForEditor(int64_t id) {
  Result<std::vector<Article>> found = std::vector<Article>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    found = Load(s, "WHERE id = $1 AND edition_id = $2", {id, edition_});
    if (found.ok() && !found->empty()) return detail::LoadRelated(s, found->front());
    return Ok{};
  }));
  if (!found.ok()) return std::move(found).error();
  if (found->empty()) return MakeError(ErrorCode::kNotFound, "No such article.");
  return std::move(found->front());
}

Result<Article> ArticleService::Change(int64_t id, const std::function<Status(storage::Session&, Article&)>& change,
                                       std::optional<int64_t> expected_updated_at) {
  Article a;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_ASSIGN(auto found, Load(s, "WHERE id = $1 AND edition_id = $2", {id, edition_}));
    if (found.empty()) return MakeError(ErrorCode::kNotFound, "No such article.");
    a = std::move(found.front());
    TRIBUNE_TRY(detail::LoadRelated(s, a));
    // Times travel as RFC 3339 with milliseconds; updated_at moves by at least 1 ms per change.
    if (expected_updated_at && *expected_updated_at / 1000 != a.updated_at / 1000) return Stale();
    const bool was_out = a.status == "published";
    TRIBUNE_TRY(change(s, a));
    a.updated_at = std::max(clock_.NowMicros(), a.updated_at + 1000);
    TRIBUNE_TRY(s.Exec(
        "UPDATE articles SET slug = $2, title = $3, lead = $4, body = $5, section = $6, image_url = $7,"
        " image_caption = $8, image_credit = $9, language = $10, short_code = $11, published_at = $12,"
        " updated_at = $13, kind = $14, byline = $15, recommended_until = $16, status = $17, planned_at = $18"
        " WHERE id = $1",
        {a.id, a.slug, a.title, a.lead, a.body, a.section, a.image.url, a.image.caption, a.image.credit, a.language,
         a.short_code.empty() ? detail::DraftCode(a.id) : a.short_code, a.published_at, a.updated_at, a.kind,
         a.byline, a.recommended_until ? storage::Value(*a.recommended_until) : storage::Value(nullptr), a.status,
         a.planned_at ? storage::Value(*a.planned_at) : storage::Value(nullptr)}));
    TRIBUNE_TRY(s.Exec("DELETE FROM article_tags WHERE article_id = $1", {a.id}));
    for (size_t i = 0; i < a.tags.size(); ++i) {
      TRIBUNE_TRY(s.Exec("INSERT INTO article_tags (article_id, tag, position) VALUES ($1, $2, $3)",
                         {a.id, a.tags[i], static_cast<int64_t>(i)}));
    }
    TRIBUNE_TRY(detail::SaveRelated(s, a.id, a.related));
    if (was_out && a.status != "published") {
      for (ArticleListener* l : listeners_) TRIBUNE_TRY(l->Removed(s, a.id));
    } else {
      for (ArticleListener* l : listeners_) TRIBUNE_TRY(l->Saved(s, a));
    }
    return Ok{};
  }));
  NoteActivity();  // an unpublished or re-dated article leaves (or joins) Trending at once
  if (changed_) changed_(a.id);
  return a;
}

Result<Article> ArticleService::Update(int64_t id, const ArticlePatch& p) {
  if (p.published_at && *p.published_at && (**p.published_at < 0 || **p.published_at >= kNotOut)) {
    return MakeError(ErrorCode::kBadRequest, "published_at must be a time.");
  }
  return Change(
      id,
      [&](storage::Session& s, Article& a) -> Status {
        NewArticle n = AsNew(a);
        if (p.slug) n.slug = *p.slug;
        if (p.title) n.title = *p.title;
        if (p.lead) n.lead = *p.lead;
        if (p.body) n.body = *p.body;
        if (p.section) n.section = *p.section;
        if (p.language) n.language = *p.language;
        if (p.kind) n.kind = *p.kind;
        if (p.byline) n.byline = *p.byline;
        if (p.tags) n.tags = *p.tags;
        if (p.image) n.image = *p.image;
        if (p.recommended_until) n.recommended_until = *p.recommended_until;
        if (p.related) n.related = *p.related;
        TRIBUNE_TRY(detail::ValidateNewArticle(n));
        if (n.language.empty()) return MakeError(ErrorCode::kBadRequest, "language must not be empty.");
        if (n.kind.empty()) n.kind = "story";
        if (n.slug != a.slug) {
          if (a.status != "draft") {
            return MakeError(ErrorCode::kConflict, "The slug of an article that has been published cannot change.");
          }
          TRIBUNE_ASSIGN(auto taken,
                         s.Query("SELECT 1 FROM articles WHERE edition_id = $1 AND slug = $2", {edition_, n.slug}));
          if (!taken.empty()) return MakeError(ErrorCode::kConflict, "An article with this slug exists.");
        }
        if (p.related) TRIBUNE_TRY(detail::CheckRelated(s, edition_, a.id, n.related));
        a.slug = n.slug;
        a.title = n.title;
        a.lead = n.lead;
        a.body = n.body;
        a.section = n.section;
        a.language = n.language;
        a.kind = n.kind;
        a.byline = n.byline;
        a.image = n.image;
        a.recommended_until = n.recommended_until;
        a.related = n.related;
        a.tags.clear();
        for (const auto& t : n.tags) {
          if (std::find(a.tags.begin(), a.tags.end(), t) == a.tags.end()) a.tags.push_back(t);
        }
        if (p.published_at) {
          if (a.status == "published") {
            a.published_at = p.published_at->value_or(clock_.NowMicros());
          } else {
            a.planned_at = *p.published_at;
          }
        }
        return Ok{};
      },
      p.expected_updated_at);
}

Result<Article> ArticleService::Publish(int64_t id, std::optional<int64_t> at,
                                        std::optional<int64_t> expected_updated_at) {
  if (at && (*at < 0 || *at >= kNotOut)) return MakeError(ErrorCode::kBadRequest, "published_at must be a time.");
  return Change(
      id,
      [&](storage::Session& s, Article& a) -> Status {
        const int64_t now = clock_.NowMicros();
        if (a.status == "published") {
          if (at) a.published_at = *at;  // a new schedule (or date)
          return Ok{};
        }
        a.published_at = at.value_or(a.planned_at.value_or(now));
        a.planned_at.reset();
        a.status = "published";
        if (a.short_code.empty()) {
          TRIBUNE_ASSIGN(a.short_code, detail::IssueShortCode(s, a.id, now));
        }
        return Ok{};
      },
      expected_updated_at);
}

Result<Article> ArticleService::Unpublish(int64_t id, std::optional<int64_t> expected_updated_at) {
  return Change(
      id,
      [&](storage::Session&, Article& a) -> Status {
        if (a.status == "draft") return MakeError(ErrorCode::kConflict, "A draft has not been published.");
        if (a.status == "unpublished") return Ok{};
        a.status = "unpublished";
        a.planned_at = a.published_at;  // publishing again restores its date
        a.published_at = kNotOut;
        return Ok{};
      },
      expected_updated_at);
}

Result<ArticlePage> ArticleService::ListForEditor(const EditorQuery& q) {
  const int limit = std::clamp(q.limit, 1, 100);
  const int64_t now = clock_.NowMicros();
  std::string where = "WHERE edition_id = $1";
  storage::Params params{edition_};
  std::string key;  // the sort column; the id breaks ties
  bool ascending = false;
  if (q.status == "draft" || q.status == "unpublished") {
    params.push_back(q.status);
    where += " AND status = $2";
    key = "updated_at";
  } else if (q.status == "scheduled" || q.status == "published") {
    params.push_back(now);
    where += q.status == "scheduled" ? " AND status = 'published' AND published_at > $2 AND published_at < $3"
                                     : " AND status = 'published' AND published_at <= $2";
    if (q.status == "scheduled") params.push_back(kNotOut);
    key = "published_at";
    ascending = q.status == "scheduled";
  } else {
    return MakeError(ErrorCode::kBadRequest, "status must be draft, scheduled, published or unpublished.");
  }
  if (!q.cursor.empty()) {
    auto keys = DecodeCursor(q.cursor, 2);
    if (!keys) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
    params.push_back((*keys)[0]);
    const std::string k = "$" + std::to_string(params.size());
    params.push_back((*keys)[1]);
    const std::string i = "$" + std::to_string(params.size());
    const char* op = ascending ? ">" : "<";
    where += " AND (" + key + " " + op + " " + k + " OR (" + key + " = " + k + " AND id " + op + " " + i + "))";
  }
  params.push_back(int64_t{limit + 1});
  const char* dir = ascending ? " ASC" : " DESC";
  where += " ORDER BY " + key + dir + ", id" + dir + " LIMIT $" + std::to_string(params.size());
  Result<std::vector<Article>> found = std::vector<Article>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    found = Load(s, where, params);
    return Ok{};
  }));
  if (!found.ok()) return std::move(found).error();
  ArticlePage page;
  page.items = std::move(found).value();
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    const Article& last = page.items.back();
    page.next_cursor = EncodeCursor({key == "updated_at" ? last.updated_at : last.published_at, last.id});
  }
  return page;
}

Result<std::vector<Article>> ArticleService::VisibleRelated(const Article& a) {
  std::vector<Article> out;
  if (a.related.empty()) return out;
  storage::Params params{clock_.NowMicros()};
  std::string in;
  for (int64_t id : a.related) {
    params.push_back(id);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  Result<std::vector<Article>> found = std::vector<Article>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    found = Load(s, "WHERE status = 'published' AND published_at <= $1 AND id IN (" + in + ")", params);
    return Ok{};
  }));
  if (!found.ok()) return std::move(found).error();
  for (int64_t id : a.related) {
    for (auto& r : *found) {
      if (r.id == id) out.push_back(r);
    }
  }
  return out;
}

Result<Article> ArticleService::ResolveShortCode(const std::string& code) {
  const bool shaped = !code.empty() && code.size() <= 32 && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!shaped) return MakeError(ErrorCode::kNotFound, "No such short link.");
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT article_id FROM short_codes WHERE code = $1", {code}));
  if (rows.empty()) return MakeError(ErrorCode::kNotFound, "No such short link.");
  auto a = GetForEditor(rows[0].Int(0));
  if (!a.ok()) return MakeError(ErrorCode::kNotFound, "No such short link.");
  if (a->VisibleAt(clock_.NowMicros())) return a;
  if (a->status == "unpublished") return MakeError(ErrorCode::kGone, "This article has been withdrawn.");
  return MakeError(ErrorCode::kNotFound, "No such short link.");
}

}  // namespace tribune::news
