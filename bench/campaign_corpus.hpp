// The campaign benchmark's corpus (tribune_campaign_eval): one day of comments on a news site, built from a
// fixed seed with its own PRNG, so every run and machine sees the same timeline.
//
// Organic: the tweets of data/offensive/labeled_train.csv (Davidson et al. 2017, see data/offensive/LICENSE),
// cleaned (no @handles, "RT", URLs; HTML entities decoded; exact duplicates and texts under 20 letters
// dropped), spread over ~200 articles by ~5,000 accounts: most post 1–3 times, a few 10–30 times over hours,
// some pairs argue in reply chains of 3–8 comments; plus stock short phrases ("Great piece", "+1") that many
// accounts post — not a campaign.
// Campaigns: the template families of bench/campaign_templates.txt (read from TRIBUNE_SOURCE_DIR), each
// posted by 5–50 accounts (mostly new, some aged), 1–3 times each, in a burst or a trickle, into 1–5
// articles, sometimes as replies; every post is a paraphrase (slot choices, clause order, greeting and
// sign-off, emoji, typos, case, leet). "Paper" campaigns paraphrase harder: at least half of the words differ
// from the template's plain rendering.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tribune::bench {

struct Post {
  int64_t time_us = 0;
  int64_t account_id = 0;
  int64_t account_created_us = 0;
  int64_t article_id = 0;
  int64_t parent_author_id = 0;  // 0: top-level
  std::string text;
  int campaign = -1;   // index into the campaign list; -1 organic
  bool stock = false;  // organic stock phrase ("Great piece")
};

struct CorpusOptions {
  uint64_t seed = 20260101;
  size_t organic = 0;   // organic comments besides stock phrases; 0: as many as the accounts post
  int accounts = 5000;  // organic accounts
  int articles = 200;
  int campaigns = 48;        // ordinary campaigns (one template family each while families last)
  int paper_campaigns = 10;  // harder campaigns (PaperCampaigns), reported separately
  size_t stock_posts = 400;  // stock short phrases, by as many accounts as post them
  int64_t start_us = 1'780'000'000LL * 1'000'000;  // the day starts here (2026-05-28)
  std::string source_dir;                          // repository root; empty: TRIBUNE_SOURCE_DIR
};

struct CampaignInfo {
  std::string family;    // template family name
  std::string language;  // "en", "ru", "fr"
  std::string kind;      // "astroturf", "promo", "fakenews", "boycott", ...
  bool paper = false;    // heavier paraphrase
  bool burst = false;    // all within 5–40 minutes (else a trickle over 1–12 hours)
  int accounts = 0;
  int posts = 0;
  int aged_accounts = 0;     // accounts older than a week
  double words_changed = 0;  // mean share of words that differ from the plain rendering
  double pair_jaccard = 0;   // mean word-set Jaccard of random pairs of its posts
};

struct Timeline {
  std::vector<Post> posts;  // in time order
  std::vector<CampaignInfo> campaigns;
  size_t tweets_read = 0, tweets_kept = 0;  // organic text pool before and after cleaning
  int organic_accounts = 0, campaign_accounts = 0, reply_chains = 0;
};

Timeline GenerateTimeline(const CorpusOptions& options);

// Whether a cleaned tweet (tweet_corpus.hpp) has enough text to stand for a comment (20 letters).
bool UsableTweet(const std::string& tweet);

}  // namespace tribune::bench
