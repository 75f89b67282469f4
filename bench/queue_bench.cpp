// The moderators' queue (QueueService::List) on a real SQLite file.
//
// Builds 100,000 held (pending) comments (env TRIBUNE_QUEUE_COMMENTS) over 1,000 articles (10 % of them in a
// second edition, "de") by 1,000 authors, each with an engine decision record naming one of five rules (one of
// them, "privacy", on 1 % only), plus 50 % as many published comments by the same authors (so that the author
// history counts real rows), open reports on 1 % and blocks on 1 % of the accounts. Rows go straight into the
// schema with SQL in transactions of 10,000.
//
// Then measures 50-item pages: the first page, pages deep in the queue (random keyset cursors over the whole
// queue), the rule filter (a common and a rare rule) and the edition filter, at random cursors too. Each
// iteration is timed on its own; p50/p90/p99/max are reported as counters in microseconds. Nothing is asserted.
// TRIBUNE_QUEUE_KEEP=1 keeps the database (its directory is printed) for EXPLAIN QUERY PLAN by hand.
#include <benchmark/benchmark.h>

#include "latency.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/cursor.hpp"
#include "discussion/queue.hpp"
#include "storage/database.hpp"

namespace {

using namespace tribune;
namespace fs = std::filesystem;

constexpr int kPage = 50;
constexpr int kAccounts = 1000;
constexpr int kArticles = 1000;
constexpr int kBatch = 10000;
const char* const kRules[] = {"insult", "spam", "flash_mob", "off_topic", "trolling"};

struct Env {
  fs::path dir;
  SystemClock clock;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<discussion::QueueService> queue;
  std::vector<int64_t> pending;  // ids, oldest first
  std::vector<std::string> deep;  // cursors anywhere in the queue
  double fill_seconds = 0;
  ~Env() {
    queue.reset();
    if (db) db->Close();
    std::error_code ec;
    if (!dir.empty() && std::getenv("TRIBUNE_QUEUE_KEEP") == nullptr) fs::remove_all(dir, ec);
  }
};

void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_queue_bench: %s\n", what.c_str());
  std::exit(1);
}
void Must(Status st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.error().message);
}
Status Exec(storage::Session& s, std::string_view sql, const storage::Params& p) {
  auto r = s.Exec(sql, p);
  if (!r.ok()) return std::move(r).error();
  return Ok{};
}

Env* g_env = nullptr;

Env& Get() {
  if (g_env != nullptr) return *g_env;
  auto* e = new Env();
  std::string tmpl = (fs::temp_directory_path() / "tribune-queue-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
  e->dir = tmpl;
  const char* n_env = std::getenv("TRIBUNE_QUEUE_COMMENTS");
  const int64_t n = n_env ? std::max<int64_t>(1000, std::atoll(n_env)) : 100000;
  auto db = storage::OpenSqlite({.path = (e->dir / "tribune.db").string()});
  if (!db.ok()) Die("open: " + db.error().message);
  e->db = std::move(db).value();
  e->queue = std::make_unique<discussion::QueueService>(*e->db, e->clock, nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  const int64_t now = e->clock.NowMicros();
  std::mt19937_64 rng(42);
  Must(e->db->Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(Exec(s, "INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0),"
                        " ('de', 'D', 'de', 0)", {}));
    for (int64_t a = 1; a <= kAccounts; ++a) {
      TRIBUNE_TRY(Exec(s, "INSERT INTO accounts (id, email, display_name, password_hash, status, created_at)"
                          " VALUES ($1, $2, $3, 'x', $4, 0)",
                       {a, "r" + std::to_string(a) + "@bench.invalid", "Reader " + std::to_string(a),
                        std::string(a % 100 == 0 ? "blocked" : "active")}));
      if (a % 100 == 0) {
        TRIBUNE_TRY(Exec(s, "INSERT INTO account_blocks (account_id, number, rule, final, blocked_by, created_at)"
                            " VALUES ($1, 1, 'spam', 0, 1, 0)", {a}));
      }
    }
    for (int64_t art = 1; art <= kArticles; ++art) {
      TRIBUNE_TRY(Exec(s, "INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                          " created_at, updated_at) VALUES ($1, $2, $3, $4, 'en', $3, 0, 0, 0)",
                       {art, std::string(art % 10 == 0 ? "de" : "en"), "article-" + std::to_string(art),
                        "Article number " + std::to_string(art)}));
    }
    return Ok{};
  }), "accounts and articles");

  // Pending and published comments interleaved in time (ids grow with time); 1 in 3 is published.
  const int64_t total = n + n / 2;
  int64_t report_id = 1;
  for (int64_t start = 0; start < total; start += kBatch) {
    const int64_t end = std::min(total, start + kBatch);
    Must(e->db->Write([&](storage::Session& s) -> Status {
      for (int64_t i = start; i < end; ++i) {
        const int64_t id = 1'000'000 + i;
        const int64_t article = 1 + static_cast<int64_t>(rng() % kArticles);
        const int64_t author = 1 + static_cast<int64_t>(rng() % kAccounts);
        const bool pending = i % 3 != 2;
        const int64_t created = now - (total - i) * 1'000'000;
        const std::string body = "Comment " + std::to_string(i) + " with some words to read and judge.";
        TRIBUNE_TRY(Exec(s, "INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
                            " VALUES ($1, $2, $3, $4, $4, $5, $6)",
                         {article, id, author, body, std::string(pending ? "pending" : "published"), created}));
        if (!pending) continue;
        e->pending.push_back(id);
        const size_t k = e->pending.size();
        const char* rule = k % 100 == 0 ? "privacy" : kRules[k % std::size(kRules)];
        TRIBUNE_TRY(Exec(s, "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action,"
                            " engine, findings_json, text_sha256, created_at)"
                            " VALUES ($1, $2, $3, $4, 'post', 'hold', 'rules', $5, '', $6)",
                         {id, id, article, author,
                          std::string(R"([{"rule":")") + rule + R"(","score":5E0,"reason":"Held for review.","spans":[[8,12],[20,25]]}])",
                          created}));
        if (k % 100 == 7) {
          for (int64_t r = 0; r < 3; ++r) {
            TRIBUNE_TRY(Exec(s, "INSERT INTO comment_reports (id, comment_id, article_id, reporter_id, rule,"
                                " created_at) VALUES ($1, $2, $3, $4, 'spam', $5)",
                             {report_id++, id, article, 1 + (author + r + 1) % kAccounts, created}));
          }
        }
      }
      return Ok{};
    }), "comments");
  }
  Must(e->db->Write([](storage::Session& s) { return Exec(s, "ANALYZE", {}); }), "analyze");
  if (e->pending.size() < 2 * kPage) Die("too few comments");
  e->fill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uniform_int_distribution<size_t> any(0, e->pending.size() - 2 * kPage);
  for (int i = 0; i < 4096; ++i) e->deep.push_back(EncodeCursor({e->pending[any(rng)]}));
  std::fprintf(stderr, "tribune_queue_bench: %zu pending of %lld comments in %s, filled in %.2f s\n",
               e->pending.size(), static_cast<long long>(total), e->dir.c_str(), e->fill_seconds);
  g_env = e;
  return *e;
}


// Pages of the pending queue with `rule` and `edition` filters; deep: at random cursors, else the first page.
void Pages(benchmark::State& state, const std::string& rule, const std::string& edition, bool deep) {
  Env& env = Get();
  std::vector<double> us;
  us.reserve(1 << 16);
  size_t i = 0;
  int64_t items = 0;
  for (auto _ : state) {
    discussion::QueueQuery q;
    q.rule = rule;
    q.edition = edition;
    q.limit = kPage;
    if (deep) q.cursor = env.deep[i++ % env.deep.size()];
    const auto t0 = std::chrono::steady_clock::now();
    {
      auto page = env.queue->List(q);
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
  state.counters["queue_size"] = static_cast<double>(env.pending.size());
  state.counters["fill_s"] = env.fill_seconds;
}

void BM_QueueFirstPage(benchmark::State& s) { Pages(s, "", "", false); }
void BM_QueueDeepPage(benchmark::State& s) { Pages(s, "", "", true); }
void BM_QueueRuleFirstPage(benchmark::State& s) { Pages(s, "spam", "", false); }
void BM_QueueRuleDeepPage(benchmark::State& s) { Pages(s, "spam", "", true); }          // 20 % of the queue
void BM_QueueRareRuleDeepPage(benchmark::State& s) { Pages(s, "privacy", "", true); }   // 1 %
void BM_QueueEditionFirstPage(benchmark::State& s) { Pages(s, "", "de", false); }
void BM_QueueEditionDeepPage(benchmark::State& s) { Pages(s, "", "de", true); }         // 10 %

BENCHMARK(BM_QueueFirstPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueDeepPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueRuleFirstPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueRuleDeepPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueRareRuleDeepPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueEditionFirstPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueEditionDeepPage)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete g_env;
  return 0;
}
