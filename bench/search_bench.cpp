// Search (news::SearchService) over 100,000 generated articles on SQLite, and on PostgreSQL when
// TRIBUNE_BENCH_POSTGRES=<libpq URL> names a server (a throw-away database is created there and dropped after).
//
// Articles: a vocabulary of 50,000 made-up words drawn with a Zipf distribution (s = 1), so a common word is in
// tens of thousands of articles and a rare one in a few hundred; headline 6-12 words, lead 20-40, body lognormal
// (median 300 words, 40-2,000), 2-4 tags. Rows go straight into `articles` with SQL; the index is then built by
// SearchIndex::CatchUp (what a start-up after an import does), timed as articles/s.
//
// Queries (20 results, snippets included, the whole SearchService::Search): one common word (rank 10-60), one
// rare word (rank 5,000-20,000), two words (common + middling), a phrase (two words that follow each other in
// some article), a prefix (the first 4 letters of a word of rank 200-20,000 + *). Each call is timed on its own;
// *RankAll: the common word with SearchOptions::rank_window = 0 (every match ranked), for comparison.
// p50/p90/p99/max are counters in microseconds. TRIBUNE_SEARCH_ARTICLES changes the count; TRIBUNE_SEARCH_KEEP=1
// keeps the SQLite file (its directory is printed) for EXPLAIN QUERY PLAN by hand. Nothing is asserted.
#include <benchmark/benchmark.h>

#include "latency.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "news/news.hpp"
#include "news/search.hpp"
#include "storage/database.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace {

using namespace tribune;
namespace fs = std::filesystem;

constexpr int kVocabulary = 50000;
constexpr int kBatch = 2000;

void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_search_bench: %s\n", what.c_str());
  std::exit(1);
}
void Must(Status st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.error().message);
}

std::string WithDatabase(const std::string& base, const std::string& dbname) {
  const auto scheme = base.find("://");
  const auto query = base.find('?');
  const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string head = base.substr(0, slash == std::string::npos || slash > query ? std::min(query, base.size()) : slash);
  std::string tail = query == std::string::npos ? "" : base.substr(query);
  return head + "/" + dbname + tail;
}

struct Corpus {
  std::vector<std::string> words;  // by rank
  std::vector<double> cumulative;
  std::vector<std::string> phrases;  // "a b" pairs seen in articles (middling words)
  std::mt19937_64 rng{42};

  Corpus() {
    const char* cons[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
                          "br", "st", "tr", "pl", "gr", "ch", "sh", "th"};
    const char* vow[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou"};
    std::set<std::string> seen;
    while (static_cast<int>(words.size()) < kVocabulary) {
      const int syllables = 1 + static_cast<int>(rng() % 4);
      std::string w;
      for (int i = 0; i < syllables; ++i) {
        w += cons[rng() % std::size(cons)];
        w += vow[rng() % std::size(vow)];
      }
      if (rng() % 3 == 0) w += cons[rng() % 18];
      if (w.size() >= 2 && seen.insert(w).second) words.push_back(w);
    }
    // Shorter words are the commoner ones, as in real languages.
    std::stable_sort(words.begin(), words.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    std::shuffle(words.begin(), words.begin() + 2000, rng);
    double sum = 0;
    for (int r = 1; r <= kVocabulary; ++r) cumulative.push_back(sum += 1.0 / r);
  }
  const std::string& Word() {
    const double x = std::uniform_real_distribution<double>(0, cumulative.back())(rng);
    return words[std::lower_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin()];
  }
  std::string Text(int n, bool sentences) {
    std::string out;
    int until_stop = 8 + static_cast<int>(rng() % 12);
    bool capital = true;
    for (int i = 0; i < n; ++i) {
      std::string w = Word();
      if (capital) w[0] = static_cast<char>(w[0] - 'a' + 'A');
      capital = false;
      if (!out.empty()) out += ' ';
      out += w;
      if (sentences && --until_stop == 0) {
        out += rng() % 8 == 0 ? ".\n\n" : ".";
        until_stop = 8 + static_cast<int>(rng() % 12);
        capital = true;
      }
    }
    if (sentences) out += '.';
    return out;
  }
  int BodyWords() {
    const double x = std::lognormal_distribution<double>(std::log(300.0), 0.6)(rng);
    return std::clamp(static_cast<int>(x), 40, 2000);
  }
};

struct Env {
  fs::path dir;
  std::string pg_admin_url, pg_db;
  SystemClock clock;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<news::ArticleService> articles;
  std::unique_ptr<news::SearchService> search;
  std::unique_ptr<news::SearchService> search_full;  // rank_window = 0: every match ranked (the "before")
  Corpus corpus;
  int64_t n = 0;
  double fill_s = 0, index_s = 0;
  ~Env() {
    search.reset();
    search_full.reset();
    articles.reset();
    if (db) db->Close();
    db.reset();
    std::error_code ec;
    if (!dir.empty() && std::getenv("TRIBUNE_SEARCH_KEEP") == nullptr) fs::remove_all(dir, ec);
    if (!pg_db.empty()) {
      auto admin = storage::PgConnection::Open(pg_admin_url);
      if (admin.ok()) (void)(*admin)->ExecScript("DROP DATABASE IF EXISTS " + pg_db);
    }
  }
};

Env* g_env[2] = {nullptr, nullptr};

Env& Get(bool postgres) {
  if (g_env[postgres] != nullptr) return *g_env[postgres];
  auto* e = new Env();
  const char* n_env = std::getenv("TRIBUNE_SEARCH_ARTICLES");
  e->n = n_env ? std::max<int64_t>(1000, std::atoll(n_env)) : 100000;
  if (postgres) {
    e->pg_admin_url = std::getenv("TRIBUNE_BENCH_POSTGRES");
    e->pg_db = "tribune_search_bench_" + std::to_string(::getpid());
    auto admin = storage::PgConnection::Open(e->pg_admin_url);
    if (!admin.ok()) Die("postgres: " + admin.error().message);
    Must((*admin)->ExecScript("CREATE DATABASE " + e->pg_db), "create database");
    auto db = storage::OpenPostgres({.url = WithDatabase(e->pg_admin_url, e->pg_db)});
    if (!db.ok()) Die("open: " + db.error().message);
    e->db = std::move(db).value();
  } else {
    std::string tmpl = (fs::temp_directory_path() / "tribune-search-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
    e->dir = tmpl;
    auto db = storage::OpenSqlite({.path = (e->dir / "tribune.db").string()});
    if (!db.ok()) Die("open: " + db.error().message);
    e->db = std::move(db).value();
  }
  e->ids = std::make_unique<IdGenerator>(e->clock, 0, 0);
  e->articles = std::make_unique<news::ArticleService>(*e->db, e->clock, *e->ids, "en");
  Must(e->articles->EnsureEdition("Bench", "en"), "edition");

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t now = e->clock.NowMicros();
  Corpus& c = e->corpus;
  for (int64_t start = 0; start < e->n; start += kBatch) {
    const int64_t end = std::min(e->n, start + kBatch);
    Must(e->db->Write([&](storage::Session& s) -> Status {
      for (int64_t i = start; i < end; ++i) {
        const int64_t id = 1000 + i;
        const std::string body = c.Text(c.BodyWords(), true);
        if (i % 50 == 0) {  // a phrase that exists: two words that follow each other in this body
          const size_t at = body.find(' ', body.size() / 2);
          const size_t mid = at == std::string::npos ? std::string::npos : body.find(' ', at + 1);
          const size_t stop = mid == std::string::npos ? std::string::npos : body.find_first_of(" .", mid + 1);
          if (stop != std::string::npos) c.phrases.push_back(body.substr(at + 1, stop - at - 1));
        }
        auto r = s.Exec("INSERT INTO articles (id, edition_id, slug, title, lead, body, section, language, short_code,"
                        " published_at, created_at, updated_at) VALUES ($1, 'en', $2, $3, $4, $5, $6, 'en', $2, $7, $7, $7)",
                        {id, "a" + std::to_string(id), c.Text(6 + static_cast<int>(c.rng() % 7), false),
                         c.Text(20 + static_cast<int>(c.rng() % 21), true), body,
                         std::string(i % 3 ? "world" : "business"), now - (e->n - i) * 60'000'000});
        if (!r.ok()) return std::move(r).error();
        const int tags = 2 + static_cast<int>(c.rng() % 3);
        for (int t = 0; t < tags; ++t) {
          auto tr = s.Exec("INSERT INTO article_tags (article_id, tag, position) VALUES ($1, $2, $3)"
                           " ON CONFLICT DO NOTHING",
                           {id, c.words[c.rng() % 2000], int64_t{t}});
          if (!tr.ok()) return std::move(tr).error();
        }
      }
      return Ok{};
    }), "articles");
  }
  const auto t1 = std::chrono::steady_clock::now();
  e->fill_s = std::chrono::duration<double>(t1 - t0).count();
  news::SearchIndex index(e->db->Dialect());
  auto indexed = index.CatchUp(*e->db, 1000);
  if (!indexed.ok()) Die("index: " + indexed.error().message);
  e->index_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  if (postgres) {
    Must(e->db->Write([](storage::Session& s) -> Status {
      auto r = s.Exec("ANALYZE");
      if (!r.ok()) return std::move(r).error();
      return Ok{};
    }), "analyze");
  }
  e->search = std::make_unique<news::SearchService>(*e->db, e->clock, *e->articles,
                                                    news::SearchOptions{.edition = "en", .languages = {"en"}});
  e->search_full = std::make_unique<news::SearchService>(
      *e->db, e->clock, *e->articles, news::SearchOptions{.edition = "en", .languages = {"en"}, .rank_window = 0});
  std::fprintf(stderr, "tribune_search_bench: %lld articles on %s (%s), filled in %.1f s, indexed in %.1f s (%.0f/s)\n",
               static_cast<long long>(*indexed), std::string(e->db->Dialect()).c_str(), e->dir.c_str(), e->fill_s, e->index_s,
               static_cast<double>(*indexed) / e->index_s);
  g_env[postgres] = e;
  return *e;
}

enum class Kind { kCommon, kRare, kTwo, kPhrase, kPrefix };

std::string MakeQuery(Corpus& c, Kind k) {
  auto rank = [&](int lo, int hi) -> const std::string& { return c.words[lo + c.rng() % (hi - lo)]; };
  switch (k) {
    case Kind::kCommon: return rank(10, 60);
    case Kind::kRare: return rank(5000, 20000);
    case Kind::kTwo: return rank(10, 60) + " " + rank(200, 2000);
    case Kind::kPhrase: return "\"" + c.phrases[c.rng() % c.phrases.size()] + "\"";
    case Kind::kPrefix: {
      std::string w = rank(200, 20000);
      for (int i = 0; i < 100 && w.size() < 6; ++i) w = rank(200, 20000);
      return w.substr(0, 4) + "*";
    }
  }
  return "";
}

void Search(benchmark::State& state, Kind kind, bool postgres, bool full = false) {
  if (postgres && std::getenv("TRIBUNE_BENCH_POSTGRES") == nullptr) {
    state.SkipWithError("TRIBUNE_BENCH_POSTGRES is not set");
    return;
  }
  Env& env = Get(postgres);
  std::vector<double> us;
  us.reserve(1 << 14);
  int64_t items = 0, empty = 0;
  for (auto _ : state) {
    const std::string q = MakeQuery(env.corpus, kind);
    const auto t0 = std::chrono::steady_clock::now();
    auto page = (full ? env.search_full : env.search)->Search({.q = q, .limit = 20});
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    if (!page.ok()) {
      state.SkipWithError((q + ": " + page.error().message).c_str());
      break;
    }
    items += static_cast<int64_t>(page->items.size());
    empty += page->items.empty();
  }
  tribune::bench::SetLatencyCounters(state, us, items);
  state.counters["empty_pages"] = static_cast<double>(empty);
  state.counters["articles"] = static_cast<double>(env.n);
  state.counters["index_per_s"] = static_cast<double>(env.n) / env.index_s;
}

void BM_SearchCommonWord(benchmark::State& s) { Search(s, Kind::kCommon, false); }
void BM_SearchRareWord(benchmark::State& s) { Search(s, Kind::kRare, false); }
void BM_SearchTwoWords(benchmark::State& s) { Search(s, Kind::kTwo, false); }
void BM_SearchPhrase(benchmark::State& s) { Search(s, Kind::kPhrase, false); }
void BM_SearchPrefix(benchmark::State& s) { Search(s, Kind::kPrefix, false); }
void BM_SearchCommonWordRankAll(benchmark::State& s) { Search(s, Kind::kCommon, false, true); }
void BM_PgSearchCommonWord(benchmark::State& s) { Search(s, Kind::kCommon, true); }
void BM_PgSearchRareWord(benchmark::State& s) { Search(s, Kind::kRare, true); }
void BM_PgSearchTwoWords(benchmark::State& s) { Search(s, Kind::kTwo, true); }
void BM_PgSearchPhrase(benchmark::State& s) { Search(s, Kind::kPhrase, true); }
void BM_PgSearchPrefix(benchmark::State& s) { Search(s, Kind::kPrefix, true); }
void BM_PgSearchCommonWordRankAll(benchmark::State& s) { Search(s, Kind::kCommon, true, true); }

BENCHMARK(BM_SearchCommonWord)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchRareWord)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchTwoWords)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchPhrase)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchPrefix)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchCommonWordRankAll)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchCommonWord)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchRareWord)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchTwoWords)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchPhrase)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchPrefix)->MinTime(2.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgSearchCommonWordRankAll)->MinTime(2.0)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete g_env[0];
  delete g_env[1];
  return 0;
}
