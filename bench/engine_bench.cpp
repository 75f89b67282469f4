// Benchmarks of the community-standards engine (moderation::RuleEngine), one thread, no I/O.
//
// Corpus: about 2,000 comments of 400-600 bytes generated here from a fixed seed (no data files at run
// time, except the lines of the rule tables tests/moderation/*.tsv, read from TRIBUNE_SOURCE_DIR, which
// bring realistic positives without spelling any hate speech in this file). Categories and shares:
//   clean 45 %     English news comments; some with Markdown, URLs, numbers, dates, prices
//   privacy 15 %   e-mail addresses and phone numbers (generated), or a line of privacy_personal_data.tsv
//   abuse 15 %     profanity and insults with obfuscations (f.u.c.k, sh1t, f*ck, fuuuck), or a line of
//                  profanity.tsv / insult_threat.tsv / hate.tsv
//   shouting 10 %  mostly capitals, runs of "!!!!", or a line of form.tsv
//   foreign 10 %   Russian, French or German comments
//   lookalike 5 %  English with full-width letters and Cyrillic look-alikes (some in profanity)
// Every comment is checked as on the English edition ("en"), as the server does for the default edition, against
// one fixed ~1 KB article (kArticle; the server passes each comment's own article, for off_topic).
//
// Benchmarks (one iteration = one comment, the corpus in a fixed order, round and round):
//   BM_FullPipeline            RuleEngine::Check, each call timed with steady_clock: p50/p90/p99/max (µs)
//   BM_FullPipelineThroughput  the same calls untimed: comments/s
//   BM_Stage_*                 each stage on its own, on inputs prebuilt per comment: the precheck
//                              (MinimalEngine::Check), text::BuildViews, FormDetector / PrivacyDetector /
//                              LexiconDetector / LearnedDetector / LinksDetector / PromotionDetector /
//                              LanguageDetector / OffTopicDetector::Detect on prebuilt views, Policy::Decide on
//                              prebuilt signals
//                              (the detectors BuildRuleEngine assembled when this was written: a detector
//                              added since shows up as the gap between the stages' sum and the pipeline)
//   BM_Startup                 BuildRuleEngine in a fresh process (this binary re-run with --probe):
//                              cold (empty cache dir: compiles the Hyperscan databases) and warm (cache dir
//                              filled by a cold run); also the size of the cache file
//   BM_LexiconMemory           LexiconDetector::Load alone in a fresh process (ICU initialised first):
//                              VmRSS delta around it, peak (VmHWM) delta, and RSS delta after malloc_trim
// Numbers are reported, never asserted. Per-iteration timing costs two steady_clock reads (reported as
// clock_overhead_ns; tens of ns with the TSC clock source), which matters only for the cheapest stages.
//
// Env: TRIBUNE_ENGINE_BENCH_JSON=FILE  write a summary (what bench/run stores under "engine")
//      TRIBUNE_ENGINE_BENCH_KV=FILE    the same as KEY=VALUE lines (for bench/run's table)
//      TRIBUNE_ENGINE_BENCH_COMMENTS=N corpus size (default 2000)
//      TRIBUNE_ENGINE_BENCH_COLD=N, TRIBUNE_ENGINE_BENCH_WARM=N  start-up runs of each kind (3 and 5)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/moderation_table.hpp"
#include "moderation/factory.hpp"
#include "moderation/rules/language.hpp"
#include "moderation/rules/links.hpp"
#include "moderation/rules/off_topic.hpp"
#include "moderation/rules/promotion.hpp"
#include "moderation/policy.hpp"
#include "moderation/rule_engine.hpp"
#include "moderation/rules/form.hpp"
#include "moderation/rules/learned.hpp"
#include "moderation/rules/lexicon.hpp"
#include "moderation/rules/privacy.hpp"
#include "text/views.hpp"

namespace {

using namespace tribune;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMinBytes = 400, kMaxBytes = 600;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_engine_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

// CPU time of this thread, in seconds (the pipeline is single-threaded: this is its CPU time, immune to
// waiting for a core on a busy machine, not to sharing caches with whatever else runs).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// ---------------------------------------------------------------------------------------------
// /proc/self/status and child processes.

long StatusKib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::atol(line.c_str() + n + 1);
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0), so a later VmHWM is the peak since now.
void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string SelfExe() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) Die("cannot read /proc/self/exe");
  return p.string();
}

// Runs this binary with `args`, returns its stdout as KEY=VALUE pairs.
std::map<std::string, std::string> RunProbe(const std::vector<std::string>& args) {
  int fd[2];
  if (pipe(fd) != 0) Die("pipe failed");
  const std::string exe = SelfExe();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(fd[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("probe " + args.at(1) + " failed:\n" + out);
  std::map<std::string, std::string> kv;
  std::istringstream ss(out);
  for (std::string line; std::getline(ss, line);) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

std::vector<std::string> LexiconLanguages(const std::string& dir) {  // as BuildRuleEngine lists them
  std::vector<std::string> languages;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) languages.push_back(entry.path().filename().string());
  std::sort(languages.begin(), languages.end());
  return languages;
}

// The child side: `--probe engine DIR` times BuildRuleEngine as a server start does (nothing warmed up);
// `--probe lexicon DIR` initialises ICU first, then measures LexiconDetector::Load alone.
int Probe(const std::string& mode, const std::string& cache_dir) {
  const long rss0 = StatusKib("VmRSS");
  if (mode == "engine") {
    moderation::EngineConfig config;
    config.cache_dir = cache_dir;
    ResetPeak();
    const auto t0 = Clock::now();
    auto engine = moderation::BuildRuleEngine(config);
    const auto t1 = Clock::now();
    if (!engine.ok()) Die("BuildRuleEngine: " + engine.error().message);
    std::printf("ms=%.3f\nrss_before_kib=%ld\nrss_after_kib=%ld\nhwm_kib=%ld\n", Millis(t1 - t0), rss0,
                StatusKib("VmRSS"), StatusKib("VmHWM"));
    return 0;
  }
  if (mode == "lexicon") {
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(text::BuildViews("ICU warm-up: Ｆｕｌｌ раураl naïve"));
    const auto t1 = Clock::now();
    malloc_trim(0);
    const long before = StatusKib("VmRSS");
    ResetPeak();
    const long hwm_reset = StatusKib("VmHWM");
    const std::string dir = moderation::DefaultLexiconDir();
    const auto t2 = Clock::now();
    auto lex = moderation::LexiconDetector::Load(dir, LexiconLanguages(dir), cache_dir);
    const auto t3 = Clock::now();
    if (!lex.ok()) Die("LexiconDetector::Load: " + lex.error().message);
    const long after = StatusKib("VmRSS"), hwm = StatusKib("VmHWM");
    malloc_trim(0);
    const long trimmed = StatusKib("VmRSS");
    size_t entries = 0;
    for (const auto& s : (*lex)->Stats()) entries += s.entries;
    std::printf("icu_init_ms=%.3f\nload_ms=%.3f\nfrom_cache=%d\n", Millis(t1 - t0), Millis(t3 - t2),
                (*lex)->loaded_from_cache() ? 1 : 0);
    std::printf("rss_icu_kib=%ld\nrss_before_kib=%ld\nrss_after_kib=%ld\nrss_after_trim_kib=%ld\n",
                before - rss0, before, after, trimmed);
    std::printf("hwm_before_kib=%ld\nhwm_kib=%ld\nentries=%zu\n", hwm_reset, hwm, entries);
    return 0;
  }
  Die("unknown probe " + mode);
}

// ---------------------------------------------------------------------------------------------
// The corpus.

enum Category { kClean, kPrivacy, kAbuse, kShouting, kForeign, kLookalike, kCategories };
const char* const kCategoryNames[kCategories] = {"clean",    "privacy", "abuse",
                                                 "shouting", "foreign", "lookalike"};
constexpr int kCategoryPercent[kCategories] = {45, 15, 15, 10, 10, 5};

struct Comment {
  std::string text;
  Category category;
  bool from_table;  // carries a line of tests/moderation/*.tsv
};

const char* const kNews[] = {
    "The council voted 7-2 on Tuesday to raise parking fees, which seems short-sighted to me.",
    "I read the whole report and the numbers on page 14 do not match the summary.",
    "Thanks for covering this, local reporting like this is getting rare.",
    "My grandmother lived on that street for forty years and never saw a bus on time.",
    "The budget gap is $4.2 million, not the $2 million quoted in the first paragraph.",
    "Has anyone asked the minister why the consultation closed on 3 January 2025?",
    "Rents went up 12% in two years while wages rose by 3.5%. Do the maths.",
    "The original study is here: https://www.example.org/research/2024/housing-survey.pdf",
    "I agree with the previous comment, but the article leaves out the river crossing entirely.",
    "Good piece. The interview with the head teacher was the best part.",
    "Petrol was 1.45 a litre last week and 1.62 today, nobody can explain why.",
    "We moved here in 2019 because of the schools, and the schools are still the reason we stay.",
    "This is the third time the opening has been postponed since March.",
    "Could the editors add a map? It is hard to follow which roads will close.",
    "The turnout was 38.6 percent, the lowest since 1997, which says a lot.",
    "Honestly the new cycle lane works well in the mornings, less so after five.",
    "A correction: the bridge was built in 1884, not 1848.",
    "If the tram costs 350 million, what happens to the bus routes it replaces?",
    "I volunteer at the food bank on Saturdays and demand has doubled since last winter.",
    "The mayor's office published the full contract at https://city.example.gov/contracts/tram-2024",
    "Everyone complains about the noise, but the festival brings 40,000 visitors a year.",
    "Interesting that the spokesperson declined to comment on the second audit.",
    "My train was cancelled twice this week; the refund form still asks for a paper ticket.",
    "What the article calls a minor delay was eleven months for the families on the list.",
    "The match report is spot on, the second half was painful to watch.",
    "Schools in the north of the county have waited since 2016 for the promised repairs.",
    "The tax change saves a typical household about 230 euros a year, according to the treasury.",
    "Let us wait for the court's ruling before anyone calls it a scandal.",
    "Water bills rose from 410 to 486 pounds; the regulator approved every penny.",
    "The photo caption says Tuesday but the meeting took place on Monday 14 October.",
    "Local shops on the high street closed one by one after the ring road opened.",
    "Two hospitals merged in 2021 and waiting times have not improved at all.",
};

// Markdown around or between sentences (the form a comment arrives in, before rendering).
const char* const kMarkdown[] = {
    "**Key point:** ",
    "> ",
    "- ",
    "* ",
    "_Edit:_ ",
    "See [the report](https://www.example.org/report-2024). ",
    "`1,234` ",
    "1. ",
    "### Update\n",
    "~~old figure~~ ",
};

const char* const kFirst[] = {"john",   "maria", "alex",  "sophie", "ivan",
                              "claire", "peter", "nadia", "tom",    "lena"};
const char* const kLast[] = {"smith", "garcia", "brown", "dubois", "petrov", "muller", "jones", "rossi"};
const char* const kDomains[] = {"example.com", "mail.example.org", "gmail.com",
                                "yandex.ru",   "web.de",           "outlook.fr"};

// Profanity and insults (no slurs: those come only from the tables), each with its obfuscations.
const char* const kAbuseTemplates[] = {
    "What the {p} is this council doing with our money?",
    "This is {p} ridiculous, nobody voted for it.",
    "You {i}, read the article before commenting.",
    "Only an {i} would believe the ministry's figures.",
    "Total {s} from start to finish.",
    "The new timetable is {s} and everyone on the platform knows it.",
    "Are you a complete {i} or just pretending?",
    "{p} this budget and {p} the people who wrote it.",
};
const char* const kProfane[] = {"fuck", "f.u.c.k", "f*ck",  "fuuuuuck", "F u c k",
                                "f**k", "fucking", "phuck", "fck"};
const char* const kShit[] = {"shit", "sh1t", "s**t", "shiiiiit", "bullshit", "bullsh1t", "sh!t", "crap"};
const char* const kInsult[] = {"idiot",   "moron",    "id1ot", "m0ron",
                               "iiidiot", "imbecile", "clown", "i.d.i.o.t"};

const char* const kRussian[] = {
    "Совет проголосовал за повышение платы за парковку, и это очень недальновидно.",
    "Я прочитал весь отчёт, и цифры на странице 14 не совпадают с выводами.",
    "Спасибо за статью, такой местной журналистики становится всё меньше.",
    "Аренда выросла на 12% за два года, а зарплаты только на 3,5%.",
    "Почему консультации закрыли 3 января, никто так и не объяснил.",
    "Мост построили в 1884 году, а не в 1848, поправьте, пожалуйста.",
    "Мэр обещал новую линию трамвая к 2026 году, но денег в бюджете нет.",
    "Цены на бензин выросли с 52 до 61 рубля за литр, и никто не объясняет почему.",
};
const char* const kFrench[] = {
    "Le conseil municipal a voté la hausse du stationnement, c'est une erreur à mon avis.",
    "J'ai lu tout le rapport et les chiffres de la page 14 ne correspondent pas au résumé.",
    "Merci pour cet article, le journalisme local devient rare.",
    "Les loyers ont augmenté de 12 % en deux ans alors que les salaires n'ont pris que 3,5 %.",
    "Pourquoi la consultation a-t-elle été close le 3 janvier ? Personne ne l'explique.",
    "Le pont a été construit en 1884 et non en 1848, une petite correction.",
    "Le maire avait promis une nouvelle ligne de tramway pour 2026, mais le budget ne suit pas.",
    "L'essence est passée de 1,72 à 1,95 euro le litre et personne n'explique pourquoi.",
    "Les écoles du nord du département attendent les travaux promis depuis 2016.",
    "Attendons la décision du tribunal avant de parler de scandale.",
};
const char* const kGerman[] = {
    "Der Stadtrat hat die Parkgebühren erhöht, das halte ich für kurzsichtig.",
    "Ich habe den ganzen Bericht gelesen und die Zahlen auf Seite 14 passen nicht zur Zusammenfassung.",
    "Danke für den Artikel, guter Lokaljournalismus wird selten.",
    "Die Mieten sind in zwei Jahren um 12 % gestiegen, die Löhne nur um 3,5 %.",
    "Warum wurde die Anhörung am 3. Januar geschlossen? Niemand erklärt es.",
    "Die Brücke wurde 1884 gebaut, nicht 1848, nur zur Korrektur.",
    "Der Bürgermeister hat eine neue Straßenbahnlinie bis 2026 versprochen, aber das Geld fehlt.",
    "Benzin kostete letzte Woche 1,72 Euro und heute 1,95 Euro, niemand kann das erklären.",
    "Die Schulen im Norden des Landkreises warten seit 2016 auf die versprochenen Reparaturen.",
    "Warten wir das Urteil des Gerichts ab, bevor wir von einem Skandal sprechen.",
};

struct TableLine {
  std::string text;
  std::string file;
};


// The text column of every line of tests/moderation/<name>.tsv short enough to sit inside a comment.
std::vector<TableLine> ReadTable(const std::string& name) {
  const fs::path path = fs::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation" / (name + ".tsv");
  std::ifstream in(path);
  if (!in) Die("cannot read " + path.string());
  std::vector<TableLine> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    std::string text = tribune::testing::UnescapeTableText(line.substr(0, tab));
    if (text.empty() || text.size() > 300) continue;
    out.push_back({std::move(text), name});
  }
  if (out.empty()) Die(path.string() + " holds no lines");
  return out;
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  size_t Below(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Percent(int p) { return static_cast<int>(rng_() % 100) < p; }
  template <class T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  std::string Digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Below(10)));
    return s;
  }

 private:
  std::mt19937_64 rng_;  // raw output only: the corpus is the same with every standard library
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

std::string AbuseSentence(Gen& g) {
  std::string s = g.Pick(kAbuseTemplates);
  s = Replace(s, "{p}", g.Pick(kProfane));
  s = Replace(s, "{s}", g.Pick(kShit));
  s = Replace(s, "{i}", g.Pick(kInsult));
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string PrivacySentence(Gen& g) {
  const std::string first = g.Pick(kFirst), last = g.Pick(kLast);
  switch (g.Below(6)) {
    case 0:
      return "You can reach me at " + first + "." + last + g.Digits(2) + "@" + g.Pick(kDomains) +
             " for the documents.";
    case 1:
      return "Call me on +44 7700 900" + g.Digits(3) + " after six, I have the minutes of that meeting.";
    case 2:
      return "My number is (555) " + g.Digits(3) + "-" + g.Digits(4) +
             ", text me and I will send the photos.";
    case 3:
      return "Write to " + first + " dot " + last + " at gmail dot com if you want the full list.";
    case 4:
      return "Contact " + first + "[at]" + g.Pick(kDomains) + " or phone 020 7946 0" + g.Digits(3) + ".";
    default:
      return "Mail " + first + g.Digits(3) + "@" + g.Pick(kDomains) + " with the subject line BUDGET.";
  }
}

// Latin letters with a Cyrillic twin, and the twin's UTF-8.
std::string LookalikeWord(Gen& g, const std::string& word) {
  std::string out;
  const bool fullwidth = g.Percent(40);
  for (char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    if (fullwidth && c > 0x20 && c < 0x7F) {  // U+FF01..U+FF5E
      const unsigned cp = 0xFF01 + (c - 0x21);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      continue;
    }
    static const std::map<char, const char*> kTwin = {{'a', "а"}, {'e', "е"}, {'o', "о"}, {'p', "р"},
                                                      {'c', "с"}, {'x', "х"}, {'y', "у"}};
    const auto twin = kTwin.find(ch);
    const char* cyr = twin == kTwin.end() ? nullptr : twin->second;
    if (cyr && g.Percent(60))
      out += cyr;
    else
      out.push_back(ch);
  }
  return out;
}

// Replaces about one word in five of `s` (ASCII words of 4+ letters) with a look-alike spelling.
std::string WithLookalikes(Gen& g, const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) ++j;
    if (j > i) {
      const std::string w = s.substr(i, j - i);
      out += w.size() >= 4 && g.Percent(20) ? LookalikeWord(g, w) : w;
      i = j;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// Cuts at the last space at or before kMaxBytes (ASCII, so never inside a UTF-8 sequence).
void Trim(std::string& s) {
  if (s.size() <= kMaxBytes) return;
  size_t cut = s.rfind(' ', kMaxBytes);
  if (cut == std::string::npos || cut < kMinBytes) {
    cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  s.resize(cut);
}

struct Tables {
  std::vector<TableLine> abuse, privacy, form;
};

Comment MakeComment(Gen& g, Category cat, const Tables& t) {
  // Filler sentences for the category, a "special" part placed among them.
  const char* const* filler = kNews;
  size_t filler_n = std::size(kNews);
  std::vector<std::string> special;
  bool from_table = false;
  switch (cat) {
    case kClean:
      break;
    case kPrivacy:
      if (g.Percent(50)) {
        special.push_back(g.Pick(t.privacy).text);
        from_table = true;
      } else {
        special.push_back(PrivacySentence(g));
      }
      break;
    case kAbuse:
      if (g.Percent(50)) {
        special.push_back(g.Pick(t.abuse).text);
        from_table = true;
      } else {
        special.push_back(AbuseSentence(g));
        if (g.Percent(30)) special.push_back(AbuseSentence(g));
      }
      break;
    case kShouting:
      if (g.Percent(30)) {
        special.push_back(g.Pick(t.form).text);
        from_table = true;
      }
      break;
    case kForeign:
      switch (g.Below(3)) {
        case 0:
          filler = kRussian, filler_n = std::size(kRussian);
          break;
        case 1:
          filler = kFrench, filler_n = std::size(kFrench);
          break;
        default:
          filler = kGerman, filler_n = std::size(kGerman);
          break;
      }
      break;
    case kLookalike:
      if (g.Percent(30)) special.push_back(LookalikeWord(g, g.Pick(kProfane)) + ", what a mess.");
      break;
    default:
      break;
  }
  // Look-alikes take 2-3 bytes for a letter: leave them room.
  const size_t max_bytes = cat == kLookalike ? kMaxBytes - 60 : kMaxBytes;
  const size_t target = kMinBytes + g.Below(max_bytes - kMinBytes + 1);
  size_t bytes = 0;
  for (const auto& s : special) bytes += s.size() + 1;
  // Filler sentences in a shuffled order, none twice until all were used.
  std::vector<size_t> order;
  std::vector<std::string> parts;
  for (int guard = 0; bytes < target && guard < 64; ++guard) {
    if (order.empty()) {
      for (size_t k = 0; k < filler_n; ++k) order.push_back(k);
      for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[g.Below(k)]);
    }
    std::string s = filler[order.back()];
    order.pop_back();
    if (cat == kClean && g.Percent(15)) s = std::string(g.Pick(kMarkdown)) + s;
    if (bytes + s.size() + 1 > max_bytes) continue;  // try a shorter one
    bytes += s.size() + 1;
    parts.push_back(std::move(s));
  }
  std::vector<bool> is_special(parts.size(), false);
  for (auto& s : special) {
    const auto at = static_cast<std::ptrdiff_t>(g.Below(parts.size() + 1));
    parts.insert(parts.begin() + at, s);
    is_special.insert(is_special.begin() + at, true);
  }

  std::string text;
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string p = parts[k];
    const bool block = p.rfind("- ", 0) == 0 || p.rfind("* ", 0) == 0 || p.rfind("1. ", 0) == 0 ||
                       p.rfind("> ", 0) == 0 || p.rfind("###", 0) == 0;
    if (k > 0) text += block ? "\n" : g.Percent(12) ? "\n\n" : " ";
    if (cat == kShouting && !(from_table && is_special[k])) {
      if (g.Percent(85)) p = Upper(p);
      if (g.Percent(35) && !p.empty() && (p.back() == '.' || p.back() == '?')) {
        p.pop_back();
        p += g.Percent(50) ? "!!!!" : "?!?!";
      }
    }
    text += p;
  }
  if (cat == kLookalike) text = WithLookalikes(g, text);
  Trim(text);
  return {std::move(text), cat, from_table};
}

std::vector<Comment> MakeCorpus(size_t n) {
  Tables t;
  for (const char* name : {"profanity", "insult_threat", "hate"}) {
    auto lines = ReadTable(name);
    t.abuse.insert(t.abuse.end(), lines.begin(), lines.end());
  }
  t.privacy = ReadTable("privacy_personal_data");
  t.form = ReadTable("form");

  std::vector<Category> cats;
  for (int c = 0; c < kCategories; ++c)
    for (size_t k = 0; k < n * kCategoryPercent[c] / 100; ++k) cats.push_back(static_cast<Category>(c));
  while (cats.size() < n) cats.push_back(kClean);
  Gen g(20241130);
  for (size_t k = cats.size(); k > 1; --k) std::swap(cats[k - 1], cats[g.Below(k)]);  // Fisher-Yates
  std::vector<Comment> corpus;
  corpus.reserve(n);
  for (Category c : cats) corpus.push_back(MakeComment(g, c, t));
  return corpus;
}

// ---------------------------------------------------------------------------------------------
// The shared environment: corpus, engine, detectors, prebuilt inputs.

// The article every comment is checked against (the server passes each comment's article, for
// off_topic): a ~1 KB news story; its stem bag is cached after the first comment, as in the server.
constexpr std::string_view kArticle =
    "Council approves budget for the new tram line\ntransport city council budget\n"
    "The city council voted on Tuesday to fund the first stage of a tram line between the railway station and "
    "the university campus. The project will cost 240 million euros, shared between the city, the region and "
    "the national infrastructure fund. Construction of the tracks is due to start next spring and the first "
    "trams should carry passengers in 2029. Opponents on the council argued that electric buses would serve the "
    "same route for a fraction of the price, and shopkeepers on the high street fear two years of roadworks. "
    "The mayor said the line would take thousands of cars off the roads every day and connect the poorer "
    "northern districts to jobs and lectures. Ticket prices will match the current bus fares, and season "
    "tickets for students and pensioners will be discounted. The regional transport authority will run the "
    "line and has promised trams every six minutes at peak hours and every twelve minutes in the evening.";

struct Env {
  fs::path tmp;  // cache dirs of this process and its probes
  std::vector<Comment> corpus;
  size_t total_bytes = 0;
  double corpus_ms = 0;
  std::unique_ptr<moderation::RuleEngine> engine;
  double engine_in_process_cold_ms = 0, engine_in_process_warm_ms = 0;
  moderation::MinimalEngine precheck{5000};
  moderation::FormDetector form;
  moderation::PrivacyDetector privacy;
  std::unique_ptr<moderation::LexiconDetector> lexicon;
  std::unique_ptr<moderation::LearnedDetector> learned;
  std::unique_ptr<moderation::LinksDetector> links;
  std::unique_ptr<moderation::PromotionDetector> promotion;
  std::unique_ptr<moderation::LanguageDetector> language;
  moderation::OffTopicDetector off_topic;
  std::unique_ptr<moderation::Policy> policy;
  std::vector<text::TextViews> views;                    // per comment
  std::vector<std::vector<moderation::Signal>> signals;  // per comment, every detector's
  std::vector<moderation::Action> actions;               // per comment, RuleEngine::Check
  std::vector<std::string> publisher_names;
  double clock_overhead_ns = 0;

  ~Env() {
    std::error_code ec;
    if (!tmp.empty()) fs::remove_all(tmp, ec);
  }
};

Env* g_env = nullptr;

Env& Get() {
  if (g_env) return *g_env;
  auto* e = new Env();
  std::string tmpl = (fs::temp_directory_path() / "tribune-engine-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
  e->tmp = tmpl;

  const char* n_env = std::getenv("TRIBUNE_ENGINE_BENCH_COMMENTS");
  const size_t n = n_env ? static_cast<size_t>(std::max(100L, std::atol(n_env))) : 2000;
  auto t0 = Clock::now();
  e->corpus = MakeCorpus(n);
  e->corpus_ms = Millis(Clock::now() - t0);
  for (const auto& c : e->corpus) e->total_bytes += c.text.size();

  // The engine as the server builds it (default edition "en"), cold then warm in this process.
  moderation::EngineConfig config;
  config.cache_dir = (e->tmp / "cache").string();
  t0 = Clock::now();
  e->engine = Must(moderation::BuildRuleEngine(config), "BuildRuleEngine (cold)");
  e->engine_in_process_cold_ms = Millis(Clock::now() - t0);
  t0 = Clock::now();
  e->engine = Must(moderation::BuildRuleEngine(config), "BuildRuleEngine (warm)");
  e->engine_in_process_warm_ms = Millis(Clock::now() - t0);

  // The stages on their own: the same detectors and policy BuildRuleEngine assembles.
  const std::string dir = moderation::DefaultLexiconDir();
  e->lexicon =
      Must(moderation::LexiconDetector::Load(dir, LexiconLanguages(dir), config.cache_dir), "lexicon");
  e->learned =
      Must(moderation::LearnedDetector::Load(moderation::DefaultLearnedModelPath()), "learned model");
  e->links = Must(moderation::LinksDetector::Load(), "links");
  e->promotion = Must(moderation::PromotionDetector::Load(), "promotion");
  e->language = Must(moderation::LanguageDetector::Load(moderation::DefaultLanguageModelPath(), {"en"}), "language");
  e->policy = std::make_unique<moderation::Policy>(Must(moderation::Policy::Load("", "en"), "policy"));
  e->views.reserve(n);
  e->signals.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string& text = e->corpus[i].text;
    if (e->precheck.Check({text, 1, 1, "en"}).action != moderation::Action::kPublish)
      Die("comment " + std::to_string(i) + " fails the precheck:\n" + text);
    e->views.push_back(text::BuildViews(text));
    moderation::DetectorInput in{e->views.back(), "en", kArticle, &e->publisher_names};
    e->form.Detect(in, e->signals[i]);
    e->privacy.Detect(in, e->signals[i]);
    e->lexicon->Detect(in, e->signals[i]);
    e->learned->Detect(in, e->signals[i]);
    e->links->Detect(in, e->signals[i]);
    e->promotion->Detect(in, e->signals[i]);
    e->language->Detect(in, e->signals[i]);
    e->off_topic.Detect(in, e->signals[i]);
    e->actions.push_back(e->engine->Check({text, 1, 1, "en", kArticle}).action);
  }

  // What one steady_clock::now() pair costs here.
  constexpr int kReps = 200000;
  t0 = Clock::now();
  Clock::duration sink{};
  for (int i = 0; i < kReps; ++i) {
    const auto a = Clock::now();
    sink += Clock::now() - a;
  }
  benchmark::DoNotOptimize(sink);
  e->clock_overhead_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kReps;

  g_env = e;
  return *e;
}

// ---------------------------------------------------------------------------------------------
// Results kept for the summary (the last run of each benchmark: Google Benchmark's final one).

struct Dist {
  size_t n = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};

double Percentile(std::vector<double>& v, double p) {
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

Dist Summarise(std::vector<double> v) {
  Dist d;
  d.n = v.size();
  if (v.empty()) return d;
  double sum = 0;
  for (double x : v) sum += x;
  d.mean = sum / static_cast<double>(v.size());
  d.max = *std::max_element(v.begin(), v.end());
  d.p50 = Percentile(v, 0.50);
  d.p90 = Percentile(v, 0.90);
  d.p99 = Percentile(v, 0.99);
  return d;
}

struct Timed {
  Dist all;
  Dist by_category[kCategories];
  double items_per_s = 0;  // from the benchmark's wall time
  double cpu_us = 0;       // thread CPU time per item, timing overhead included
  // Each comment's median time over the passes (a comment is timed once per pass over the corpus): a tail
  // made of the same comments every pass is their cost, not noise. Empty after fewer than 3 passes.
  std::vector<double> comment_median_us;
};

double g_load_before = 0;                    // 1-minute load average when the benchmarks start
std::map<std::string, Timed> g_timed;        // stage or pipeline name → result
std::map<std::string, double> g_throughput;  // untimed runs: comments/s
std::map<std::string, std::map<std::string, double>> g_probes;  // startup / memory numbers

// Runs `fn(i)` for comment i, one comment an iteration, timing each call.
template <class Fn>
void TimedLoop(benchmark::State& state, const char* name, Fn fn) {
  Env& env = Get();
  const size_t n = env.corpus.size();
  std::vector<double> us;
  us.reserve(1 << 20);
  size_t i = 0;
  const double cpu0 = ThreadCpuSeconds();
  const auto wall0 = Clock::now();
  for (auto _ : state) {
    const size_t k = i++ % n;
    const auto t0 = Clock::now();
    fn(k);
    us.push_back(Micros(Clock::now() - t0));
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - wall0).count();
  const double cpu_s = ThreadCpuSeconds() - cpu0;
  state.SetItemsProcessed(static_cast<int64_t>(us.size()));
  state.SetBytesProcessed(static_cast<int64_t>(static_cast<double>(env.total_bytes) / static_cast<double>(n) *
                                               static_cast<double>(us.size())));
  if (us.empty()) return;
  Timed t;
  std::vector<double> per[kCategories];
  for (size_t k = 0; k < us.size(); ++k) per[env.corpus[k % n].category].push_back(us[k]);
  for (int c = 0; c < kCategories; ++c) t.by_category[c] = Summarise(std::move(per[c]));
  if (us.size() >= 3 * n) {
    std::vector<std::vector<double>> each(n);
    for (size_t k = 0; k < us.size(); ++k) each[k % n].push_back(us[k]);
    for (auto& v : each) t.comment_median_us.push_back(Percentile(v, 0.5));
  }
  t.all = Summarise(std::move(us));
  t.items_per_s = static_cast<double>(t.all.n) / wall_s;
  t.cpu_us = cpu_s * 1e6 / static_cast<double>(t.all.n);
  state.counters["cpu_us"] = t.cpu_us;
  state.counters["mean_us"] = t.all.mean;
  state.counters["p50_us"] = t.all.p50;
  state.counters["p90_us"] = t.all.p90;
  state.counters["p99_us"] = t.all.p99;
  state.counters["max_us"] = t.all.max;
  g_timed[name] = t;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks.

void BM_FullPipeline(benchmark::State& state) {
  Env& env = Get();
  TimedLoop(state, "pipeline", [&](size_t k) {
    auto d = env.engine->Check({env.corpus[k].text, 1, 1, "en", kArticle});
    benchmark::DoNotOptimize(d);
  });
}

void BM_FullPipelineThroughput(benchmark::State& state) {
  Env& env = Get();
  const size_t n = env.corpus.size();
  size_t i = 0;
  const double cpu0 = ThreadCpuSeconds();
  const auto t0 = Clock::now();
  for (auto _ : state) {
    auto d = env.engine->Check({env.corpus[i++ % n].text, 1, 1, "en", kArticle});
    benchmark::DoNotOptimize(d);
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = ThreadCpuSeconds() - cpu0;
  state.SetItemsProcessed(static_cast<int64_t>(i));
  if (i > 0) {
    g_throughput["pipeline"] = static_cast<double>(i) / s;
    g_throughput["pipeline_cpu"] = static_cast<double>(i) / cpu;
    state.counters["comments_per_s"] = static_cast<double>(i) / s;
    state.counters["comments_per_cpu_s"] = static_cast<double>(i) / cpu;
  }
}

void BM_Stage_Precheck(benchmark::State& state) {
  Env& env = Get();
  TimedLoop(state, "precheck", [&](size_t k) {
    auto d = env.precheck.Check({env.corpus[k].text, 1, 1, "en"});
    benchmark::DoNotOptimize(d);
  });
}

void BM_Stage_BuildViews(benchmark::State& state) {
  Env& env = Get();
  TimedLoop(state, "build_views", [&](size_t k) {
    auto v = text::BuildViews(env.corpus[k].text, /*with_words=*/false);  // as RuleEngine::Check
    benchmark::DoNotOptimize(v);
  });
}

template <class D>
void DetectorLoop(benchmark::State& state, const char* name, const D& detector) {
  Env& env = Get();
  std::vector<moderation::Signal> out;
  TimedLoop(state, name, [&](size_t k) {
    out.clear();
    moderation::DetectorInput in{env.views[k], "en", kArticle, &env.publisher_names};
    detector.Detect(in, out);
    benchmark::DoNotOptimize(out);
  });
}

void BM_Stage_FormDetector(benchmark::State& state) { DetectorLoop(state, "form", Get().form); }
void BM_Stage_PrivacyDetector(benchmark::State& state) { DetectorLoop(state, "privacy", Get().privacy); }
void BM_Stage_LexiconDetector(benchmark::State& state) { DetectorLoop(state, "lexicon", *Get().lexicon); }
void BM_Stage_LearnedDetector(benchmark::State& state) { DetectorLoop(state, "learned", *Get().learned); }
void BM_Stage_LinksDetector(benchmark::State& state) { DetectorLoop(state, "links", *Get().links); }
void BM_Stage_PromotionDetector(benchmark::State& state) { DetectorLoop(state, "promotion", *Get().promotion); }
void BM_Stage_LanguageDetector(benchmark::State& state) { DetectorLoop(state, "language", *Get().language); }
void BM_Stage_OffTopicDetector(benchmark::State& state) { DetectorLoop(state, "off_topic", Get().off_topic); }

void BM_Stage_PolicyDecide(benchmark::State& state) {
  Env& env = Get();
  TimedLoop(state, "policy_decide", [&](size_t k) {
    auto d = env.policy->Decide(env.signals[k], "en");
    benchmark::DoNotOptimize(d);
  });
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

uint64_t CacheBytes(const fs::path& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".hsdb") bytes += entry.file_size(ec);
  return bytes;
}

void BM_Startup(benchmark::State& state) {
  Env& env = Get();
  const int cold_runs = EnvInt("TRIBUNE_ENGINE_BENCH_COLD", 3),
            warm_runs = EnvInt("TRIBUNE_ENGINE_BENCH_WARM", 5);
  std::vector<double> cold, warm;
  double rss_after_warm = 0;
  fs::path warm_dir;
  for (auto _ : state) {
    cold.clear();
    warm.clear();
    for (int r = 0; r < cold_runs; ++r) {
      const fs::path dir = env.tmp / ("startup-" + std::to_string(r));
      std::error_code ec;
      fs::remove_all(dir, ec);  // empty: BuildRuleEngine compiles and writes the cache
      cold.push_back(std::stod(RunProbe({"--probe", "engine", dir.string()})["ms"]));
      warm_dir = dir;
    }
    for (int r = 0; r < warm_runs; ++r) {
      auto kv = RunProbe({"--probe", "engine", warm_dir.string()});
      warm.push_back(std::stod(kv["ms"]));
      rss_after_warm = std::stod(kv["rss_after_kib"]);
    }
  }
  auto& p = g_probes["startup"];
  p["cold_ms_median"] = Median(cold);
  p["cold_ms_min"] = *std::min_element(cold.begin(), cold.end());
  p["cold_ms_max"] = *std::max_element(cold.begin(), cold.end());
  p["warm_ms_median"] = Median(warm);
  p["warm_ms_min"] = *std::min_element(warm.begin(), warm.end());
  p["warm_ms_max"] = *std::max_element(warm.begin(), warm.end());
  p["cold_runs"] = cold_runs;
  p["warm_runs"] = warm_runs;
  p["cache_file_bytes"] = static_cast<double>(CacheBytes(warm_dir));
  p["process_rss_after_warm_kib"] = rss_after_warm;
  p["in_process_cold_ms"] = env.engine_in_process_cold_ms;
  p["in_process_warm_ms"] = env.engine_in_process_warm_ms;
  for (const char* k : {"cold_ms_median", "warm_ms_median", "cache_file_bytes", "in_process_warm_ms"})
    state.counters[k] = p[k];
}

void BM_LexiconMemory(benchmark::State& state) {
  Env& env = Get();
  std::map<std::string, std::string> cold, warm;
  for (auto _ : state) {
    const fs::path dir = env.tmp / "memory";
    std::error_code ec;
    fs::remove_all(dir, ec);
    cold = RunProbe({"--probe", "lexicon", dir.string()});
    warm = RunProbe({"--probe", "lexicon", dir.string()});
  }
  auto& p = g_probes["lexicon_memory"];
  auto num = [](std::map<std::string, std::string>& kv, const char* k) { return std::stod(kv[k]); };
  for (auto* kv : {&cold, &warm}) {
    const std::string pre = kv == &cold ? "cold_" : "warm_";
    p[pre + "load_ms"] = num(*kv, "load_ms");
    p[pre + "from_cache"] = num(*kv, "from_cache");
    p[pre + "rss_delta_kib"] = num(*kv, "rss_after_kib") - num(*kv, "rss_before_kib");
    p[pre + "rss_delta_after_trim_kib"] = num(*kv, "rss_after_trim_kib") - num(*kv, "rss_before_kib");
    p[pre + "peak_delta_kib"] = num(*kv, "hwm_kib") - num(*kv, "hwm_before_kib");
  }
  p["icu_init_ms"] = num(warm, "icu_init_ms");
  p["icu_rss_kib"] = num(warm, "rss_icu_kib");
  p["entries"] = num(warm, "entries");
  p["cache_file_bytes"] = static_cast<double>(CacheBytes(env.tmp / "memory"));
  for (const char* k :
       {"warm_rss_delta_kib", "cold_rss_delta_kib", "cold_peak_delta_kib", "cache_file_bytes"})
    state.counters[k] = p[k];
}

BENCHMARK(BM_FullPipeline)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_FullPipelineThroughput)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_Stage_Precheck)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_BuildViews)->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(BM_Stage_FormDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_PrivacyDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_LexiconDetector)->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime();
BENCHMARK(BM_Stage_LearnedDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_LinksDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_PromotionDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_LanguageDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_OffTopicDetector)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Stage_PolicyDecide)->Unit(benchmark::kMicrosecond)->MinTime(0.5)->UseRealTime();
BENCHMARK(BM_Startup)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_LexiconMemory)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// ---------------------------------------------------------------------------------------------
// Summary: JSON for bench/results/latest.json ("engine") and KEY=VALUE lines for the table.

constexpr double kGoalRate = 100000, kGoalP99Us = 50, kGoalLexiconMiB = 50, kGoalStartupMs = 200;

std::string Num(double v) {
  char buf[64];
  if (v == static_cast<double>(static_cast<int64_t>(v)) && std::abs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string DistFields(const Dist& d) {
  return "\"n\": " + Num(static_cast<double>(d.n)) + ", \"mean_us\": " + Num(d.mean) +
         ", \"p50_us\": " + Num(d.p50) + ", \"p90_us\": " + Num(d.p90) + ", \"p99_us\": " + Num(d.p99) +
         ", \"max_us\": " + Num(d.max);
}
std::string DistJson(const Dist& d) { return "{" + DistFields(d) + "}"; }

std::string Met(bool measured, bool ok) { return measured ? (ok ? "true" : "false") : "null"; }

void WriteSummary(const Env& env) {
  const char* json_path = std::getenv("TRIBUNE_ENGINE_BENCH_JSON");
  const char* kv_path = std::getenv("TRIBUNE_ENGINE_BENCH_KV");
  std::map<std::string, std::string> kv;  // also the source of the JSON's flat numbers
  std::ostringstream j;
  const size_t n = env.corpus.size();

  // Corpus: per category, how many, their size and what the engine decided.
  size_t min_b = SIZE_MAX, max_b = 0, from_table = 0;
  std::map<std::string, std::map<std::string, size_t>> decided;
  size_t count[kCategories] = {}, bytes[kCategories] = {};
  for (size_t i = 0; i < n; ++i) {
    const Comment& c = env.corpus[i];
    min_b = std::min(min_b, c.text.size());
    max_b = std::max(max_b, c.text.size());
    from_table += c.from_table;
    ++count[c.category];
    bytes[c.category] += c.text.size();
    ++decided[kCategoryNames[c.category]][moderation::ActionName(env.actions[i])];
  }
  j << "{\n  \"corpus\": {\"comments\": " << n
    << ", \"bytes_mean\": " << Num(static_cast<double>(env.total_bytes) / n) << ", \"bytes_min\": " << min_b
    << ", \"bytes_max\": " << max_b << ", \"with_table_lines\": " << from_table
    << ", \"edition\": \"en\", \"generated_ms\": " << Num(env.corpus_ms) << ",\n    \"categories\": {";
  for (int c = 0; c < kCategories; ++c) {
    auto& d = decided[kCategoryNames[c]];
    j << (c ? ", " : "") << "\"" << kCategoryNames[c] << "\": {\"comments\": " << count[c]
      << ", \"bytes_mean\": " << Num(count[c] ? static_cast<double>(bytes[c]) / count[c] : 0)
      << ", \"publish\": " << d["publish"] << ", \"hold\": " << d["hold"] << ", \"reject\": " << d["reject"]
      << "}";
  }
  double load_end[1] = {0};
  getloadavg(load_end, 1);
  j << "}},\n  \"clock_overhead_ns\": " << Num(env.clock_overhead_ns)
    << ", \"loadavg_1m_before\": " << Num(g_load_before) << ", \"loadavg_1m_after\": " << Num(load_end[0])
    << ",\n";
  kv["loadavg_1m_before"] = Num(g_load_before);
  kv["loadavg_1m_after"] = Num(load_end[0]);
  kv["comments"] = Num(static_cast<double>(n));
  kv["bytes_mean"] = Num(static_cast<double>(env.total_bytes) / n);

  // Pipeline.
  const bool have_rate = g_throughput.count("pipeline") > 0, have_lat = g_timed.count("pipeline") > 0;
  const double rate = have_rate ? g_throughput["pipeline"] : 0;
  const Dist lat = have_lat ? g_timed["pipeline"].all : Dist{};
  const double rate_cpu = have_rate ? g_throughput["pipeline_cpu"] : 0;
  j << "  \"pipeline\": {\"comments_per_s\": " << (have_rate ? Num(rate) : "null")
    << ", \"comments_per_cpu_s\": " << (have_rate ? Num(rate_cpu) : "null")
    << ", \"timed_cpu_us\": " << (have_lat ? Num(g_timed["pipeline"].cpu_us) : "null")
    << ", \"latency\": " << (have_lat ? DistJson(lat) : "null")
    << ", \"timed_comments_per_s\": " << (have_lat ? Num(g_timed["pipeline"].items_per_s) : "null")
    << ",\n    \"goal_comments_per_s\": " << Num(kGoalRate)
    << ", \"goal_rate_met\": " << Met(have_rate, rate >= kGoalRate)
    << ", \"goal_p99_us\": " << Num(kGoalP99Us)
    << ", \"goal_p99_met\": " << Met(have_lat, lat.p99 < kGoalP99Us);
  std::vector<size_t> slowest;  // comment indexes, slowest median first
  if (have_lat && !g_timed["pipeline"].comment_median_us.empty()) {
    const std::vector<double>& med = g_timed["pipeline"].comment_median_us;
    for (size_t i = 0; i < med.size(); ++i) slowest.push_back(i);
    std::sort(slowest.begin(), slowest.end(), [&](size_t a, size_t b) { return med[a] > med[b]; });
    slowest.resize(std::min<size_t>(slowest.size(), 10));
    j << ",\n    \"comment_medians\": " << DistJson(Summarise(med)) << ", \"slowest_comments\": [";
    for (size_t k = 0; k < slowest.size(); ++k) {
      const Comment& c = env.corpus[slowest[k]];
      j << (k ? ", " : "") << "{\"index\": " << slowest[k] << ", \"category\": \""
        << kCategoryNames[c.category] << "\", \"bytes\": " << c.text.size()
        << ", \"median_us\": " << Num(med[slowest[k]]) << "}";
    }
    j << "]";
    kv["pipeline_comment_median_p99_us"] = Num(Summarise(med).p99);
  }
  if (have_lat) {
    j << ",\n    \"by_category\": {";
    for (int c = 0; c < kCategories; ++c)
      j << (c ? ", " : "") << "\n      \"" << kCategoryNames[c]
        << "\": " << DistJson(g_timed["pipeline"].by_category[c]);
    j << "}";
  }
  j << "},\n";
  kv["pipeline_comments_per_s"] = have_rate ? Num(rate) : "null";
  kv["pipeline_comments_per_cpu_s"] = have_rate ? Num(rate_cpu) : "null";
  kv["pipeline_p50_us"] = have_lat ? Num(lat.p50) : "null";
  kv["pipeline_p99_us"] = have_lat ? Num(lat.p99) : "null";
  kv["pipeline_max_us"] = have_lat ? Num(lat.max) : "null";
  kv["pipeline_mean_us"] = have_lat ? Num(lat.mean) : "null";
  kv["goal_rate_met"] = Met(have_rate, rate >= kGoalRate);
  kv["goal_p99_met"] = Met(have_lat, lat.p99 < kGoalP99Us);

  // Stages, in pipeline order.
  j << "  \"stages\": {";
  double sum_mean = 0, sum_cpu = 0;
  bool first = true;
  for (const char* s :
       {"precheck", "build_views", "form", "privacy", "lexicon", "learned", "links", "promotion", "language",
        "off_topic", "policy_decide"}) {
    if (!g_timed.count(s)) continue;
    const Timed& t = g_timed[s];
    sum_mean += t.all.mean;
    sum_cpu += t.cpu_us;
    j << (first ? "" : ",") << "\n    \"" << s << "\": {" << DistFields(t.all)
      << ", \"cpu_us\": " << Num(t.cpu_us) << ", \"by_category_mean_us\": {";
    for (int c = 0; c < kCategories; ++c)
      j << (c ? ", " : "") << "\"" << kCategoryNames[c] << "\": " << Num(t.by_category[c].mean);
    j << "}}";
    first = false;
    kv[std::string("stage_") + s + "_mean_us"] = Num(t.all.mean);
    kv[std::string("stage_") + s + "_p99_us"] = Num(t.all.p99);
    kv[std::string("stage_") + s + "_cpu_us"] = Num(t.cpu_us);
  }
  j << "},\n  \"stages_sum_mean_us\": " << Num(sum_mean) << ", \"stages_sum_cpu_us\": " << Num(sum_cpu)
    << ",\n";
  kv["stages_sum_mean_us"] = Num(sum_mean);
  kv["stages_sum_cpu_us"] = Num(sum_cpu);

  // Start-up and memory.
  const bool have_start = g_probes.count("startup") > 0, have_mem = g_probes.count("lexicon_memory") > 0;
  auto obj = [&](const char* name) {
    j << "  \"" << name << "\": {";
    bool f = true;
    for (const auto& [k, v] : g_probes[name]) {
      j << (f ? "" : ", ") << "\"" << k << "\": " << Num(v);
      f = false;
      kv[std::string(name) + "_" + k] = Num(v);
    }
  };
  if (have_start) {
    const double warm = g_probes["startup"]["warm_ms_median"];
    obj("startup");
    j << ", \"goal_warm_ms\": " << Num(kGoalStartupMs)
      << ", \"goal_met\": " << Met(true, warm < kGoalStartupMs) << "},\n";
    kv["goal_startup_met"] = Met(true, warm < kGoalStartupMs);
  } else {
    j << "  \"startup\": null,\n";
    kv["goal_startup_met"] = "null";
  }
  if (have_mem) {
    auto& m = g_probes["lexicon_memory"];
    const double worst_mib =
        std::max({m["warm_rss_delta_kib"] / 1024, m["cold_rss_delta_after_trim_kib"] / 1024,
                  m["cache_file_bytes"] / 1048576.0});
    obj("lexicon_memory");
    j << ", \"goal_mib\": " << Num(kGoalLexiconMiB) << ", \"goal_measure_mib\": " << Num(worst_mib)
      << ", \"goal_met\": " << Met(true, worst_mib < kGoalLexiconMiB) << "}\n";
    kv["lexicon_goal_measure_mib"] = Num(worst_mib);
    kv["goal_memory_met"] = Met(true, worst_mib < kGoalLexiconMiB);
  } else {
    j << "  \"lexicon_memory\": null\n";
    kv["goal_memory_met"] = "null";
  }
  j << "}\n";

  if (json_path && *json_path) std::ofstream(json_path) << j.str();
  if (kv_path && *kv_path) {
    std::ofstream out(kv_path);
    for (const auto& [k, v] : kv) out << k << "=" << v << "\n";
  }

  // A human summary on stderr.
  std::fprintf(stderr, "\ncorpus: %zu comments, %.0f bytes on average (%zu-%zu), %zu with a table line\n", n,
               static_cast<double>(env.total_bytes) / n, min_b, max_b, from_table);
  std::fprintf(stderr, "%-10s %5s %6s  %7s %5s %6s", "category", "n", "bytes", "publish", "hold", "reject");
  if (have_lat) std::fprintf(stderr, "  %9s %9s", "mean_us", "p99_us");
  std::fprintf(stderr, "\n");
  for (int c = 0; c < kCategories; ++c) {
    auto& d = decided[kCategoryNames[c]];
    std::fprintf(stderr, "%-10s %5zu %6.0f  %7zu %5zu %6zu", kCategoryNames[c], count[c],
                 count[c] ? static_cast<double>(bytes[c]) / count[c] : 0.0, d["publish"], d["hold"],
                 d["reject"]);
    if (have_lat)
      std::fprintf(stderr, "  %9.2f %9.2f", g_timed["pipeline"].by_category[c].mean,
                   g_timed["pipeline"].by_category[c].p99);
    std::fprintf(stderr, "\n");
  }
  if (!slowest.empty()) {
    std::fprintf(stderr, "slowest comments (median over the passes; --dump-corpus prints them all):\n");
    for (size_t i : slowest) {
      std::string head = env.corpus[i].text.substr(0, 70);
      while (!head.empty() && (static_cast<unsigned char>(head.back()) & 0xC0) == 0x80) head.pop_back();
      if (!head.empty() && static_cast<unsigned char>(head.back()) >= 0xC0) head.pop_back();
      std::replace(head.begin(), head.end(), '\n', ' ');
      std::fprintf(stderr, "  #%-4zu %-9s %3zu B %7.1f us  %s...\n", i,
                   kCategoryNames[env.corpus[i].category], env.corpus[i].text.size(),
                   g_timed["pipeline"].comment_median_us[i], head.c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--probe") == 0) {
    if (argc != 4) Die("usage: --probe engine|lexicon CACHE_DIR");
    return Probe(argv[2], argv[3]);
  }
  // --dump-corpus: print the corpus, each comment after a line "=== #INDEX CATEGORY [(table)]", and exit.
  if (argc >= 2 && std::strcmp(argv[1], "--dump-corpus") == 0) {
    const char* n_env = std::getenv("TRIBUNE_ENGINE_BENCH_COMMENTS");
    const auto corpus = MakeCorpus(n_env ? static_cast<size_t>(std::max(100L, std::atol(n_env))) : 2000);
    for (size_t i = 0; i < corpus.size(); ++i)
      std::printf("=== #%zu %s%s\n%s\n", i, kCategoryNames[corpus[i].category],
                  corpus[i].from_table ? " (table)" : "", corpus[i].text.c_str());
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Env& env = Get();  // corpus, engine and prebuilt inputs before the first timing
  std::fprintf(stderr,
               "tribune_engine_bench: %zu comments, %.0f bytes on average; engine built in %.0f ms cold, "
               "%.0f ms warm (this process); steady_clock pair %.0f ns\n",
               env.corpus.size(), static_cast<double>(env.total_bytes) / env.corpus.size(),
               env.engine_in_process_cold_ms, env.engine_in_process_warm_ms, env.clock_overhead_ns);
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) g_load_before = load[0];
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  WriteSummary(env);
  delete g_env;
  return 0;
}
