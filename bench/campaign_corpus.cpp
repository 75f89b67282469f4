// The campaign benchmark's corpus generator (campaign_corpus.hpp).
#include "campaign_corpus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "campaign_paraphrase.hpp"
#include "tweet_corpus.hpp"

namespace tribune::bench {
namespace {

using namespace campaign_text;  // NOLINT: the corpus's own helpers

constexpr int64_t kSecond = 1'000'000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

}  // namespace

// Enough text to be a comment: tweets under 20 letters (after cleaning) are left out.
bool UsableTweet(const std::string& tweet) {
  size_t letters = 0;
  for (char c : tweet) letters += campaign_text::IsAsciiLetter(c) ? 1 : 0;
  return letters >= 20;
}

namespace {

// ---------------------------------------------------------------------------------------------------------
// The timeline.

struct Article {
  int64_t id;
  int64_t published_us;
  double weight;
};

size_t PickWeighted(const std::vector<double>& cumulative, Rng& rng) {
  const double x = rng.Real() * cumulative.back();
  return static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
}

}  // namespace

Timeline GenerateTimeline(const CorpusOptions& o) {
  const std::filesystem::path root =
      std::filesystem::path(o.source_dir.empty() ? std::string(TRIBUNE_SOURCE_DIR) : o.source_dir);
  Timeline tl;
  Rng rng(o.seed);
  const int64_t day_end = o.start_us + kDay;
  auto clamp_time = [&](int64_t t) { return std::clamp(t, o.start_us, day_end - 1); };

  // Organic text pool.
  std::vector<std::string> tweets = LoadTweets(root.string());
  tl.tweets_read = tweets.size();
  std::vector<std::string> pool;
  std::unordered_set<std::string> seen;
  for (std::string& tw : tweets)
    if (UsableTweet(tw) && seen.insert(tw).second) pool.push_back(std::move(tw));
  tl.tweets_kept = pool.size();
  rng.Shuffle(pool);
  size_t next_text = 0;

  const Templates t = ReadTemplates(root / "bench" / "campaign_templates.txt");

  // Articles: Zipf-like popularity, published from 8 h before the day to 20 h into it.
  std::vector<Article> articles;
  std::vector<double> cumulative;
  for (int a = 0; a < o.articles; ++a) {
    articles.push_back({100 + a, o.start_us + rng.Range(-8 * kHour, 20 * kHour), 1.0 / std::pow(a + 1, 0.9)});
    cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + articles.back().weight);
  }
  auto comment_time = [&](const Article& a) {  // interest decays after publication
    for (int k = 0; k < 10; ++k) {
      const int64_t tm = std::max(a.published_us, o.start_us) + static_cast<int64_t>(rng.Exp(3.0 * kHour));
      if (tm < day_end) return tm;
    }
    return o.start_us + static_cast<int64_t>(rng.Below(kDay));
  };

  // Organic accounts and their posts (text assigned later, in time order).
  struct Plan {
    int64_t time_us, account, created_us, article, parent_author = 0;
    int chain = -1;
  };
  std::vector<Plan> organic;
  std::vector<int64_t> created(static_cast<size_t>(o.accounts));
  const int64_t first_account = 1000;
  for (int i = 0; i < o.accounts; ++i) {
    const double age = rng.Real();
    created[static_cast<size_t>(i)] =
        age < 0.85
            ? o.start_us - static_cast<int64_t>(8 * kDay * std::pow(180.0, rng.Real()))  // 8 days – 4 years
        : age < 0.95 ? o.start_us - rng.Range(kDay, 7 * kDay)
                     : o.start_us - rng.Range(0, kDay);
    const int64_t id = first_account + i;
    if (rng.Chance(0.04)) {  // a regular: 10–30 comments over 2–12 hours, 1–5 threads
      const int n = static_cast<int>(rng.Range(10, 30));
      const int64_t len = rng.Range(2 * kHour, 12 * kHour), start = o.start_us + rng.Range(0, kDay - len);
      std::vector<size_t> threads;
      for (int k = static_cast<int>(rng.Range(1, 5)); k > 0; --k)
        threads.push_back(PickWeighted(cumulative, rng));
      for (int k = 0; k < n; ++k)
        organic.push_back(
            {start + rng.Range(0, len), id, created[static_cast<size_t>(i)], articles[rng.Pick(threads)].id});
    } else {
      const double r = rng.Real();
      const int n = r < 0.55 ? 1 : r < 0.83 ? 2 : 3;
      const Article* a = &articles[PickWeighted(cumulative, rng)];
      int64_t tm = comment_time(*a);
      for (int k = 0; k < n; ++k) {
        if (k > 0 && rng.Chance(0.2)) a = &articles[PickWeighted(cumulative, rng)], tm = comment_time(*a);
        organic.push_back({clamp_time(tm), id, created[static_cast<size_t>(i)], a->id});
        tm += kMinute + static_cast<int64_t>(rng.Exp(25.0 * kMinute));
      }
    }
  }
  // Reply chains: two accounts answering each other 3–8 times.
  const int chains = std::max(1, o.accounts / 40);
  for (int c = 0; c < chains; ++c) {
    const size_t x = rng.Below(created.size()), y = (x + 1 + rng.Below(created.size() - 1)) % created.size();
    const Article& a = articles[PickWeighted(cumulative, rng)];
    int64_t tm = comment_time(a);
    for (int k = 0, n = static_cast<int>(rng.Range(3, 8)); k < n; ++k) {
      const size_t me = k % 2 ? y : x, other = k % 2 ? x : y;
      organic.push_back({clamp_time(tm), first_account + static_cast<int64_t>(me), created[me], a.id,
                         k == 0 ? 0 : first_account + static_cast<int64_t>(other), c});
      tm += 30 * kSecond + static_cast<int64_t>(rng.Exp(4.0 * kMinute));
    }
  }
  tl.reply_chains = chains;
  // --organic N: drop posts at random, or add posts to random accounts.
  if (o.organic > 0) {
    rng.Shuffle(organic);
    while (organic.size() > o.organic) organic.pop_back();
    while (organic.size() < o.organic) {
      Plan p = rng.Pick(organic);
      p.time_us = clamp_time(p.time_us + rng.Range(-2 * kHour, 2 * kHour));
      p.parent_author = 0, p.chain = -1;
      organic.push_back(p);
    }
  }
  std::set<int64_t> organic_ids;
  for (const Plan& p : organic) organic_ids.insert(p.account);
  tl.organic_accounts = static_cast<int>(organic_ids.size());

  std::vector<Post> posts;
  for (const Plan& p : organic) {
    if (next_text >= pool.size()) {
      std::fprintf(stderr, "tribune_campaign_eval: organic text pool exhausted at %zu posts\n", posts.size());
      break;
    }
    posts.push_back(
        {p.time_us, p.account, p.created_us, p.article, p.parent_author, pool[next_text++], -1, false});
    if (p.chain < 0 && rng.Chance(0.3)) posts.back().parent_author_id = -1;  // a reply: parent chosen below
  }
  // Stock phrases by many accounts.
  for (size_t k = 0; k < o.stock_posts && !t.stock.empty(); ++k) {
    const size_t i = rng.Below(created.size());
    const Article& a = articles[PickWeighted(cumulative, rng)];
    std::string text = rng.Pick(t.stock);
    if (rng.Chance(0.2)) text += "!";
    if (rng.Chance(0.15)) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    posts.push_back({comment_time(a), first_account + static_cast<int64_t>(i), created[i], a.id,
                     rng.Chance(0.3) ? -1 : 0, std::move(text), -1, true});
  }

  // Campaigns.
  std::vector<const Family*> regular, paper;
  for (const Family& f : t.families) (f.paper ? paper : regular).push_back(&f);
  rng.Shuffle(regular);
  rng.Shuffle(paper);
  int64_t next_account = first_account + o.accounts + 100000;
  for (int c = 0; c < o.campaigns + o.paper_campaigns; ++c) {
    const bool is_paper = c >= o.campaigns;
    const auto& families = is_paper ? paper : regular;
    if (families.empty()) Die(std::string("no ") + (is_paper ? "@paper" : "@family") + " templates");
    const size_t idx = static_cast<size_t>(is_paper ? c - o.campaigns : c);
    const Family& f = Freeze(*families[idx % families.size()], is_paper, rng);
    CampaignInfo info{
        f.name + (idx >= families.size() ? "#" + std::to_string(idx / families.size() + 1) : ""), f.language,
        f.kind, is_paper};
    const double bucket = rng.Real();
    info.accounts = static_cast<int>(bucket < 0.4    ? rng.Range(5, 9)
                                     : bucket < 0.75 ? rng.Range(10, 19)
                                                     : rng.Range(20, 50));
    info.burst = rng.Chance(0.5);
    const int64_t len = info.burst ? rng.Range(5 * kMinute, 40 * kMinute) : rng.Range(kHour, 12 * kHour);
    const int64_t start = o.start_us + rng.Range(0, kDay - len - kHour);
    std::vector<int64_t> targets;
    for (int k = static_cast<int>(rng.Range(1, 5)); k > 0; --k)
      targets.push_back(articles[PickWeighted(cumulative, rng)].id);
    const size_t first_post = posts.size();
    for (int m = 0; m < info.accounts; ++m) {
      const int64_t id = next_account++;
      const bool aged = rng.Chance(0.25);
      info.aged_accounts += aged ? 1 : 0;
      int64_t tm = start + rng.Range(0, len);
      const int64_t born =
          aged ? start - rng.Range(30 * kDay, 3 * 365 * kDay) : start - rng.Range(10 * kMinute, 6 * kDay);
      const double r = rng.Real();
      for (int k = 0, n = r < 0.6 ? 1 : r < 0.88 ? 2 : 3; k < n; ++k) {
        Paraphrase p = MakeParaphrase(f, t, rng);
        info.words_changed += WordsChanged(p.text, p.plain);
        posts.push_back({clamp_time(tm), id, born, rng.Pick(targets), rng.Chance(0.25) ? -1 : 0,
                         std::move(p.text), c, false});
        tm += rng.Range(kMinute, 30 * kMinute);
      }
    }
    info.posts = static_cast<int>(posts.size() - first_post);
    info.words_changed /= info.posts;
    for (int k = 0; k < 50; ++k)
      info.pair_jaccard += WordJaccard(posts[first_post + rng.Below(info.posts)].text,
                                       posts[first_post + rng.Below(info.posts)].text) /
                           50;
    tl.campaign_accounts += info.accounts;
    tl.campaigns.push_back(std::move(info));
  }

  // Time order; then replies (-1) get the author of an earlier comment in the same thread.
  std::stable_sort(posts.begin(), posts.end(),
                   [](const Post& a, const Post& b) { return a.time_us < b.time_us; });
  std::map<int64_t, std::vector<int64_t>> authors;  // article → authors so far
  for (Post& p : posts) {
    auto& seen_authors = authors[p.article_id];
    if (p.parent_author_id == -1) {
      p.parent_author_id = 0;
      for (int k = 0; k < 4 && !seen_authors.empty(); ++k)
        if (int64_t who = rng.Pick(seen_authors); who != p.account_id) {
          p.parent_author_id = who;
          break;
        }
    }
    seen_authors.push_back(p.account_id);
  }
  tl.posts = std::move(posts);
  return tl;
}

}  // namespace tribune::bench
