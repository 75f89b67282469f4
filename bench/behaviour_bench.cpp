// Benchmarks and tuning of rule flash_mob's near-duplicate index (moderation/behaviour/near_duplicates.hpp).
//
// Corpus: human text from data/offensive/labeled_train.csv (Davidson et al. tweets, column `tweet`; @handles,
// "RT", URLs and HTML entities removed), read from TRIBUNE_SOURCE_DIR. Window comments are the
// tweets' words drawn by frequency (200-400 bytes, every one distinct); 1 % of the measured comments are
// campaign paraphrases.
//
// Benchmarks (one core; numbers are reported, never asserted):
//   BM_CheckAt1M      the window filled with 1,000,000 comments (24 h of them), then per fresh comment
//                     MakeFingerprint + Probe + Add timed with steady_clock: p50/p99/max (µs), the p99 of
//                     each part, the thread CPU time per check (robust to a loaded machine), the share of
//                     checks with page faults; memory_bytes / entries (stats(), from capacities) and the RSS
//                     delta of filling the index. BuildViews runs before the timing (the engine builds the
//                     views anyway) and is reported apart.
//   BM_MakeFingerprint, BM_BuildViews  the parts on their own.
// Env: TRIBUNE_BEHAVIOUR_BENCH_WINDOW=N (window size), TRIBUNE_BEHAVIOUR_BENCH_RANDOM=1 (random letter words:
// no band key shared, the band table's worst case for memory).
// --tune: the quality harness. Spintax campaigns (8 templates, 3-6 synonym slots in 15-40 words, clauses
//   reordered, greetings, emoji, typos; 6 campaigns per template of 25 comments by ~22 accounts) mixed
//   into the organic tweets (one account each), for shingle sizes 4 and 5, several bands × rows and
//   thresholds: campaign recall (comments ending in a cluster of ≥ 5 accounts), organic comments linked to
//   anything, organic comments in clusters of ≥ 5 accounts. Env: TRIBUNE_TUNE_SEED,
//   TRIBUNE_TUNE_CAMPAIGN_SIZE.
// --organic-clusters: the organic clusters of ≥ 5 members at the default options (lyrics, memes, a spam bot).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "moderation/behaviour/fingerprint.hpp"
#include "moderation/behaviour/near_duplicates.hpp"
#include "text/views.hpp"
#include "tweet_corpus.hpp"

namespace {

using namespace tribune::moderation::behaviour;
using tribune::text::BuildViews;
constexpr int64_t kSecond = 1000000;

long StatusKib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
  return 0;
}

// This thread's CPU time (excludes time the scheduler gave to other processes on a loaded machine).
double ThreadCpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

long MinorFaults() {
  rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

// ---- corpus ----

const std::vector<std::string>& Tweets() {
  static const std::vector<std::string> tweets = tribune::bench::LoadTweets();
  return tweets;
}

// Spintax: {a|b|c} slots; clauses separated by " ## " are shuffled.
const char* kTemplates[] = {
    "{This|The} mayor {has done|did} {an excellent|a great|a fantastic|an amazing} job with the new bike "
    "lanes "
    "downtown. ## {Everyone|Everybody|All the people} I know {is happy|is pleased|loves them} and we should "
    "{vote for him again|re-elect him|give him another term} in November.",
    "{Stop|Quit} {blaming|attacking} the governor for the flooding, ## the previous administration "
    "{cut|slashed|gutted} the drainage budget {three times|twice|every single year} ## and nobody in the "
    "media "
    "{said a word|reported it|cared at all}.",
    "{I|We} {tried|used|ordered} VitaBoost for {two weeks|a month|ten days} and {my energy is through the "
    "roof|"
    "I feel ten years younger|my joint pain is gone}. ## {Highly recommend|Strongly recommend|Cannot "
    "recommend "
    "it enough}, {check it out|look it up|go get it} before the {sale|discount|offer} ends.",
    "The {real|true|actual} story here is that the {election|vote|ballot count} was "
    "{rigged|stolen|manipulated} "
    "## and {the media|the press|journalists} {refuse|won't dare|are afraid} to {cover|report|investigate} "
    "it. "
    "## {Wake up|Open your eyes|Do your research} people.",
    "{This article|This piece|The author} {is|is clearly|is obviously} {biased|one-sided|pure propaganda} ## "
    "and "
    "{ignores|leaves out|omits} {every|all the|the} {fact|evidence|data} that {contradicts|goes against|does "
    "not "
    "fit} the {narrative|story|agenda}. ## {Shame on|Disgraceful from|So disappointed in} this "
    "{paper|outlet|newspaper}.",
    "{Finally|At last} {someone|somebody} {is standing up|stands up} for the {farmers|small farmers|rural "
    "families} of this {country|nation}. ## The {new|proposed} {tariff|trade deal} will "
    "{protect|save|secure} "
    "{thousands of|countless|so many} {jobs|livelihoods} ## and {everyone|anyone} who {says "
    "otherwise|disagrees} "
    "{is lying|has an agenda|is paid to}.",
    "{As a nurse|As a healthcare worker|As a doctor} {I can tell you|I can confirm|let me tell you} that the "
    "{hospital|clinic|ward} {situation|crisis} is {far worse|much worse|way worse} than {reported|they "
    "admit|the "
    "article says}. ## {Please|Everyone please} {share this|spread the word|pass this on}.",
    "{The stadium|This arena|The new stadium} {project|deal|plan} is a {waste|scam|giveaway} of {taxpayer "
    "money|public money|our money} ## while {schools|our schools|public schools} {crumble|fall apart|are "
    "underfunded} {and teachers|and our teachers} {buy their own supplies|pay for supplies themselves}. ## "
    "{Vote no|Vote NO|Say no} on {Measure B|the measure}.",
};
const char* kGreetings[] = {"Hi all! ", "Hello. ", "Honestly, ", "Well, ",
                            "Guys, ",   "Folks: ", "Hey! ",      "Ok so "};
const char* kEmoji[] = {" 👍", " 🙏🙏", " 💯", " 🔥🔥🔥", " !!!", " 😡", " 🇺🇸", " :)"};

std::string Spin(const char* tmpl, std::mt19937_64& rng) {
  std::string filled;
  for (const char* p = tmpl; *p;) {
    if (*p != '{') {
      filled += *p++;
      continue;
    }
    std::vector<std::string> options(1);
    for (++p; *p && *p != '}'; ++p) {
      if (*p == '|')
        options.emplace_back();
      else
        options.back() += *p;
    }
    if (*p) ++p;
    filled += options[rng() % options.size()];
  }
  std::vector<std::string> clauses;
  for (size_t start = 0;;) {
    const size_t at = filled.find(" ## ", start);
    clauses.push_back(filled.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 4;
  }
  if (rng() % 2) std::shuffle(clauses.begin(), clauses.end(), rng);
  std::string out = rng() % 2 ? kGreetings[rng() % std::size(kGreetings)] : "";
  for (const std::string& c : clauses) out += (out.empty() || out.back() == ' ' ? "" : " ") + c;
  const int typos = static_cast<int>(rng() % 3);
  for (int t = 0; t < typos; ++t) {  // swap, drop or double a letter
    const size_t i = 1 + rng() % (out.size() - 2);
    if (!std::isalpha(static_cast<unsigned char>(out[i])) ||
        !std::isalpha(static_cast<unsigned char>(out[i + 1])))
      continue;
    switch (rng() % 3) {
      case 0:
        std::swap(out[i], out[i + 1]);
        break;
      case 1:
        out.erase(i, 1);
        break;
      default:
        out.insert(i, 1, out[i]);
    }
  }
  if (rng() % 2) out += kEmoji[rng() % std::size(kEmoji)];
  return out;
}

// ---- tuning ----

struct Item {
  std::string text;
  int64_t account;
  int campaign;  // -1: organic
};

void Tune() {  // TRIBUNE_TUNE_SEED=N: another draw of campaigns; TRIBUNE_TUNE_CAMPAIGN_SIZE=N
  const char* seed = std::getenv("TRIBUNE_TUNE_SEED");
  std::mt19937_64 rng(seed ? std::strtoull(seed, nullptr, 10) : 2026);
  std::vector<Item> organic;
  std::set<uint64_t> seen;
  size_t total = 0, exact_dups = 0, not_comparable = 0;
  for (const std::string& t : Tweets()) {
    ++total;
    const Fingerprint fp = MakeFingerprint(BuildViews(t, false));
    if (!fp.Comparable()) {
      ++not_comparable;
      continue;
    }
    if (!seen.insert(fp.exact).second) {
      ++exact_dups;
      continue;
    }
    organic.push_back({t, static_cast<int64_t>(organic.size()) + 1, -1});
  }
  std::printf("organic: %zu tweets, %zu not Comparable, %zu exact repeats dropped, %zu used\n", total,
              not_comparable, exact_dups, organic.size());
  // Campaigns: 6 per template, 25 comments by 22 accounts each, spread through the stream.
  std::vector<Item> stream = organic;
  std::shuffle(stream.begin(), stream.end(), rng);
  int campaign = 0;
  size_t campaign_comments = 0;
  const char* size_env = std::getenv("TRIBUNE_TUNE_CAMPAIGN_SIZE");  // comments per campaign (25)
  const int campaign_size = size_env ? std::max(5, std::atoi(size_env)) : 25;
  for (size_t t = 0; t < std::size(kTemplates); ++t) {
    for (int c = 0; c < 6; ++c, ++campaign) {
      const size_t start = rng() % (stream.size() - 2000);
      for (int k = 0; k < campaign_size; ++k) {
        const size_t at = std::min(stream.size(), start + k * (20 + rng() % 60));
        stream.insert(stream.begin() + at,
                      Item{Spin(kTemplates[t], rng), 1000000 + campaign * 100 + k % 22, campaign});
        ++campaign_comments;
      }
    }
  }
  std::printf("stream: %zu comments, %zu in %d campaigns. Sample campaign comments:\n", stream.size(),
              campaign_comments, campaign);
  for (int i = 0; i < 3; ++i) std::printf("  %s\n", Spin(kTemplates[i], rng).c_str());

  std::vector<tribune::text::TextViews> views;
  views.reserve(stream.size());
  for (const Item& it : stream) views.push_back(BuildViews(it.text, false));
  std::printf("\n%2s %5s %4s %5s | %8s %8s | %9s %9s %9s | %s\n", "n", "bands", "rows", "thr", "recall5",
              "linked", "org_link", "org_flag5", "org_in_cp", "cand/verif ok");
  for (int n : {4, 5}) {  // kShingleSize is 5
    std::vector<Fingerprint> fps;
    for (const auto& v : views) fps.push_back(MakeFingerprint(v, nullptr, n));
    for (auto [bands, rows] : std::vector<std::pair<int, int>>{
             {6, 2}, {8, 2}, {12, 2}, {6, 3}, {8, 3}, {10, 3}, {8, 4}, {16, 3}}) {
      for (double thr : {0.35, 0.4, 0.45, 0.5, 0.55, 0.6}) {
        IndexOptions options;
        options.bands = bands;
        options.rows = rows;
        options.min_similarity = thr;
        NearDuplicateIndex index(options);
        for (size_t i = 0; i < stream.size(); ++i)
          index.Add(static_cast<int64_t>(i) + 1, fps[i], stream[i].account,
                    static_cast<int64_t>(i) * kSecond);
        const int64_t now = static_cast<int64_t>(stream.size()) * kSecond;
        std::unordered_map<int64_t, std::pair<size_t, bool>> cluster_accounts;  // id → accounts, has campaign
        auto accounts_of = [&](int64_t id) -> std::pair<size_t, bool> {
          auto it = cluster_accounts.find(id);
          if (it != cluster_accounts.end()) return it->second;
          std::set<int64_t> acc;
          bool has_campaign = false;
          for (const Member& m : index.Members(id, now)) {
            acc.insert(m.account_id);
            has_campaign |= stream[m.event_id - 1].campaign >= 0;
          }
          return cluster_accounts[id] = {acc.size(), has_campaign};
        };
        size_t caught = 0, linked = 0, org_linked = 0, org_flagged = 0, org_in_campaign = 0;
        for (size_t i = 0; i < stream.size(); ++i) {
          const std::optional<int64_t> id = index.ClusterOf(static_cast<int64_t>(i) + 1);
          const bool is_campaign = stream[i].campaign >= 0;
          if (!id) continue;
          const auto [accounts, has_campaign] = accounts_of(*id);
          if (is_campaign) {
            ++linked;
            caught += accounts >= 5;
          } else {
            ++org_linked;
            org_flagged += accounts >= 5;
            org_in_campaign += has_campaign;
          }
        }
        std::printf("%2d %5d %4d %5.2f | %7.1f%% %7.1f%% | %8.3f%% %8.3f%% %8.3f%% |\n", n, bands, rows, thr,
                    100.0 * caught / campaign_comments, 100.0 * linked / campaign_comments,
                    100.0 * org_linked / organic.size(), 100.0 * org_flagged / organic.size(),
                    100.0 * org_in_campaign / organic.size());
      }
    }
  }
}

// ---- benchmarks ----

// Every token of the cleaned tweets: drawing from it samples words by their frequency.
const std::vector<std::string>& Tokens() {
  static const std::vector<std::string> tokens = [] {
    std::vector<std::string> out;
    for (const std::string& t : Tweets()) {
      std::istringstream in(t);
      std::string w;
      while (in >> w) out.push_back(w);
    }
    return out;
  }();
  return tokens;
}

// A window comment: words of the tweets drawn by frequency up to 200-400 bytes (common words shared with
// other comments as in real text, the whole distinct), with a sentence break now and then.
// TRIBUNE_BEHAVIOUR_BENCH_RANDOM=1: random letter words instead (no shingle shared between comments: every
// band key distinct, the worst case for the band table's memory).
std::string WindowText(std::mt19937_64& rng) {
  static const bool random_words = std::getenv("TRIBUNE_BEHAVIOUR_BENCH_RANDOM") != nullptr;
  const auto& tokens = Tokens();
  std::string s;
  const size_t target = 200 + rng() % 200;
  if (random_words) {
    while (s.size() < target) {
      if (!s.empty()) s += ' ';
      for (int i = 3 + static_cast<int>(rng() % 6); i > 0; --i) s += static_cast<char>('a' + rng() % 26);
    }
    return s;
  }
  while (s.size() < target) {
    if (!s.empty()) s += rng() % 10 == 0 ? ". " : " ";
    s += tokens[rng() % tokens.size()];
  }
  return s;
}

// TRIBUNE_BEHAVIOUR_BENCH_WINDOW=N: comments in the window (1,000,000).
size_t WindowSize() {
  const char* env = std::getenv("TRIBUNE_BEHAVIOUR_BENCH_WINDOW");
  return env ? std::max<size_t>(1000, std::strtoull(env, nullptr, 10)) : 1000000;
}

struct Window {
  NearDuplicateIndex index;
  long rss_delta_kib = 0;
  int64_t next_event = 1;
  int64_t now_us = 0;
  std::vector<tribune::text::TextViews> probes;
  std::vector<std::string> probe_texts;  // for the part benchmarks
};

Window& GetWindow() {
  static Window* w = [] {
    const size_t kWindow = WindowSize();
    const int64_t kStep = 24LL * 3600 * kSecond / static_cast<int64_t>(kWindow);  // kWindow comments per 24 h
    std::mt19937_64 rng(1);
    Tweets();
    malloc_trim(0);
    const long rss0 = StatusKib("VmRSS");
    auto* win = new Window;
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < kWindow; ++i) {
      const std::string text = WindowText(rng);
      win->index.Add(win->next_event++, MakeFingerprint(BuildViews(text, false)),
                     static_cast<int64_t>(rng() % 200000), win->now_us);
      win->now_us += kStep;
    }
    malloc_trim(0);
    win->rss_delta_kib = StatusKib("VmRSS") - rss0;
    std::fprintf(stderr, "filled %zu comments in %.1f s; RSS delta %ld KiB\n", win->index.stats().entries,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                 win->rss_delta_kib);
    for (int i = 0; i < 2000; ++i) win->probe_texts.push_back(WindowText(rng));
    for (const std::string& t : win->probe_texts) win->probes.push_back(BuildViews(t, false));
    return win;
  }();
  return *w;
}

void BM_CheckAt1M(benchmark::State& state) {
  Window& w = GetWindow();
  const int64_t kStep = 24LL * 3600 * kSecond / static_cast<int64_t>(WindowSize());
  std::mt19937_64 rng(99);
  std::vector<double> us, cpu_us, fp_us, probe_us, add_us;  // wall per check, thread CPU per check, parts
  std::vector<double> probe_linked_us, probe_alone_us;
  size_t faulting = 0;
  long total_faults = 0;
  size_t clustered = 0;
  for (auto _ : state) {
    // A fresh comment each time (untimed): 1 % campaign paraphrases, the rest distinct organic text.
    const std::string text =
        rng() % 100 == 0 ? Spin(kTemplates[rng() % std::size(kTemplates)], rng) : WindowText(rng);
    const tribune::text::TextViews views = BuildViews(text, false);
    const int64_t account = static_cast<int64_t>(rng() % 200000);
    const long f0 = MinorFaults();
    const double c0 = ThreadCpuUs();
    const auto t0 = std::chrono::steady_clock::now();
    const Fingerprint fp = MakeFingerprint(views);
    const auto t1 = std::chrono::steady_clock::now();
    const ClusterInfo probe = w.index.Probe(fp, account, w.now_us);
    const auto t2 = std::chrono::steady_clock::now();
    const ClusterInfo added = w.index.Add(w.next_event++, fp, account, w.now_us);
    const auto t3 = std::chrono::steady_clock::now();
    const double c1 = ThreadCpuUs();
    const long faults = MinorFaults() - f0;
    faulting += faults > 0;
    total_faults += faults;
    benchmark::DoNotOptimize(probe);
    clustered += added.id != 0;
    w.now_us += kStep;
    us.push_back(std::chrono::duration<double, std::micro>(t3 - t0).count());
    cpu_us.push_back(c1 - c0);
    fp_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    probe_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    (added.id != 0 ? probe_linked_us : probe_alone_us).push_back(probe_us.back());
    add_us.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
  }
  auto p = [](std::vector<double>& v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(static_cast<double>(v.size() - 1) * q)];
  };
  state.counters["cpu_p50_us"] = p(cpu_us, 0.5);
  state.counters["cpu_p99_us"] = p(cpu_us, 0.99);
  state.counters["fp_p99_us"] = p(fp_us, 0.99);
  state.counters["probe_p99_us"] = p(probe_us, 0.99);
  state.counters["add_p99_us"] = p(add_us, 0.99);
  state.counters["probe_linked_p50_us"] = probe_linked_us.empty() ? 0 : p(probe_linked_us, 0.5);
  state.counters["probe_alone_p99_us"] = p(probe_alone_us, 0.99);
  state.counters["faulting_share"] = static_cast<double>(faulting) / static_cast<double>(us.size());
  state.counters["faults"] = static_cast<double>(total_faults);
  state.counters["add_max_us"] = add_us.back();
  std::sort(us.begin(), us.end());
  const auto st = w.index.stats();
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  state.counters["max_us"] = us.back();
  state.counters["entries"] = static_cast<double>(st.entries);
  state.counters["bytes_per_comment"] = static_cast<double>(st.memory_bytes) / st.entries;
  state.counters["rss_bytes_per_comment"] =
      static_cast<double>(w.rss_delta_kib) * 1024 / static_cast<double>(WindowSize());
  state.counters["table_slots_per_comment"] = static_cast<double>(st.table_slots) / st.entries;
  state.counters["table_rebuilds"] = static_cast<double>(st.table_rebuilds);
  state.counters["clusters"] = static_cast<double>(st.clusters);
  state.counters["clustered_share"] = static_cast<double>(clustered) / static_cast<double>(us.size());
}

void BM_MakeFingerprint(benchmark::State& state) {
  Window& w = GetWindow();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(MakeFingerprint(w.probes[i++ % w.probes.size()]));
}

void BM_BuildViews(benchmark::State& state) {
  Window& w = GetWindow();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(BuildViews(w.probe_texts[i++ % w.probe_texts.size()], false));
}

BENCHMARK(BM_CheckAt1M)->Unit(benchmark::kMicrosecond)->Iterations(200000)->UseRealTime();
BENCHMARK(BM_MakeFingerprint)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_BuildViews)->Unit(benchmark::kMicrosecond)->MinTime(0.5);

// --organic-clusters: the organic tweets' clusters of ≥ 5 members at the default options (what the organic
// "flagged" share of --tune is made of).
void DumpOrganicClusters() {
  std::vector<std::string> texts;
  std::set<uint64_t> seen;
  std::vector<Fingerprint> fps;
  for (const std::string& t : Tweets()) {
    Fingerprint fp = MakeFingerprint(BuildViews(t, false));
    if (!fp.Comparable() || !seen.insert(fp.exact).second) continue;
    texts.push_back(t);
    fps.push_back(fp);
  }
  NearDuplicateIndex index;
  for (size_t i = 0; i < texts.size(); ++i) index.Add(i + 1, fps[i], i, i);
  std::set<int64_t> ids;
  for (size_t i = 0; i < texts.size(); ++i)
    if (auto id = index.ClusterOf(i + 1)) ids.insert(*id);
  for (int64_t id : ids) {
    auto m = index.Members(id, texts.size());
    if (m.size() < 5) continue;
    std::printf("== cluster %ld: %zu\n", id, m.size());
    for (auto& x : m) std::printf("   %s\n", texts[x.event_id - 1].substr(0, 110).c_str());
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--organic-clusters") == 0) {
    DumpOrganicClusters();
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--tune") == 0) {
    Tune();
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
