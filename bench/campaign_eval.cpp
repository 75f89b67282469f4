// Campaign quality of the behaviour rules: one generated day of comments (campaign_corpus.hpp: organic
// threads from real tweets, stock phrases, 48 paraphrased campaigns of 5–50 accounts and 10 harder ones) fed
// in time order through a BehaviourMonitor, once with the flood limits on and once off.
//
// Per comment: BuildViews → Observe → Assess → hold if any flash_mob signal, else publish → Record; a
// Recorded.to_hold holds earlier members retroactively. Reported: the share of campaign comments caught (held
// at post time or later) by campaign size and for the harder campaigns; the share of organic comments and of
// stock phrases flash_mob flags, and of organic comments flood and trolling signal; time per comment; the
// window at the end. Goal (issue): ≥ 95 % caught, ≤ 0.5 % organic flagged. Numbers are reported, not
// asserted.
//
//   tribune_campaign_eval [--seed N] [--organic N] [--campaigns N] [--paper N] [--accounts N] [--json]
//   [--misses]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "campaign_corpus.hpp"
#include "moderation/behaviour/monitor.hpp"
#include "text/views.hpp"

namespace {

using tribune::bench::CampaignInfo;
using tribune::bench::Post;
using tribune::bench::Timeline;
namespace behaviour = tribune::moderation::behaviour;
using tribune::moderation::Action;
using tribune::moderation::Signal;

struct Share {
  size_t hit = 0, total = 0;
  double Percent() const {
    return total == 0 ? 0 : 100.0 * static_cast<double>(hit) / static_cast<double>(total);
  }
  void Add(bool h) { hit += h ? 1 : 0, ++total; }
};

struct Run {
  bool limits = false;
  std::vector<bool> held_now, held_later, flood, trolling;
  std::vector<double> micros;  // Observe + Assess + Record
  double views_micros = 0;     // BuildViews, mean
  behaviour::BehaviourMonitor::Stats stats;
  // results
  Share caught, caught_now, paper, paper_now, organic_flash, stock_flash, organic_flood, organic_trolling,
      campaign_flood;
  std::map<std::string, Share>
      buckets;  // "5-9", "10-19", "20-50", "burst", "trickle", "english", "french_russian"
  std::vector<Share> per_campaign;
  double mean_us = 0, p99_us = 0, max_us = 0;
};

const char* Bucket(int accounts) { return accounts < 10 ? "5-9" : accounts < 20 ? "10-19" : "20-50"; }

Run Evaluate(const Timeline& tl, bool limits) {
  behaviour::BehaviourOptions options;
  options.limits_enabled = limits;
  // For tuning: TRIBUNE_EVAL_SIMILARITY overrides behaviour.similarity.
  if (const char* s = std::getenv("TRIBUNE_EVAL_SIMILARITY")) options.min_similarity = std::strtod(s, nullptr);
  behaviour::BehaviourMonitor monitor(options);
  Run run;
  run.limits = limits;
  const size_t n = tl.posts.size();
  run.held_now.assign(n, false), run.held_later.assign(n, false), run.flood.assign(n, false);
  run.trolling.assign(n, false);
  run.micros.reserve(n);
  using Clock = std::chrono::steady_clock;
  double views_total = 0;
  std::vector<Signal> signals;
  const std::vector<Signal> content;
  const std::vector<std::string> rules;
  for (size_t i = 0; i < n; ++i) {
    const Post& p = tl.posts[i];
    const auto t0 = Clock::now();
    const tribune::text::TextViews views = tribune::text::BuildViews(p.text, false);
    const auto t1 = Clock::now();
    behaviour::Attempt attempt{p.account_id, p.account_created_us, p.article_id, p.parent_author_id,
                               p.time_us};
    const behaviour::Observation obs = monitor.Observe(attempt, views, "");
    signals.clear();
    monitor.Assess(obs, content, signals);
    bool flash = false;
    for (const Signal& s : signals) {
      flash |= s.rule == "flash_mob";
      run.flood[i] = run.flood[i] || s.rule == "flood";
      run.trolling[i] = run.trolling[i] || s.rule == "trolling";
    }
    run.held_now[i] = flash;
    const behaviour::Recorded r =
        monitor.Record(static_cast<int64_t>(i) + 1, obs, flash ? Action::kHold : Action::kPublish, rules);
    const auto t2 = Clock::now();
    for (int64_t id : r.to_hold)
      if (id >= 1 && static_cast<size_t>(id) <= n && !run.held_now[static_cast<size_t>(id) - 1])
        run.held_later[static_cast<size_t>(id) - 1] = true;
    views_total += std::chrono::duration<double, std::micro>(t1 - t0).count();
    run.micros.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  run.stats = monitor.stats();
  run.views_micros = n ? views_total / static_cast<double>(n) : 0;

  run.per_campaign.resize(tl.campaigns.size());
  for (size_t i = 0; i < n; ++i) {
    const Post& p = tl.posts[i];
    const bool held = run.held_now[i] || run.held_later[i];
    if (p.campaign >= 0) {
      const CampaignInfo& c = tl.campaigns[static_cast<size_t>(p.campaign)];
      run.per_campaign[static_cast<size_t>(p.campaign)].Add(held);
      run.campaign_flood.Add(run.flood[i]);
      if (c.paper) {
        run.paper.Add(held), run.paper_now.Add(run.held_now[i]);
      } else {
        run.caught.Add(held), run.caught_now.Add(run.held_now[i]);
        run.buckets[Bucket(c.accounts)].Add(held);
        run.buckets[c.burst ? "burst" : "trickle"].Add(held);
        run.buckets[c.language == "en" ? "english" : "french_russian"].Add(held);
      }
    } else if (p.stock) {
      run.stock_flash.Add(held);
    } else {
      run.organic_flash.Add(held), run.organic_flood.Add(run.flood[i]),
          run.organic_trolling.Add(run.trolling[i]);
    }
  }
  std::vector<double> sorted = run.micros;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty()) {
    double sum = 0;
    for (double v : sorted) sum += v;
    run.mean_us = sum / static_cast<double>(sorted.size());
    run.p99_us = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
    run.max_us = sorted.back();
  }
  return run;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += c;
  }
  return out;
}

void PrintShareJson(const char* name, const Share& s, bool comma = true) {
  std::printf("\"%s\":{\"hit\":%zu,\"total\":%zu,\"percent\":%.3f}%s", name, s.hit, s.total, s.Percent(),
              comma ? "," : "");
}

void PrintJson(const Timeline& tl, const std::vector<Run>& runs, uint64_t seed) {
  size_t organic = 0, stock = 0, campaign = 0;
  for (const Post& p : tl.posts) (p.campaign >= 0 ? campaign : p.stock ? stock : organic)++;
  std::printf("{\"seed\":%llu,\"posts\":%zu,\"organic\":%zu,\"stock\":%zu,\"campaign_posts\":%zu,",
              static_cast<unsigned long long>(seed), tl.posts.size(), organic, stock, campaign);
  std::printf(
      "\"organic_accounts\":%d,\"campaign_accounts\":%d,\"reply_chains\":%d,\"tweets_read\":%zu,\"tweets_"
      "kept\":%zu,",
      tl.organic_accounts, tl.campaign_accounts, tl.reply_chains, tl.tweets_read, tl.tweets_kept);
  std::printf("\"runs\":[");
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    std::printf("%s{\"limits_enabled\":%s,", r ? "," : "", run.limits ? "true" : "false");
    PrintShareJson("campaign_caught", run.caught);
    PrintShareJson("campaign_caught_at_post", run.caught_now);
    PrintShareJson("paper_caught", run.paper);
    PrintShareJson("paper_caught_at_post", run.paper_now);
    for (const auto& [name, s] : run.buckets) PrintShareJson(("accounts_" + name).c_str(), s);
    PrintShareJson("organic_flash_mob", run.organic_flash);
    PrintShareJson("stock_flash_mob", run.stock_flash);
    PrintShareJson("organic_flood", run.organic_flood);
    PrintShareJson("organic_trolling", run.organic_trolling);
    PrintShareJson("campaign_flood", run.campaign_flood);
    std::printf("\"us_per_post\":{\"mean\":%.2f,\"p99\":%.2f,\"max\":%.1f,\"views_mean\":%.2f},", run.mean_us,
                run.p99_us, run.max_us, run.views_micros);
    std::printf(
        "\"window\":{\"entries\":%zu,\"clusters\":%zu,\"memory_bytes\":%zu,\"accounts\":%zu,\"threads\":%zu}"
        ",",
        run.stats.window.entries, run.stats.window.clusters, run.stats.window.memory_bytes,
        run.stats.accounts, run.stats.threads);
    std::printf("\"campaigns\":[");
    for (size_t c = 0; c < tl.campaigns.size(); ++c) {
      const CampaignInfo& i = tl.campaigns[c];
      std::printf(
          "%s{\"family\":\"%s\",\"language\":\"%s\",\"kind\":\"%s\",\"paper\":%s,\"burst\":%s,\"accounts\":%"
          "d,"
          "\"posts\":%d,\"aged_accounts\":%d,\"words_changed\":%.3f,\"pair_jaccard\":%.3f,\"caught\":%zu}",
          c ? "," : "", JsonEscape(i.family).c_str(), i.language.c_str(), i.kind.c_str(),
          i.paper ? "true" : "false", i.burst ? "true" : "false", i.accounts, i.posts, i.aged_accounts,
          i.words_changed, i.pair_jaccard, run.per_campaign[c].hit);
    }
    std::printf("]}");
  }
  std::printf("]}\n");
}

void PrintMarkdown(const Timeline& tl, const std::vector<Run>& runs, uint64_t seed, bool misses) {
  size_t organic = 0, stock = 0, campaign = 0, paper_posts = 0;
  int regular = 0, paper = 0;
  double changed = 0, jaccard = 0, paper_changed = 0, paper_jaccard = 0;
  for (const Post& p : tl.posts) (p.campaign >= 0 ? campaign : p.stock ? stock : organic)++;
  for (const CampaignInfo& c : tl.campaigns) {
    if (c.paper)
      ++paper, paper_posts += c.posts, paper_changed += c.words_changed, paper_jaccard += c.pair_jaccard;
    else
      ++regular, changed += c.words_changed, jaccard += c.pair_jaccard;
  }
  std::printf("# Campaign benchmark (seed %llu)\n\n", static_cast<unsigned long long>(seed));
  std::printf(
      "%zu comments over 24 h: %zu organic (%d accounts, %d reply chains; %zu of %zu tweets usable), %zu "
      "stock "
      "phrases, %zu campaign comments (%d campaigns + %d harder, %d accounts).\n",
      tl.posts.size(), organic, tl.organic_accounts, tl.reply_chains, tl.tweets_kept, tl.tweets_read, stock,
      campaign, regular, paper, tl.campaign_accounts);
  std::printf(
      "Paraphrase: ordinary campaigns change %.0f %% of the words of their plain rendering (mean word-set "
      "Jaccard of two posts %.2f); harder ones %.0f %% (%.2f).\n\n",
      regular ? 100 * changed / regular : 0, regular ? jaccard / regular : 0,
      paper ? 100 * paper_changed / paper : 0, paper ? paper_jaccard / paper : 0);
  std::printf("| metric | limits on | limits off |\n|---|---|---|\n");
  auto row = [&](const char* name, auto get) {
    std::printf("| %s |", name);
    for (const Run& r : runs) {
      const Share& s = get(r);
      std::printf(" %.2f %% (%zu/%zu) |", s.Percent(), s.hit, s.total);
    }
    std::printf("\n");
  };
  row("campaign comments caught", [](const Run& r) -> const Share& { return r.caught; });
  row("… held at post time", [](const Run& r) -> const Share& { return r.caught_now; });
  const std::pair<const char*, const char*> kBuckets[] = {
      {"5-9", "… campaigns of 5–9 accounts"},      {"10-19", "… campaigns of 10–19 accounts"},
      {"20-50", "… campaigns of 20–50 accounts"},  {"burst", "… bursts (5–40 minutes)"},
      {"trickle", "… trickles (1–12 hours)"},      {"english", "… in English"},
      {"french_russian", "… in French or Russian"}};
  for (const auto& [b, name] : kBuckets) {
    std::printf("| %s |", name);
    for (const Run& r : runs) {
      auto it = r.buckets.find(b);
      const Share s = it == r.buckets.end() ? Share{} : it->second;
      std::printf(" %.2f %% (%zu/%zu) |", s.Percent(), s.hit, s.total);
    }
    std::printf("\n");
  }
  row("harder campaigns caught", [](const Run& r) -> const Share& { return r.paper; });
  row("… held at post time", [](const Run& r) -> const Share& { return r.paper_now; });
  row("organic flagged by flash_mob", [](const Run& r) -> const Share& { return r.organic_flash; });
  row("stock phrases flagged by flash_mob", [](const Run& r) -> const Share& { return r.stock_flash; });
  row("organic with a flood signal", [](const Run& r) -> const Share& { return r.organic_flood; });
  row("organic with a trolling signal", [](const Run& r) -> const Share& { return r.organic_trolling; });
  row("campaign with a flood signal", [](const Run& r) -> const Share& { return r.campaign_flood; });
  std::printf("| µs per comment (Observe+Assess+Record): mean / p99 / max |");
  for (const Run& r : runs) std::printf(" %.1f / %.1f / %.0f |", r.mean_us, r.p99_us, r.max_us);
  std::printf("\n| µs per comment in BuildViews (mean) |");
  for (const Run& r : runs) std::printf(" %.1f |", r.views_micros);
  std::printf("\n| window at the end: entries / clusters / KiB |");
  for (const Run& r : runs)
    std::printf(" %zu / %zu / %zu |", r.stats.window.entries, r.stats.window.clusters,
                r.stats.window.memory_bytes / 1024);
  std::printf("\n| accounts / (account, thread) states |");
  for (const Run& r : runs) std::printf(" %zu / %zu |", r.stats.accounts, r.stats.threads);
  std::printf("\n");

  // The campaigns caught least (limits on), and what organic comments flash_mob held.
  const Run& r = runs.front();
  std::vector<size_t> order(tl.campaigns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return r.per_campaign[a].Percent() < r.per_campaign[b].Percent();
  });
  auto table = [&](const char* title, bool paper, size_t limit) {
    std::printf(
        "\n## %s\n\n| campaign | lang | kind | accounts | posts | timing | words changed | pair Jaccard | "
        "caught |\n"
        "|---|---|---|---|---|---|---|---|---|\n",
        title);
    size_t shown = 0;
    for (size_t k = 0; k < order.size() && shown < limit; ++k) {
      const CampaignInfo& c = tl.campaigns[order[k]];
      const double caught = r.per_campaign[order[k]].Percent();
      if (c.paper != paper || (!paper && caught >= 100)) continue;
      std::printf("| %s | %s | %s | %d | %d | %s | %.0f %% | %.2f | %.0f %% |\n", c.family.c_str(),
                  c.language.c_str(), c.kind.c_str(), c.accounts, c.posts, c.burst ? "burst" : "trickle",
                  100 * c.words_changed, c.pair_jaccard, caught);
      ++shown;
    }
  };
  table("Ordinary campaigns caught least (limits on)", false, 12);
  table("Harder campaigns (limits on)", true, order.size());
  if (!misses) return;
  std::printf("\n## Organic comments held by flash_mob (up to 30)\n\n");
  for (size_t i = 0, shown = 0; i < tl.posts.size() && shown < 30; ++i)
    if (tl.posts[i].campaign < 0 && (r.held_now[i] || r.held_later[i]))
      std::printf("- %s%s\n", tl.posts[i].stock ? "(stock) " : "", tl.posts[i].text.c_str()), ++shown;
  std::printf("\n## Campaign comments missed (up to 30)\n\n");
  for (size_t i = 0, shown = 0; i < tl.posts.size() && shown < 30; ++i)
    if (tl.posts[i].campaign >= 0 && !r.held_now[i] && !r.held_later[i])
      std::printf("- [%s] %s\n", tl.campaigns[static_cast<size_t>(tl.posts[i].campaign)].family.c_str(),
                  tl.posts[i].text.c_str()),
          ++shown;
}

[[noreturn]] void Usage() {
  std::fprintf(
      stderr,
      "usage: tribune_campaign_eval [--seed N] [--organic N] [--campaigns N] [--paper N] [--accounts N] "
      "[--json] [--misses]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  tribune::bench::CorpusOptions options;
  bool json = false, misses = false;
  for (int i = 1; i < argc; ++i) {
    auto value = [&]() -> long long {
      if (i + 1 >= argc) Usage();
      char* end = nullptr;
      const long long v = std::strtoll(argv[++i], &end, 10);
      if (*end != '\0' || v < 0) Usage();
      return v;
    };
    if (!std::strcmp(argv[i], "--seed"))
      options.seed = static_cast<uint64_t>(value());
    else if (!std::strcmp(argv[i], "--organic"))
      options.organic = static_cast<size_t>(value());
    else if (!std::strcmp(argv[i], "--campaigns"))
      options.campaigns = static_cast<int>(value());
    else if (!std::strcmp(argv[i], "--paper"))
      options.paper_campaigns = static_cast<int>(value());
    else if (!std::strcmp(argv[i], "--accounts"))
      options.accounts = std::max(2, static_cast<int>(value()));
    else if (!std::strcmp(argv[i], "--json"))
      json = true;
    else if (!std::strcmp(argv[i], "--misses"))
      misses = true;
    else
      Usage();
  }
  const Timeline tl = tribune::bench::GenerateTimeline(options);
  std::vector<Run> runs;
  runs.push_back(Evaluate(tl, true));
  runs.push_back(Evaluate(tl, false));
  if (json)
    PrintJson(tl, runs, options.seed);
  else
    PrintMarkdown(tl, runs, options.seed, misses);
  return 0;
}
