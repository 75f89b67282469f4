#include <algorithm>
#include <cctype>

#include "common/cursor.hpp"
#include "common/random.hpp"
#include "news/article_rules.hpp"
#include "news/news.hpp"
#include "text/utf8.hpp"

namespace tribune::news {

namespace {

constexpr const char* kColumns =
    "SELECT id, edition_id, slug, title, lead, body, section, image_url, image_caption, image_credit, language,"
    " short_code, published_at, views, comment_count, kind, byline, recommended_until, status, planned_at, updated_at"
    " FROM articles ";

bool IsSlug(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Status CheckText(std::string_view field, std::string_view value, size_t max_code_points, bool required) {
  if (!text::IsValidUtf8(value) || text::HasForbiddenControls(value)) {
    return MakeError(ErrorCode::kBadRequest, std::string(field) + " holds characters that are not allowed.");
  }
  if (required && text::IsBlank(value)) return MakeError(ErrorCode::kBadRequest, std::string(field) + " is required.");
  if (text::CountCodePoints(value) > max_code_points) {
    return MakeError(ErrorCode::kBadRequest,
                     std::string(field) + " is longer than " + std::to_string(max_code_points) + " characters.");
  }
  return Ok{};
}

Status Validate(const NewArticle& a) {
  if (!IsSlug(a.slug, 120)) {
    return MakeError(ErrorCode::kBadRequest, "slug must be 1-120 lower-case letters, digits and dashes.");
  }
  TRIBUNE_TRY(CheckText("title", a.title, 300, true));
  TRIBUNE_TRY(CheckText("lead", a.lead, 2000, false));
  TRIBUNE_TRY(CheckText("body", a.body, 200000, false));
  if (!a.section.empty() && !IsSlug(a.section, 64)) {
    return MakeError(ErrorCode::kBadRequest, "section must be lower-case letters, digits and dashes.");
  }
  if (a.tags.size() > 20) return MakeError(ErrorCode::kBadRequest, "At most 20 tags.");
  for (const auto& t : a.tags) TRIBUNE_TRY(CheckText("tag", t, 64, true));
  TRIBUNE_TRY(CheckText("image.caption", a.image.caption, 500, false));
  TRIBUNE_TRY(CheckText("image.credit", a.image.credit, 200, false));
  const std::string& url = a.image.url;
  if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0 && url.rfind("/", 0) != 0) {
    return MakeError(ErrorCode::kBadRequest, "image.url must be an http(s) URL or a site path.");
  }
  TRIBUNE_TRY(CheckText("image.url", url, 2000, false));
  if (!a.language.empty() &&
      (a.language.size() > 12 || !std::all_of(a.language.begin(), a.language.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      }))) {
    return MakeError(ErrorCode::kBadRequest, "language must be a BCP 47 tag such as \"en\".");
  }
  if (!a.kind.empty() && !IsArticleKind(a.kind)) {
    return MakeError(ErrorCode::kBadRequest, "kind must be story, gallery or video.");
  }
  TRIBUNE_TRY(CheckText("byline", a.byline, 200, false));
  if (a.recommended_until && *a.recommended_until < 0) {
    return MakeError(ErrorCode::kBadRequest, "recommended_until must be a time.");
  }
  if (!a.status.empty() && a.status != "draft" && a.status != "published") {
    return MakeError(ErrorCode::kBadRequest, "status must be draft or published.");
  }
  if (a.published_at && (*a.published_at < 0 || *a.published_at >= kNotOut)) {
    return MakeError(ErrorCode::kBadRequest, "published_at must be a time.");
  }
  if (a.related.size() > kMaxRelated) {
    return MakeError(ErrorCode::kBadRequest, "At most " + std::to_string(kMaxRelated) + " related articles.");
  }
  return Ok{};
}

}  // namespace

namespace detail {
Status ValidateNewArticle(const NewArticle& a) { return Validate(a); }
}  // namespace detail

std::string LanguageClause(const std::string& language, const std::vector<std::string>& not_languages,
                           storage::Params& params) {
  std::string sql;
  if (!language.empty()) {
    params.push_back(language);
    const std::string n = std::to_string(params.size());
    params.push_back(language + "-%");
    sql += " AND (language = $" + n + " OR language LIKE $" + std::to_string(params.size()) + ")";
  }
  for (const auto& l : not_languages) {
    params.push_back(l);
    const std::string n = std::to_string(params.size());
    params.push_back(l + "-%");
    sql += " AND language <> $" + n + " AND language NOT LIKE $" + std::to_string(params.size());
  }
  return sql;
}

ArticleService::ArticleService(storage::Database& db, const Clock& clock, IdGenerator& ids, std::string edition)
    : db_(db), clock_(clock), ids_(ids), edition_(std::move(edition)) {}

Status ArticleService::EnsureEdition(const std::string& name, const std::string& language) {
  return db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (id) DO NOTHING",
                       {edition_, name, language, clock_.NowMicros()}));
    return Ok{};
  });
}

Result<std::vector<Article>> ArticleService::Load(storage::Session& s, const std::string& where,
                                                  const storage::Params& params) {
  auto rows = s.Query(kColumns + where, params);
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Article> out;
  for (const auto& r : *rows) {
    Article a;
    a.id = r.Int(0);
    a.edition = r.Text(1);
    a.slug = r.Text(2);
    a.title = r.Text(3);
    a.lead = r.Text(4);
    a.body = r.Text(5);
    a.section = r.Text(6);
    a.image = {r.Text(7), r.Text(8), r.Text(9)};
    a.language = r.Text(10);
    a.short_code = r.Text(11);
    a.published_at = r.Int(12);
    a.views = r.Int(13);
    a.comment_count = r.Int(14);
    a.kind = r.Text(15);
    a.byline = r.Text(16);
    a.recommended_until = r.OptInt(17);
    a.status = r.Text(18);
    a.planned_at = r.OptInt(19);
    a.updated_at = r.Int(20);
    if (a.short_code.starts_with("~")) a.short_code.clear();  // a draft's placeholder
    auto tags = s.Query("SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY position", {a.id});
    if (!tags.ok()) return std::move(tags).error();
    for (const auto& t : *tags) a.tags.push_back(t.Text(0));
    out.push_back(std::move(a));
  }
  return out;
}

Result<Article> ArticleService::Create(const NewArticle& input, int64_t author_id) {
  TRIBUNE_TRY(Validate(input));
  Article a;
  a.id = ids_.Next();
  a.edition = edition_;
  a.slug = input.slug;
  a.title = input.title;
  a.lead = input.lead;
  a.body = input.body;
  a.section = input.section;
  a.image = input.image;
  a.kind = input.kind.empty() ? "story" : input.kind;
  a.byline = input.byline;
  a.recommended_until = input.recommended_until;
  const bool draft = input.status == "draft";
  a.status = draft ? "draft" : "published";
  a.published_at = draft ? kNotOut : input.published_at.value_or(clock_.NowMicros());
  if (draft) a.planned_at = input.published_at;
  a.related = input.related;
  // Tags keep their first spelling and order; duplicates are dropped.
  for (const auto& t : input.tags) {
    if (std::find(a.tags.begin(), a.tags.end(), t) == a.tags.end()) a.tags.push_back(t);
  }
  const int64_t now = clock_.NowMicros();
  a.updated_at = now;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(detail::CheckRelated(s, edition_, a.id, a.related));
    auto edition = s.Query("SELECT language FROM editions WHERE id = $1", {edition_});
    if (!edition.ok()) return std::move(edition).error();
    if (edition->empty()) return MakeError(ErrorCode::kInternal, "edition " + edition_ + " is missing");
    a.language = input.language.empty() ? (*edition)[0].Text(0) : input.language;
    auto taken = s.Query("SELECT 1 FROM articles WHERE edition_id = $1 AND slug = $2", {edition_, a.slug});
    if (!taken.ok()) return std::move(taken).error();
    if (!taken->empty()) return MakeError(ErrorCode::kConflict, "An article with this slug exists.");
    if (draft) {
      a.short_code.clear();
    } else {
      TRIBUNE_ASSIGN(a.short_code, detail::IssueShortCode(s, a.id, now));
    }
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO articles (id, edition_id, slug, title, lead, body, section, image_url, image_caption,"
        " image_credit, language, author_id, short_code, published_at, created_at, updated_at, kind, byline,"
        " recommended_until, status, planned_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20)",
        {a.id, a.edition, a.slug, a.title, a.lead, a.body, a.section, a.image.url, a.image.caption, a.image.credit,
         a.language, author_id > 0 ? storage::Value(author_id) : storage::Value(nullptr),
         draft ? detail::DraftCode(a.id) : a.short_code, a.published_at, now, a.kind, a.byline,
         a.recommended_until ? storage::Value(*a.recommended_until) : storage::Value(nullptr), a.status,
         a.planned_at ? storage::Value(*a.planned_at) : storage::Value(nullptr)}));
    for (size_t i = 0; i < a.tags.size(); ++i) {
      TRIBUNE_TRY(s.Exec("INSERT INTO article_tags (article_id, tag, position) VALUES ($1, $2, $3)",
                         {a.id, a.tags[i], static_cast<int64_t>(i)}));
    }
    TRIBUNE_TRY(detail::SaveRelated(s, a.id, a.related));
    for (ArticleListener* l : listeners_) TRIBUNE_TRY(l->Saved(s, a));
    return Ok{};
  }));
  return a;
}

Result<Article> ArticleService::Get(int64_t id) {
  Result<std::vector<Article>> found = std::vector<Article>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    found = Load(s, "WHERE id = $1 AND status = 'published' AND published_at <= $2", {id, clock_.NowMicros()});
    if (found.ok() && !found->empty()) return detail::LoadRelated(s, found->front());  // one article: its related
    return Ok{};
  }));
  if (!found.ok()) return std::move(found).error();
  if (found->empty()) return MakeError(ErrorCode::kNotFound, "No such article.");
  return std::move(found->front());
}

Result<Article> ArticleService::GetBySlug(const std::string& slug) {
  auto rows = db_.Read("SELECT id FROM articles WHERE edition_id = $1 AND slug = $2", {edition_, slug});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such article.");
  return Get((*rows)[0].Int(0));
}

Result<Article> ArticleService::GetByShortCode(const std::string& code) {
  auto rows = db_.Read("SELECT id FROM articles WHERE short_code = $1", {code});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "No such short link.");
  return Get((*rows)[0].Int(0));
}

Result<ArticlePage> ArticleService::List(const ArticleQuery& q) {
  const int limit = std::clamp(q.limit, 1, 100);
  int64_t c_published = INT64_MAX, c_id = INT64_MAX;
  if (!q.cursor.empty()) {
    auto keys = DecodeCursor(q.cursor, 2);
    if (!keys) return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
    c_published = (*keys)[0];
    c_id = (*keys)[1];
  }
  std::string where =
      "WHERE edition_id = $1 AND published_at <= $2 AND (published_at < $3 OR (published_at = $3 AND id < $4))";
  storage::Params params{edition_, clock_.NowMicros(), c_published, c_id};
  if (!q.section.empty()) {
    params.push_back(q.section);
    where += " AND section = $" + std::to_string(params.size());
  }
  if (!q.tag.empty()) {
    params.push_back(q.tag);
    where += " AND id IN (SELECT article_id FROM article_tags WHERE tag = $" + std::to_string(params.size()) + ")";
  }
  where += LanguageClause(q.language, q.not_languages, params);
  if (q.recommended) {
    params.push_back(clock_.NowMicros());
    where += " AND recommended_until > $" + std::to_string(params.size());
  }
  if (q.multimedia) where += " AND kind IN ('gallery', 'video')";
  params.push_back(int64_t{limit + 1});
  where += " ORDER BY published_at DESC, id DESC LIMIT $" + std::to_string(params.size());
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
    page.next_cursor = EncodeCursor({page.items.back().published_at, page.items.back().id});
  }
  return page;
}

}  // namespace tribune::news
