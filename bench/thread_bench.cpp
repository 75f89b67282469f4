// Service-level benchmarks of discussions on a real SQLite file.
//
// Builds one article with a big thread (default 100,000 comments; env TRIBUNE_BENCH_COMMENTS) by
// inserting rows straight into the schema of migrations/sqlite/0001_init.sql through Database::Write
// in batches, then measures CommentService::List on 50-comment pages at random deep cursors, and
// CommentService::Post from 1 and 64 threads (group commit, durable before it returns).
//
// Every iteration of a page benchmark is timed on its own; p50/p90/p99/max of those times are
// reported as counters (microseconds). Nothing here asserts a time: the numbers are reported.
//
// Env: TRIBUNE_BENCH_DIR=DIR  keep the database in DIR (created; must not hold a tribune.db yet) and
//                             write DIR/article_id, DIR/deep_cursors.txt (1000 oldest-sort cursors in the
//                             last 10 % of the thread) and DIR/deep_cursors_distinct.txt (200,000 distinct
//                             positions in the same range, so that every request misses a page cache) for
//                             the HTTP run in bench/run. Without it a temporary directory is used and removed.
//      TRIBUNE_BENCH_COMMENTS=N  thread size (default 100000).
#include <benchmark/benchmark.h>

#include "latency.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.hpp"
#include "common/cursor.hpp"
#include "common/ids.hpp"
#include "discussion/discussion.hpp"
#include "moderation/engine.hpp"
#include "storage/database.hpp"
#include "text/markdown.hpp"

namespace {

using namespace tribune;
namespace fs = std::filesystem;

constexpr int kPage = 50;
constexpr int kAccounts = 1000;
constexpr int kBatch = 5000;  // rows per Database::Write

struct Thread {
  int64_t id = 0;
  std::string status;
  int64_t reply_count = 0;
};

struct Env {
  fs::path dir;
  bool keep = false;
  SystemClock clock;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<moderation::MinimalEngine> engine;
  std::unique_ptr<discussion::CommentService> comments;
  int64_t article_id = 0;       // the big thread
  int64_t post_article_id = 0;  // where the post benchmarks write
  int64_t author_id = 0;        // first account; posts as this one
  std::vector<Thread> rows;     // the big thread, in id order
  std::vector<std::string> deep_oldest, deep_newest, deep_top;
  double fill_seconds = 0;

  ~Env() {
    if (db) db->Close();
    if (!keep && !dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
};

void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}
void Must(Status st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.error().message);
}

// A comment-like text of varying length (roughly 60-420 bytes) with a little Markdown.
std::string BodyFor(std::mt19937_64& rng, int64_t n) {
  static const char* const kWords[] = {"the",    "minister", "said",   "council", "*really*", "budget", "vote",
                                       "people", "should",   "read",   "report",  "again",    "city",   "water",
                                       "prices", "why",      "**not**", "agree",  "source",   "today"};
  std::string s = "Comment " + std::to_string(n) + ":";
  const int words = 10 + static_cast<int>(rng() % 60);
  for (int i = 0; i < words; ++i) {
    s += ' ';
    s += kWords[rng() % std::size(kWords)];
  }
  s += '.';
  return s;
}

Env* g_env = nullptr;

Env& Get() {
  if (g_env != nullptr) return *g_env;
  g_env = [] {
    auto* e = new Env();
    const char* keep_dir = std::getenv("TRIBUNE_BENCH_DIR");
    if (keep_dir != nullptr && *keep_dir != '\0') {
      e->dir = keep_dir;
      e->keep = true;
      fs::create_directories(e->dir);
      if (fs::exists(e->dir / "tribune.db")) Die(e->dir.string() + "/tribune.db exists already");
    } else {
      std::string tmpl = (fs::temp_directory_path() / "tribune-bench-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
      e->dir = tmpl;
    }
    const char* n_env = std::getenv("TRIBUNE_BENCH_COMMENTS");
    const int64_t n = n_env ? std::max<int64_t>(1000, std::atoll(n_env)) : 100000;

    e->db = Must(storage::OpenSqlite({.path = (e->dir / "tribune.db").string()}), "open");
    e->ids = std::make_unique<IdGenerator>(e->clock);
    e->engine = std::make_unique<moderation::MinimalEngine>(5000);
    e->comments = std::make_unique<discussion::CommentService>(*e->db, e->clock, *e->ids, *e->engine,
                                                                discussion::DiscussionOptions{});
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t now = e->clock.NowMicros();
    std::mt19937_64 rng(42);

    // Edition, accounts (with the reader role), the two articles.
    std::vector<int64_t> accounts;
    for (int i = 0; i < kAccounts; ++i) accounts.push_back(e->ids->Next());
    e->author_id = accounts[0];
    e->article_id = e->ids->Next();
    e->post_article_id = e->ids->Next();
    Must(e->db->Write([&](storage::Session& s) -> Status {
      auto ed = s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'Tribune', 'en', $1)"
                       " ON CONFLICT (id) DO NOTHING",
                       {now});
      if (!ed.ok()) return std::move(ed).error();
      for (int i = 0; i < kAccounts; ++i) {
        auto r = s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, status, confirmed_at, created_at)"
                        " VALUES ($1, $2, $3, 'x', 'active', $4, $4)",
                        {accounts[i], "reader" + std::to_string(i) + "@bench.invalid", "Reader " + std::to_string(i), now});
        if (!r.ok()) return std::move(r).error();
        r = s.Exec("INSERT INTO account_roles (account_id, role) VALUES ($1, 'reader')", {accounts[i]});
        if (!r.ok()) return std::move(r).error();
      }
      for (int64_t id : {e->article_id, e->post_article_id}) {
        const std::string slug = "bench-" + std::to_string(id);
        auto r = s.Exec("INSERT INTO articles (id, edition_id, slug, title, lead, body, section, language, short_code,"
                        " published_at, created_at, updated_at) VALUES ($1, 'en', $2, $3, 'Lead.', 'Body.', 'world',"
                        " 'en', $4, $5, $5, $5)",
                        {id, slug, "Bench thread " + std::to_string(id), "b" + std::to_string(id), now});
        if (!r.ok()) return std::move(r).error();
      }
      return Ok{};
    }), "insert accounts and articles");

    // The thread, planned in memory first so that reply counts are final when rows are inserted:
    // every 5th comment replies to one of the 200 before it; 2 % are deleted tombstones and 2.5 %
    // pending (held) comments that anonymous readers do not see.
    struct Planned {
      int64_t id;
      std::optional<int64_t> parent;
      int64_t author;
      std::string status;
      int64_t reply_count = 0;
      int64_t created_at;
    };
    // One comment a second up to now; ids come from the clock of each comment's creation, as they would
    // have on a live site (so they are spread out, not consecutive).
    std::vector<Planned> plan;
    plan.reserve(static_cast<size_t>(n));
    FakeClock posted_at(now);
    IdGenerator thread_ids(posted_at);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t created_at = now - (n - i) * 1000000;
      posted_at.Set(created_at);
      Planned p{thread_ids.Next(), std::nullopt, accounts[rng() % kAccounts], "published", 0, created_at};
      if (i % 50 == 7) p.status = "deleted";
      else if (i % 40 == 3) p.status = "pending";
      if (i > 0 && i % 5 == 0) {
        const int64_t j = std::max<int64_t>(0, i - 1 - static_cast<int64_t>(rng() % 200));
        p.parent = plan[static_cast<size_t>(j)].id;
        plan[static_cast<size_t>(j)].reply_count++;
      }
      plan.push_back(std::move(p));
    }
    int64_t published = 0;
    for (const auto& p : plan) published += p.status == "published";
    for (int64_t start = 0; start < n; start += kBatch) {
      const int64_t end = std::min(n, start + kBatch);
      Must(e->db->Write([&](storage::Session& s) -> Status {
        for (int64_t i = start; i < end; ++i) {
          const Planned& p = plan[static_cast<size_t>(i)];
          std::string body = p.status == "deleted" ? "" : BodyFor(rng, i);
          std::string html = body.empty() ? "" : text::RenderMarkdown(body);
          storage::Value parent = p.parent ? storage::Value(*p.parent) : storage::Value(nullptr);
          storage::Value deleted_at = p.status == "deleted" ? storage::Value(p.created_at) : storage::Value(nullptr);
          auto r = s.Exec(
              "INSERT INTO comments (article_id, id, parent_id, author_id, body, body_html, status, reply_count,"
              " created_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
              {e->article_id, p.id, parent, p.author, std::move(body), std::move(html), p.status, p.reply_count,
               p.created_at, deleted_at});
          if (!r.ok()) return std::move(r).error();
        }
        return Ok{};
      }), "insert comments");
    }
    Must(e->db->Write([&](storage::Session& s) -> Status {
      auto r = s.Exec("UPDATE articles SET comment_count = $2 WHERE id = $1", {e->article_id, published});
      if (!r.ok()) return std::move(r).error();
      r = s.Exec("ANALYZE");  // what a long-running site has after `PRAGMA optimize`; plans below may depend on it
      if (!r.ok()) return std::move(r).error();
      return Ok{};
    }), "update article");
    e->fill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    for (const auto& p : plan) e->rows.push_back({p.id, p.status, p.reply_count});

    // Deep cursors: the last 10 % of the thread in each order, leaving room for a full page.
    std::vector<const Thread*> visible;  // what an anonymous reader pages through
    for (const auto& r : e->rows)
      if (r.status != "pending") visible.push_back(&r);
    const size_t v = visible.size();
    std::uniform_int_distribution<size_t> deep_end(v * 9 / 10, v - 2 * kPage);
    std::uniform_int_distribution<size_t> deep_start(2 * kPage, v / 10);
    std::vector<const Thread*> top = visible;
    std::stable_sort(top.begin(), top.end(), [](const Thread* a, const Thread* b) {
      return a->reply_count != b->reply_count ? a->reply_count > b->reply_count : a->id < b->id;
    });
    for (int i = 0; i < 4096; ++i) {
      e->deep_oldest.push_back(EncodeCursor({visible[deep_end(rng)]->id}));
      e->deep_newest.push_back(EncodeCursor({visible[deep_start(rng)]->id}));
      const Thread* t = top[deep_end(rng)];
      e->deep_top.push_back(EncodeCursor({t->reply_count, t->id}));
    }
    if (e->keep) {
      std::ofstream(e->dir / "article_id") << e->article_id << "\n";
      std::ofstream cursors(e->dir / "deep_cursors.txt");
      for (size_t i = 0; i < 1000; ++i) cursors << e->deep_oldest[i] << "\n";
      // Distinct cursors for pages nobody asked for yet (a page cache cannot answer them): any id is a
      // valid position for the oldest sort, so draw distinct integers between the same deep bounds.
      const int64_t lo = visible[v * 9 / 10]->id, hi = visible[v - 2 * kPage]->id;
      std::uniform_int_distribution<int64_t> any_deep(lo, hi);
      std::unordered_set<int64_t> seen;
      std::ofstream fresh(e->dir / "deep_cursors_distinct.txt");
      const size_t want = static_cast<size_t>(std::min<int64_t>(200000, (hi - lo) / 4));
      while (seen.size() < want) {
        const int64_t id = any_deep(rng);
        if (seen.insert(id).second) fresh << EncodeCursor({id}) << "\n";
      }
    }
    std::fprintf(stderr, "tribune_bench: %lld comments (%lld published) in %s, filled in %.2f s\n",
                 static_cast<long long>(n), static_cast<long long>(published), e->dir.c_str(), e->fill_seconds);
    return e;
  }();
  return *g_env;
}


// Reads pages of the big thread; cursors == nullptr reads the first page.
void ReadPages(benchmark::State& state, discussion::Sort sort, const std::vector<std::string>* cursors) {
  Env& env = Get();
  std::vector<double> us;
  us.reserve(1 << 16);
  size_t i = 0;
  int64_t items = 0;
  for (auto _ : state) {
    discussion::ListQuery q;
    q.article_id = env.article_id;
    q.sort = sort;
    q.limit = kPage;
    if (cursors) q.cursor = (*cursors)[i++ % cursors->size()];
    const auto t0 = std::chrono::steady_clock::now();
    {
      auto page = env.comments->List(q);
      if (!page.ok()) {
        state.SkipWithError(page.error().message.c_str());
        break;
      }
      items += static_cast<int64_t>(page->items.size());
      benchmark::DoNotOptimize(page);
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  tribune::bench::SetLatencyCounters(state, us, items);
  state.counters["thread_size"] = static_cast<double>(env.rows.size());
  state.counters["fill_s"] = env.fill_seconds;
}

void BM_FirstPage(benchmark::State& state) { ReadPages(state, discussion::Sort::kOldest, nullptr); }
void BM_DeepPageOldest(benchmark::State& state) { ReadPages(state, discussion::Sort::kOldest, &Get().deep_oldest); }
void BM_DeepPageNewest(benchmark::State& state) { ReadPages(state, discussion::Sort::kNewest, &Get().deep_newest); }
void BM_DeepPageTop(benchmark::State& state) { ReadPages(state, discussion::Sort::kTop, &Get().deep_top); }

// CommentService::Post, durable when it returns. With 64 threads the writer batches them.
void BM_Post(benchmark::State& state) {
  Env& env = Get();
  static std::atomic<int64_t> failures{0};
  std::mt19937_64 rng(static_cast<uint64_t>(state.thread_index()) + 1);
  int64_t n = 0;
  for (auto _ : state) {
    auto r = env.comments->Post({env.author_id, false}, env.post_article_id,
                                BodyFor(rng, state.thread_index() * 100000000LL + n++), std::nullopt);
    if (!r.ok()) failures++;
  }
  state.SetItemsProcessed(n);
  if (state.thread_index() == 0) state.counters["failures"] = static_cast<double>(failures.load());
}

BENCHMARK(BM_FirstPage)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_DeepPageOldest)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_DeepPageNewest)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_DeepPageTop)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_Post)->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime()->Threads(1);
BENCHMARK(BM_Post)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime()->Threads(64);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Get();  // fill before the first timing, and fail early
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete g_env;  // closes the database; removes the temporary directory unless TRIBUNE_BENCH_DIR kept it
  return 0;
}
