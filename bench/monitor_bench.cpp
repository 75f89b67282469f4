// The whole behaviour check (flash_mob, flood, trolling) at 1,000,000 windowed comments: what posting pays per
// comment on top of the text rules — Observe (fingerprint, letters), Assess (one window probe, buckets, chains,
// standing) and Record (window add, buckets, chains) — and the memory of everything the monitor holds.
//
// The window is filled with 1,000,000 comments over 24 h by 200,000 accounts in 2,000 threads (a third of
// them replies), texts of 200-400 bytes of pseudo-words (every text distinct: the band table's worst case),
// 1 % of them paraphrases of a few campaigns. Then each measured comment is a fresh one of the same mix,
// timed with steady_clock and the thread's CPU clock. Numbers are reported, never asserted.
// Env: TRIBUNE_MONITOR_BENCH_WINDOW=N (default 1,000,000).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "moderation/behaviour/monitor.hpp"

namespace {

using tribune::moderation::Action;
using tribune::moderation::Signal;
using namespace tribune::moderation::behaviour;

constexpr int64_t kSecond = 1000000;

long RssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

double ThreadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Pseudo-words from syllables: a large vocabulary, so organic texts share few shingles.
std::string Word(std::mt19937_64& rng) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "tor", "vel", "sam", "ri", "qua", "den", "pol", "sti",
                                     "mar", "gu", "bel", "fo", "tra", "win", "ces", "hul", "on", "ex", "dra", "pi"};
  std::string w;
  for (int i = 1 + static_cast<int>(rng() % 3); i > 0; --i) w += kSyllables[rng() % std::size(kSyllables)];
  return w;
}

std::string OrganicText(std::mt19937_64& rng) {
  std::string s;
  const size_t target = 200 + rng() % 200;
  while (s.size() < target) {
    if (!s.empty()) s += rng() % 9 == 0 ? ". " : " ";
    s += Word(rng);
  }
  return s;
}

// A campaign message with two of its words swapped per post.
std::string CampaignText(std::mt19937_64& rng) {
  static const char* kMessages[] = {
      "Vote for the harbour plan on Sunday, it is the only way to fix the roads and cut the taxes in our city",
      "Boycott the Harbour Mall this weekend, they fired forty workers for asking about the unpaid overtime hours",
      "This newspaper lies about the election every single day, cancel your subscription and tell your friends",
  };
  std::string s = kMessages[rng() % std::size(kMessages)];
  for (int i = 0; i < 2; ++i) s.replace(rng() % (s.size() - 10), 4, " " + Word(rng) + " ");
  return s;
}

struct Post {
  std::string text;
  Attempt attempt;
};

Post NextPost(std::mt19937_64& rng, int64_t now_us) {
  Post p;
  p.text = rng() % 100 == 0 ? CampaignText(rng) : OrganicText(rng);
  p.attempt.account_id = 1 + static_cast<int64_t>(rng() % 200000);
  p.attempt.account_created_us = now_us - static_cast<int64_t>(rng() % (400LL * 86400)) * kSecond;
  p.attempt.article_id = 1 + static_cast<int64_t>(rng() % 2000);
  p.attempt.parent_author_id = rng() % 3 == 0 ? 1 + static_cast<int64_t>(rng() % 200000) : 0;
  p.attempt.time_us = now_us;
  return p;
}

struct Filled {
  BehaviourMonitor monitor;
  long rss_delta_kib = 0;
  int64_t next_event = 1;
  int64_t now_us = 1'800'000'000LL * kSecond;
  size_t window = 0;
};

Filled& GetFilled() {
  static Filled* f = [] {
    const char* env = std::getenv("TRIBUNE_MONITOR_BENCH_WINDOW");
    const size_t window = env ? std::max<size_t>(1000, std::strtoull(env, nullptr, 10)) : 1000000;
    const int64_t step = 24LL * 3600 * kSecond / static_cast<int64_t>(window);
    std::mt19937_64 rng(7);
    malloc_trim(0);
    const long rss0 = RssKib();
    auto* filled = new Filled;
    filled->window = window;
    filled->monitor.Reserve(window);
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < window; ++i) {
      const Post p = NextPost(rng, filled->now_us);
      const tribune::text::TextViews views = tribune::text::BuildViews(p.text, false);
      const Observation obs = filled->monitor.Observe(p.attempt, views, "");
      filled->monitor.Record(filled->next_event++, obs, Action::kPublish, {});
      filled->now_us += step;
    }
    malloc_trim(0);
    filled->rss_delta_kib = RssKib() - rss0;
    std::fprintf(stderr, "filled %zu comments in %.1f s; RSS delta %ld KiB\n", window,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), filled->rss_delta_kib);
    return filled;
  }();
  return *f;
}

void BM_MonitorCheckAt1M(benchmark::State& state) {
  Filled& f = GetFilled();
  const int64_t step = 24LL * 3600 * kSecond / static_cast<int64_t>(f.window);
  std::mt19937_64 rng(99);
  std::vector<double> wall, cpu;
  std::vector<Signal> signals;
  size_t flagged = 0;
  for (auto _ : state) {
    const Post p = NextPost(rng, f.now_us);
    const tribune::text::TextViews views = tribune::text::BuildViews(p.text, false);  // the engine's, untimed
    signals.clear();
    const double c0 = ThreadCpuUs();
    const auto t0 = std::chrono::steady_clock::now();
    const Observation obs = f.monitor.Observe(p.attempt, views, "");
    f.monitor.Assess(obs, {}, signals);
    f.monitor.Record(f.next_event++, obs, signals.empty() ? Action::kPublish : Action::kHold, {});
    const auto t1 = std::chrono::steady_clock::now();
    cpu.push_back(ThreadCpuUs() - c0);
    wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    flagged += !signals.empty();
    f.now_us += step;
  }
  auto q = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(static_cast<double>(v.size() - 1) * p)];
  };
  const auto st = f.monitor.stats();
  state.counters["p50_us"] = q(wall, 0.5);
  state.counters["p99_us"] = q(wall, 0.99);
  state.counters["max_us"] = wall.back();
  state.counters["cpu_p50_us"] = q(cpu, 0.5);
  state.counters["cpu_p99_us"] = q(cpu, 0.99);
  state.counters["window"] = static_cast<double>(st.window.entries);
  state.counters["accounts"] = static_cast<double>(st.accounts);
  state.counters["threads"] = static_cast<double>(st.threads);
  state.counters["index_bytes_per_comment"] = static_cast<double>(st.window.memory_bytes) / st.window.entries;
  state.counters["rss_bytes_per_comment"] = static_cast<double>(f.rss_delta_kib) * 1024 / static_cast<double>(f.window);
  state.counters["flagged_share"] = static_cast<double>(flagged) / static_cast<double>(wall.size());
}

BENCHMARK(BM_MonitorCheckAt1M)->Unit(benchmark::kMicrosecond)->Iterations(100000)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
