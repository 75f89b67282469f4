// The search index beside the articles, and the queries over it.
#include <algorithm>

#include "common/cursor.hpp"
#include "news/search.hpp"

namespace tribune::news {

namespace {

// Column weights: a word in the headline counts ten times one in the body (SQLite: bm25's column weights;
// PostgreSQL: ts_rank's {D, C, B, A} = {body, lead, tags, title} in the same proportions).
constexpr const char* kBm25 = "bm25(search_fts, 10.0, 5.0, 3.0, 1.0)";
constexpr const char* kTsWeights = "'{0.1, 0.3, 0.5, 1.0}'::float4[]";

struct Doc {
  int64_t id = 0;
  std::string title, tags, lead, body;
};

Doc MakeDoc(const Article& a) {
  Doc d;
  d.id = a.id;
  d.title = TermText(a.title, a.language);
  for (const auto& t : a.tags) {
    std::string terms = TermText(t, a.language);
    if (terms.empty()) continue;
    if (!d.tags.empty()) d.tags += ' ';
    d.tags += terms;
  }
  d.lead = TermText(a.lead, a.language);
  d.body = TermText(MarkdownPlain(a.body), a.language);
  return d;
}

// Takes the article's current terms out of the FTS5 index (external content: it needs the stored values).
Status UnindexFts(storage::Session& s, int64_t id) {
  TRIBUNE_ASSIGN(auto old, s.Query("SELECT version, title, tags, lead, body FROM search_documents WHERE article_id = $1",
                                   {id}));
  if (old.empty() || old[0].Int(0) == kRemovedVersion) return Ok{};
  TRIBUNE_TRY(s.Exec("INSERT INTO search_fts (search_fts, rowid, title, tags, lead, body)"
                     " VALUES ('delete', $1, $2, $3, $4, $5)",
                     {id, old[0].Text(1), old[0].Text(2), old[0].Text(3), old[0].Text(4)}));
  return Ok{};
}

Status Store(storage::Session& s, bool sqlite, const Doc& d, int64_t version) {
  if (sqlite) TRIBUNE_TRY(UnindexFts(s, d.id));
  TRIBUNE_TRY(s.Exec("INSERT INTO search_documents (article_id, version, title, tags, lead, body)"
                     " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (article_id) DO UPDATE SET version = excluded.version,"
                     " title = excluded.title, tags = excluded.tags, lead = excluded.lead, body = excluded.body",
                     {d.id, version, d.title, d.tags, d.lead, d.body}));
  if (sqlite && version != kRemovedVersion) {
    TRIBUNE_TRY(s.Exec("INSERT INTO search_fts (rowid, title, tags, lead, body) VALUES ($1, $2, $3, $4, $5)",
                       {d.id, d.title, d.tags, d.lead, d.body}));
  }
  return Ok{};
}

// The fields the index needs of the articles `ids`.
Result<std::vector<Article>> LoadForIndex(storage::Session& s, const std::vector<int64_t>& ids) {
  std::vector<Article> out;
  for (int64_t id : ids) {
    TRIBUNE_ASSIGN(auto rows, s.Query("SELECT title, lead, body, language FROM articles WHERE id = $1", {id}));
    if (rows.empty()) continue;
    Article a;
    a.id = id;
    a.title = rows[0].Text(0);
    a.lead = rows[0].Text(1);
    a.body = rows[0].Text(2);
    a.language = rows[0].Text(3);
    TRIBUNE_ASSIGN(auto tags, s.Query("SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY position", {id}));
    for (const auto& t : tags) a.tags.push_back(t.Text(0));
    out.push_back(std::move(a));
  }
  return out;
}

bool IsFilterWord(std::string_view s, size_t max) {
  return s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
         });
}

}  // namespace

SearchIndex::SearchIndex(std::string_view dialect) : sqlite_(dialect == "sqlite") {}

Status SearchIndex::Saved(storage::Session& s, const Article& article) {
  return Store(s, sqlite_, MakeDoc(article), kIndexVersion);
}

Status SearchIndex::Removed(storage::Session& s, int64_t article_id) {
  TRIBUNE_ASSIGN(auto exists, s.Query("SELECT 1 FROM articles WHERE id = $1", {article_id}));
  if (exists.empty()) {  // deleted: nothing to keep a tombstone for
    if (sqlite_) TRIBUNE_TRY(UnindexFts(s, article_id));
    TRIBUNE_TRY(s.Exec("DELETE FROM search_documents WHERE article_id = $1", {article_id}));
    return Ok{};
  }
  return Store(s, sqlite_, Doc{article_id, "", "", "", ""}, kRemovedVersion);
}

Result<int64_t> SearchIndex::CatchUp(storage::Database& db, int batch) {
  int64_t done = 0, after = 0;
  while (true) {
    TRIBUNE_ASSIGN(auto rows, db.Read("SELECT a.id FROM articles a LEFT JOIN search_documents d ON d.article_id = a.id"
                                      " WHERE a.id > $1 AND (d.article_id IS NULL OR (d.version <> $2 AND d.version <> $3))"
                                      " ORDER BY a.id LIMIT $4",
                                      {after, kIndexVersion, kRemovedVersion, int64_t{batch}}));
    if (rows.empty()) return done;
    std::vector<int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.Int(0));
    after = ids.back();
    Result<std::vector<Article>> articles = std::vector<Article>{};
    TRIBUNE_TRY(db.ReadTx([&](storage::Session& s) -> Status {
      articles = LoadForIndex(s, ids);
      return Ok{};
    }));
    if (!articles.ok()) return std::move(articles).error();
    // Tokenized outside the write; the write skips what an edit indexed meanwhile (its terms are newer).
    std::vector<Doc> docs;
    for (const auto& a : *articles) docs.push_back(MakeDoc(a));
    TRIBUNE_TRY(db.Write([&](storage::Session& s) -> Status {
      for (const Doc& d : docs) {
        TRIBUNE_ASSIGN(auto now, s.Query("SELECT version FROM search_documents WHERE article_id = $1", {d.id}));
        if (!now.empty() && (now[0].Int(0) == kIndexVersion || now[0].Int(0) == kRemovedVersion)) continue;
        TRIBUNE_TRY(Store(s, sqlite_, d, kIndexVersion));
      }
      return Ok{};
    }));
    done += static_cast<int64_t>(docs.size());
  }
}

Result<int64_t> SearchIndex::Rebuild(storage::Database& db) {
  TRIBUNE_TRY(db.Write([](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("UPDATE search_documents SET version = 0 WHERE version <> $1", {kRemovedVersion}));
    return Ok{};
  }));
  return CatchUp(db);
}

struct SearchService::Plan {
  CompiledQuery query;
  std::string from_where;  // FROM … WHERE …, without ORDER BY
  std::string filters;     // the " AND …" conditions on articles a (part of from_where)
  storage::Params params;
  int64_t offset = 0;
  int limit = 20;
};

SearchService::SearchService(storage::Database& db, const Clock& clock, ArticleService& articles, SearchOptions options)
    : db_(db), clock_(clock), articles_(articles), options_(std::move(options)), sqlite_(db.Dialect() == "sqlite") {}

Result<SearchService::Plan> SearchService::Prepare(const SearchRequest& r) {
  if (!IsFilterWord(r.section, 64)) return MakeError(ErrorCode::kBadRequest, "section is not a section name.");
  if (r.tag.size() > 256) return MakeError(ErrorCode::kBadRequest, "tag is too long.");
  if (!IsFilterWord(r.language, 12)) return MakeError(ErrorCode::kBadRequest, "lang must be a language tag such as \"fr\".");
  TRIBUNE_ASSIGN(ParsedQuery parsed, ParseQuery(r.q));
  std::vector<std::string> languages;
  if (!r.language.empty()) languages.push_back(r.language);
  languages.insert(languages.end(), options_.languages.begin(), options_.languages.end());
  Plan p;
  TRIBUNE_ASSIGN(p.query, CompileQuery(parsed, languages));
  if (!r.cursor.empty()) {
    auto keys = DecodeCursor(r.cursor, 1);
    if (!keys || (*keys)[0] < 0 || (*keys)[0] > options_.max_offset) {
      return MakeError(ErrorCode::kBadRequest, "cursor is not one this server issued.");
    }
    p.offset = (*keys)[0];
  }
  p.limit = std::clamp(r.limit, 1, 50);
  if (sqlite_) {
    p.params = {Fts5Match(p.query), options_.edition, clock_.NowMicros()};
    p.from_where =
        " FROM search_fts JOIN articles a ON a.id = search_fts.rowid"
        " WHERE search_fts MATCH $1 AND a.edition_id = $2 AND a.published_at <= $3";
  } else {
    p.params = {TsQueryText(p.query), options_.edition, clock_.NowMicros()};
    p.from_where =
        " FROM search_documents d JOIN articles a ON a.id = d.article_id"
        " WHERE d.tsv @@ $1::tsquery AND d.version <> -1 AND a.edition_id = $2 AND a.published_at <= $3";
  }
  p.filters = " AND a.edition_id = $2 AND a.published_at <= $3";
  if (!r.section.empty()) {
    p.params.push_back(r.section);
    p.filters += " AND a.section = $" + std::to_string(p.params.size());
  }
  if (!r.tag.empty()) {
    p.params.push_back(r.tag);
    p.filters += " AND a.id IN (SELECT article_id FROM article_tags WHERE tag = $" + std::to_string(p.params.size()) + ")";
  }
  for (const auto& l : r.not_languages)
    if (!IsFilterWord(l, 12)) return MakeError(ErrorCode::kBadRequest, "lang must be a language tag such as \"fr\".");
  p.filters += LanguageClause(r.language, r.not_languages, p.params);
  p.from_where += p.filters.substr(std::string(" AND a.edition_id = $2 AND a.published_at <= $3").size());
  return p;
}

Result<SearchPage> SearchService::Search(const SearchRequest& request) {
  TRIBUNE_ASSIGN(Plan p, Prepare(request));
  storage::Params params = p.params;
  auto param = [&params](storage::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  const std::string paging = " LIMIT " + param(int64_t{p.limit + 1}) + " OFFSET " + param(p.offset);
  std::string sql;
  if (options_.rank_window <= 0) {
    sql = sqlite_ ? std::string("SELECT a.id") + p.from_where + " ORDER BY " + kBm25 + ", a.id DESC" + paging
                  : std::string("SELECT a.id") + p.from_where + " ORDER BY ts_rank(" + kTsWeights +
                        ", d.tsv, $1::tsquery) DESC, a.id DESC" + paging;
  } else if (sqlite_) {
    // The newest matches come straight off the FTS5 index in rowid (= id, time-ordered) order and the scan stops
    // after the window; bm25 is computed for those rows only.
    sql = std::string("SELECT id FROM (SELECT a.id AS id, ") + kBm25 + " AS score" + p.from_where +
          " ORDER BY search_fts.rowid DESC LIMIT " + param(int64_t{options_.rank_window}) +
          ") AS w ORDER BY score, id DESC" + paging;
  } else {
    // The window's ids first, then ts_rank over those rows only. The matches come from the GIN index (OFFSET 0
    // keeps the planner from walking the articles newest first and testing each one's tsvector: 0.5 s for a term
    // in 150 of 100,000 articles). Few matches (counted up to kFewMatches, from the index): each is checked
    // against its article by primary key (LATERAL ... OFFSET 0 forces that); many: the generic plan's merge join
    // with the articles newest first, which stops once the window is full.
    constexpr int64_t kFewMatches = 5000;
    const std::string gin =
        " FROM (SELECT d.article_id AS id FROM search_documents d WHERE d.tsv @@ $1::tsquery AND d.version <> -1"
        " OFFSET 0) AS m";
    TRIBUNE_ASSIGN(auto counted, db_.Read("SELECT count(*) FROM (SELECT 1" + gin + " LIMIT $2) AS c",
                                          {p.params[0], kFewMatches + 1}));
    const bool few = counted[0].Int(0) <= kFewMatches;
    const std::string window = param(int64_t{options_.rank_window});
    const std::string matches =
        few ? gin + " CROSS JOIN LATERAL (SELECT 1 FROM articles a WHERE a.id = m.id" + p.filters +
                  " OFFSET 0) AS f ORDER BY m.id DESC LIMIT " + window
            : gin + " JOIN articles a ON a.id = m.id WHERE TRUE" + p.filters + " ORDER BY a.id DESC LIMIT " + window;
    sql = "SELECT w.id FROM (SELECT m.id AS id" + matches + ") AS w JOIN search_documents r ON r.article_id = w.id"
          " ORDER BY ts_rank(" + kTsWeights + ", r.tsv, $1::tsquery) DESC, w.id DESC" + paging;
  }
  TRIBUNE_ASSIGN(auto rows, db_.Read(sql, params));
  SearchPage page;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < p.limit; ++i) {
    auto article = articles_.Get(rows[i].Int(0));
    if (!article.ok()) {
      if (article.error().code == ErrorCode::kNotFound) continue;  // deleted since
      return std::move(article).error();
    }
    const std::string plain = MarkdownPlain(article->body);
    SearchHit hit;
    hit.snippet = Snippet({article->title, article->lead, plain, article->language}, p.query);
    hit.article = std::move(article).value();
    page.items.push_back(std::move(hit));
  }
  const int64_t next = p.offset + p.limit;
  if (static_cast<int>(rows.size()) > p.limit && next <= options_.max_offset) page.next_cursor = EncodeCursor({next});
  return page;
}

Result<int64_t> SearchService::Count(const SearchRequest& request, int64_t cap) {
  TRIBUNE_ASSIGN(Plan p, Prepare(request));
  p.params.push_back(cap);
  // PostgreSQL: the matches from the GIN index first, as in Search (a plan testing every tsvector takes 0.5 s).
  const std::string from = sqlite_ ? p.from_where
                                   : " FROM (SELECT d.article_id AS id FROM search_documents d WHERE d.tsv @@ $1::tsquery"
                                     " AND d.version <> -1 OFFSET 0) AS m CROSS JOIN LATERAL (SELECT 1 FROM articles a"
                                     " WHERE a.id = m.id" + p.filters + " OFFSET 0) AS f";
  TRIBUNE_ASSIGN(auto rows, db_.Read("SELECT count(*) FROM (SELECT 1" + from + " LIMIT $" +
                                         std::to_string(p.params.size()) + ") AS c",
                                     p.params));
  return rows[0].Int(0);
}

}  // namespace tribune::news
