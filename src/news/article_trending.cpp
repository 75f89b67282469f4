// "Trending" and the view counter: what readers read and discuss now.
//
// The score of an article over the last 24 hours, with a half-life of 6 hours:
//
//   score = Σ_comments 2^(−age/6h) + 0.05 · Σ_view-hours views · 2^(−age/6h)
//
// where each published comment counts with its own age (in 10-minute steps) and each hour of the view log counts
// with the age of the middle of that hour. So a comment posted now weighs 1, one from 6 hours ago 0.5, and twenty
// views weigh as much as one comment: talking about an article says more than opening it. Articles with no
// activity in the window are not trending at all.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

#include "news/news.hpp"

namespace tribune::news {

namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kWindow = 24 * kHour;
constexpr double kHalfLifeHours = 6.0;
constexpr double kViewWeight = 0.05;
constexpr int64_t kBucket = 600'000'000;  // comments are counted in 10-minute steps
constexpr int64_t kCacheMicros = 60'000'000;
// Ids are (milliseconds since 2024-01-01 << 20) | sequence and never below their time (common/ids.hpp):
// every comment created at or after `since` has an id at least this, so the window is one range of the id index.
constexpr int64_t kIdEpochMs = 1'704'067'200'000;

double Decay(int64_t age_micros) {
  return std::exp2(-static_cast<double>(std::max<int64_t>(age_micros, 0)) / kHour / kHalfLifeHours);
}

}  // namespace

Result<std::vector<Article>> ArticleService::Trending(const TrendingQuery& q) {
  const int64_t now = clock_.NowMicros();
  const uint64_t activity = activity_.load(std::memory_order_relaxed);  // before reading: a later change recomputes
  std::string key = q.language + "|" + std::to_string(q.limit);
  for (const auto& l : q.not_languages) key += "|" + l;
  {
    std::lock_guard lock(trending_mu_);
    auto it = trending_cache_.find(key);
    if (it != trending_cache_.end() && it->second.activity == activity && now >= it->second.at &&
        now - it->second.at < kCacheMicros) {
      return it->second.items;
    }
  }
  const int64_t since = now - kWindow;
  const int64_t id_floor = std::max<int64_t>(0, since / 1000 - kIdEpochMs) << 20;
  storage::Params params{edition_, now};
  // The edition's filter is applied to the few groups of the window (CROSS JOIN: SQLite probes articles by
  // primary key per group), not by listing every article of the edition first (3 ms per query at 10,000).
  const std::string articles_where =
      " CROSS JOIN articles a WHERE a.id = g.article_id AND a.edition_id = $1 AND a.published_at <= $2" +
      LanguageClause(q.language, q.not_languages, params);
  // Each query binds exactly its own parameters: the article filter's, then its window.
  storage::Params comment_params = params;
  comment_params.push_back(id_floor);
  const std::string p_floor = "$" + std::to_string(comment_params.size());
  comment_params.push_back(since);
  const std::string p_since = "$" + std::to_string(comment_params.size());
  storage::Params view_params = params;
  view_params.push_back(since / kHour);
  const std::string p_hour = "$" + std::to_string(view_params.size());

  std::unordered_map<int64_t, double> score;
  Result<std::vector<Article>> found = std::vector<Article>{};
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto comments = s.Query("SELECT g.article_id, g.bucket, g.n FROM (SELECT article_id, created_at / " +
                                std::to_string(kBucket) + " AS bucket, COUNT(*) AS n FROM comments WHERE id >= " +
                                p_floor + " AND created_at >= " + p_since +
                                " AND status = 'published' GROUP BY 1, 2) g" + articles_where,
                            comment_params);
    if (!comments.ok()) return std::move(comments).error();
    for (const auto& r : *comments) {
      const int64_t middle = r.Int(1) * kBucket + kBucket / 2;
      score[r.Int(0)] += static_cast<double>(r.Int(2)) * Decay(now - middle);
    }
    auto views = s.Query("SELECT g.article_id, g.hour, g.views FROM article_view_hours g" + articles_where +
                             " AND g.hour >= " + p_hour,
                         view_params);
    if (!views.ok()) return std::move(views).error();
    for (const auto& r : *views) {
      const int64_t middle = r.Int(1) * kHour + kHour / 2;
      score[r.Int(0)] += kViewWeight * static_cast<double>(r.Int(2)) * Decay(now - middle);
    }
    std::vector<std::pair<double, int64_t>> ranked;
    for (const auto& [id, sc] : score) {
      if (sc > 0) ranked.emplace_back(sc, id);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second > b.second;
    });
    if (static_cast<int>(ranked.size()) > q.limit) ranked.resize(std::max(q.limit, 0));
    std::vector<Article> out;
    for (const auto& [sc, id] : ranked) {
      auto one = Load(s, "WHERE id = $1", {id});
      if (!one.ok()) return std::move(one).error();
      for (auto& a : *one) out.push_back(std::move(a));
    }
    found = std::move(out);
    return Ok{};
  }));
  if (!found.ok()) return std::move(found).error();
  std::lock_guard lock(trending_mu_);
  trending_cache_[key] = {now, activity, *found};
  return found;
}

void ArticleService::RecordView(int64_t article_id) {
  const int64_t hour = clock_.NowMicros() / kHour;
  std::lock_guard lock(views_mu_);
  ++pending_views_[{article_id, hour}];
  if (!flusher_.joinable() && !stopping_) {
    flusher_ = std::thread([this] {
      std::unique_lock lock(views_mu_);
      while (!stopping_) {
        views_cv_.wait_for(lock, std::chrono::seconds(2));
        lock.unlock();
        (void)FlushViews();
        lock.lock();
      }
    });
  }
}

Status ArticleService::FlushViews() {
  std::map<std::pair<int64_t, int64_t>, int64_t> batch;
  {
    std::lock_guard lock(views_mu_);
    batch.swap(pending_views_);
  }
  if (batch.empty()) return Ok{};
  Status written = db_.Write([&](storage::Session& s) -> Status {
    for (const auto& [key, n] : batch) {
      TRIBUNE_TRY(s.Exec("UPDATE articles SET views = views + $1 WHERE id = $2", {n, key.first}));
      TRIBUNE_TRY(s.Exec("INSERT INTO article_view_hours (article_id, hour, views) VALUES ($1, $2, $3)"
                         " ON CONFLICT (hour, article_id) DO UPDATE SET views = article_view_hours.views + excluded.views",
                         {key.first, key.second, n}));
    }
    // The log only needs the trending window; older hours go with the next flush.
    TRIBUNE_TRY(s.Exec("DELETE FROM article_view_hours WHERE hour < $1", {clock_.NowMicros() / kHour - 48}));
    return Ok{};
  });
  if (!written.ok()) {  // nothing was written: the views wait for the next flush
    std::lock_guard lock(views_mu_);
    for (const auto& [key, n] : batch) pending_views_[key] += n;
  }
  return written;
}

Status ArticleService::StopViews() {
  {
    std::lock_guard lock(views_mu_);
    stopping_ = true;
  }
  views_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  return FlushViews();
}

ArticleService::~ArticleService() { (void)StopViews(); }

}  // namespace tribune::news
