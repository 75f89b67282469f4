// Start here for search: full text over articles' headlines, tags, leads and bodies, ranked, with highlighted
// snippets, on both backends.
//
//   search_tokens.cpp   words → index terms: ICU word breaks, NFKC case fold, a Snowball stemmer for the
//                       article's language (libstemmer; unknown language: no stemming), then diacritics dropped
//   search_query.cpp    the readers' query syntax (ParseQuery) and its translation to FTS5 MATCH / tsquery text
//   search_snippet.cpp  the excerpt of the best-matching field with <mark>ed words (HTML)
//   search_service.cpp  the index (SearchIndex, an ArticleListener) and the queries (SearchService)
//
// The index stores, per article, the term text of each field (search_documents: the terms separated by
// spaces, the same text on both backends). SQLite indexes it with an FTS5 table (search_fts, ascii
// tokenizer: the terms as they are) ranked by bm25 with column weights; PostgreSQL with a generated tsvector
// (to_tsvector('simple', …), weights A–D) under a GIN index, ranked by ts_rank. See docs/OPERATIONS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "news/news.hpp"
#include "storage/database.hpp"

namespace tribune::news {

// ---- Terms -------------------------------------------------------------------------------------------------

struct SearchToken {
  std::string term;     // what the index stores: folded, stemmed, without diacritics; letters, digits, marks
  uint32_t begin = 0;   // byte range of the word in the text it came from
  uint32_t end = 0;
};

// The index terms of `utf8` (valid UTF-8) for an article in `language` (a BCP 47 tag; its primary subtag picks
// the Snowball stemmer: en, fr, ru, de, es, it, ... — see StemmerLanguages()). `stem = false` folds only (query
// prefixes). Words longer than kMaxTermBytes are left out on both sides. Thread-safe.
std::vector<SearchToken> Tokenize(std::string_view utf8, std::string_view language, bool stem = true);
constexpr size_t kMaxTermBytes = 60;

// The terms of Tokenize joined by single spaces: the text an index field stores.
std::string TermText(std::string_view utf8, std::string_view language);

// The languages libstemmer knows (its sb_stemmer_list names, e.g. "english", "french", plus ISO 639-1 aliases).
std::vector<std::string> StemmerLanguages();

// The body's Markdown as plain text for the index and the snippets: link targets, emphasis marks and heading or
// quote markers become spaces, so every byte of the result lines up with the same byte of the input.
std::string MarkdownPlain(std::string_view markdown);

// ---- Queries -------------------------------------------------------------------------------------------------

// The readers' syntax: words, "quoted phrases", -excluded (a word or a "phrase"), and a trailing * on a word for
// a prefix. Everything else (FTS5 or tsquery operators, brackets, colons, ...) separates words.
struct QueryTerm {
  std::vector<std::string> words;  // as typed (one for a word, one or more for a phrase)
  bool phrase = false;
  bool prefix = false;  // the word ended with *
  bool exclude = false;
};
struct ParsedQuery {
  std::vector<QueryTerm> terms;
};

constexpr size_t kMaxQueryBytes = 256;
constexpr size_t kMaxQueryTerms = 12;
constexpr size_t kMaxPhraseWords = 8;
constexpr size_t kMinPrefixChars = 3;  // "a*" would expand to most of the vocabulary

// Errors (kBadRequest, with a message a reader can act on): empty, longer than kMaxQueryBytes, invalid UTF-8 or
// control characters, an unbalanced quote, more than kMaxQueryTerms terms, nothing to look for but exclusions.
Result<ParsedQuery> ParseQuery(std::string_view q);

// A parsed query with its terms tokenized: every term as the alternative token sequences of its languages.
struct CompiledTerm {
  std::vector<std::vector<std::string>> variants;  // distinct; each a phrase of one or more terms
  bool prefix = false;
  bool exclude = false;
};
struct CompiledQuery {
  std::vector<CompiledTerm> terms;
};

// Tokenizes every term for each of `languages` (the first is the query's own; the others widen the match to the
// site's other editions: a word matches when any language's stem does). Errors: kBadRequest when no term
// to look for is left (e.g. only punctuation), a prefix shorter than kMinPrefixChars, a phrase over kMaxPhraseWords.
Result<CompiledQuery> CompileQuery(const ParsedQuery& parsed, const std::vector<std::string>& languages);

// The FTS5 MATCH expression: every term a quoted string, nothing of the reader's text outside quotes.
std::string Fts5Match(const CompiledQuery& q);
// The tsquery text (for `$n::tsquery`): every lexeme quoted and escaped.
std::string TsQueryText(const CompiledQuery& q);

// ---- Snippets ------------------------------------------------------------------------------------------------

struct SnippetFields {
  std::string_view title, lead, body;  // body as MarkdownPlain
  std::string_view language;
};
// A short excerpt (HTML: escaped text, matched words in <mark>…</mark>) of the field that matches most of the
// query's terms (the lead, then the body, then the headline on ties); the lead's start when none matches.
std::string Snippet(const SnippetFields& fields, const CompiledQuery& query, size_t max_words = 30);

// ---- The index -----------------------------------------------------------------------------------------------

// What a stored document was written by: a change to the tokenizer bumps it and the start-up catch-up
// rewrites every older document. Removed articles keep a row with kRemovedVersion (no terms).
constexpr int64_t kIndexVersion = 1;
constexpr int64_t kRemovedVersion = -1;

// Keeps search_documents (and on SQLite search_fts) in step with the articles, inside each article's write.
class SearchIndex : public ArticleListener {
 public:
  explicit SearchIndex(std::string_view dialect);
  Status Saved(storage::Session& s, const Article& article) override;
  Status Removed(storage::Session& s, int64_t article_id) override;

  // Indexes the articles the index is behind on (none stored yet, or written by an older kIndexVersion), in
  // batches; returns how many. Articles created before the search migration, or written into the database
  // by other means, are found at the next start. Removed articles stay out.
  Result<int64_t> CatchUp(storage::Database& db, int batch = 500);
  // Rewrites every document (tribune search reindex): as CatchUp after forgetting what is stored.
  Result<int64_t> Rebuild(storage::Database& db);

 private:
  bool sqlite_;
};

struct SearchRequest {
  std::string q;
  std::string cursor;  // opaque, from a previous page
  int limit = 20;      // 1..50
  std::string section, tag;
  std::string language;  // "fr" matches "fr" and "fr-CA"; empty: any
  std::vector<std::string> not_languages;  // as ArticleQuery's (the default edition's pages)
};

struct SearchHit {
  Article article;
  std::string snippet;  // HTML
};

struct SearchPage {
  std::vector<SearchHit> items;
  std::optional<std::string> next_cursor;
};

struct SearchOptions {
  std::string edition;                 // the articles' edition
  std::vector<std::string> languages;  // the site's languages, the default edition's first (query stemming)
  int max_offset = 500;                // how deep the pages go (cursor offsets)
  // Ranking window: bm25 / ts_rank order the newest `rank_window` matching articles (all of them when fewer
  // match); 0 ranks every match. A word in most articles would otherwise cost a score per article (~35 ms for
  // 60,000 matches on SQLite): see docs/PERFORMANCE.md, "Search (issue 10)".
  int rank_window = 2000;
};

// Thread-safe.
class SearchService {
 public:
  SearchService(storage::Database& db, const Clock& clock, ArticleService& articles, SearchOptions options);

  // Published articles (published_at <= now) matching every term, best first (ties: newest first), within the
  // ranking window (SearchOptions::rank_window).
  // Errors: kBadRequest (the query, a filter, a cursor this server did not issue).
  Result<SearchPage> Search(const SearchRequest& request);

  // How many published articles match (for the results page); at most `cap`.
  Result<int64_t> Count(const SearchRequest& request, int64_t cap = 1000);

 private:
  struct Plan;
  Result<Plan> Prepare(const SearchRequest& request);

  storage::Database& db_;
  const Clock& clock_;
  ArticleService& articles_;
  SearchOptions options_;
  bool sqlite_;
};

}  // namespace tribune::news
