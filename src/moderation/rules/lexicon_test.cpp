#include "moderation/rules/lexicon.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace tribune::moderation {
namespace {

namespace fs = std::filesystem;

std::string SourceDir() {
#ifdef TRIBUNE_SOURCE_DIR
  return TRIBUNE_SOURCE_DIR;
#else
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path().string();
#endif
}

const std::vector<std::string>& Languages() {
  static const std::vector<std::string> kLanguages = {"de", "en", "es", "fr", "ru"};
  return kLanguages;
}

// The shipped lexicons, loaded once per test process. ctest runs each test in its own process, so the
// compiled databases go to a cache shared by the test processes (and rule_engine_test, which builds the
// same lexicons): only the first compiles them.
const LexiconDetector& Shipped() {
  static const std::unique_ptr<LexiconDetector> detector = [] {
    auto d = LexiconDetector::Load(SourceDir() + "/data/lexicons", Languages(),
                                   (fs::temp_directory_path() / "tribune-test-lexicon-cache").string());
    if (!d.ok()) {
      ADD_FAILURE() << d.error().message;
      std::abort();
    }
    return std::move(d).value();
  }();
  return *detector;
}

std::vector<Signal> Scan(const LexiconDetector& d, std::string_view text, std::string_view language = "en") {
  const text::TextViews views = text::BuildViews(text);
  std::vector<Signal> out;
  d.Detect(DetectorInput{views, language, {}, nullptr}, out);
  return out;
}

std::vector<Signal> Scan(std::string_view text, std::string_view language = "en") {
  return Scan(Shipped(), text, language);
}

const Signal* Find(const std::vector<Signal>& signals, std::string_view rule) {
  for (const Signal& s : signals)
    if (s.rule == rule) return &s;
  return nullptr;
}

std::string Describe(const std::vector<Signal>& signals) {
  std::string out;
  for (const Signal& s : signals)
    out += s.rule + " " + std::to_string(s.confidence) + " (" + s.detail + "); ";
  return out.empty() ? "nothing" : out;
}

// The text a signal's first span covers in `original`.
std::string Covered(std::string_view original, const Signal& s) {
  if (s.spans.empty()) return "";
  return std::string(original.substr(s.spans[0].first, s.spans[0].second - s.spans[0].first));
}

// A scratch lexicon directory for tests that need their own entries.
class TempLexicon {
 public:
  TempLexicon() {
    dir_ = fs::temp_directory_path() /
           ("tribune_lexicon_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "en");
  }
  ~TempLexicon() { fs::remove_all(dir_); }
  void Write(const std::string& relative, const std::string& content) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << content;
  }
  std::string dir() const { return dir_.string(); }
  std::string cache() const { return (dir_ / "cache").string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

TEST(Lexicon, LoadsEveryShippedLanguageWithAllThreeRules) {
  std::set<std::pair<std::string, std::string>> have;
  for (const LexiconStats& s : Shipped().Stats())
    if (s.entries > 0) have.insert({s.language, s.rule});
  for (const std::string& lang : Languages()) {
    for (const char* rule : {"profanity", "insult_threat", "hate", "allow"}) {
      EXPECT_TRUE(have.count({lang, rule})) << lang << "/" << rule;
    }
  }
}

// Every plain entry of the shipped files (no template, not `local` or `addressed`) fires its own rule when
// written alone: entries go through the text's normalisation, or they would never match. This is also how
// the slurs of hate.txt are tested without spelling them in code.
TEST(Lexicon, EveryShippedEntryMatchesItself) {
  int checked = 0;
  for (const std::string& lang : Languages()) {
    for (const auto& file : fs::directory_iterator(fs::path(SourceDir()) / "data" / "lexicons" / lang)) {
      const std::string rule = file.path().stem().string();
      if (file.path().extension() != ".txt" || rule == "allow" || rule == "second_person") continue;
      std::ifstream in(file.path());
      ASSERT_TRUE(in) << lang << "/" << rule;
      std::string line;
      int line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
        ASSERT_NE(t1, std::string::npos) << lang << "/" << rule << ":" << line_no;
        const std::string term = line.substr(0, t1);
        const std::string flags = t2 == std::string::npos ? "" : line.substr(t2 + 1);
        if (term.find('{') != std::string::npos || flags.find("local") != std::string::npos ||
            flags.find("addressed") != std::string::npos || flags.find("cue") != std::string::npos)
          continue;
        auto signals = Scan(term, lang);
        EXPECT_NE(Find(signals, rule), nullptr)
            << lang << "/" << rule << ":" << line_no << " does not match itself";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 500);
}

TEST(Lexicon, CleanSentencesPublishNothing) {
  for (const char* text : {
           "Thanks for the article, the analysis of the budget is clear.",
           "The council in Scunthorpe approved the new cocktail bar near Penistone station.",
           "The assassin was caught in Essex; her therapist testified in Middlesex and Sussex.",
           "Dickens wrote cumbersome sentences, but the document is a classic.",
           "Shitake mushrooms and grapes: hello from the market!",
           "I passed the class and the bass player agreed with the assessment.",
           "Le gouvernement a présenté son budget hier soir.",
           "Die Regierung hat gestern den Haushalt vorgestellt.",
           "El gobierno presentó ayer el presupuesto.",
           "Правительство вчера представило бюджет. Скипидар и употреблять — обычные слова.",
           "Застрахуйте машину до поездки в Херсон.",
           "You are right, the numbers do not add up.",
       }) {
    auto signals = Scan(text);
    EXPECT_TRUE(signals.empty()) << text << ": " << Describe(signals);
  }
}

TEST(Lexicon, ObfuscatedProfanityFiresWithSpanOverTheWrittenWord) {
  struct Case {
    const char* text;
    const char* covered;
  };
  for (const Case& c : {
           Case{"what the f.u.c.k is this", "f.u.c.k"},
           Case{"this is fuuuuck awful", "fuuuuck"},
           Case{"ＦＵＣＫ this", "ＦＵＣＫ"},
           Case{"what the f*ck", "f*ck"},
           Case{"total sh1t", "sh1t"},
           Case{"fu\xD1\x81k them", "fu\xD1\x81k"},  // Cyrillic с
           Case{"what a load of s**t", "s**t"},
           Case{"sh!t happens", "sh!t"},
           Case{"f**k off", "f**k"},
           Case{"F u c k", "F u c k"},
       }) {
    auto signals = Scan(c.text);
    const Signal* s = Find(signals, "profanity");
    ASSERT_NE(s, nullptr) << c.text << ": " << Describe(signals);
    EXPECT_EQ(Covered(c.text, *s), c.covered) << c.text;
    EXPECT_GE(s->confidence, 0.5) << c.text;
  }
}

TEST(Lexicon, MaskedWordsAreWeakerThanWrittenOnes) {
  auto plain_signals = Scan("fuck");
  const Signal* plain = Find(plain_signals, "profanity");
  auto masked_signals = Scan("f*ck");
  const Signal* masked = Find(masked_signals, "profanity");
  ASSERT_NE(plain, nullptr);
  ASSERT_NE(masked, nullptr);
  EXPECT_NEAR(masked->confidence, 0.8 * plain->confidence, 1e-6);
  EXPECT_NE(masked->detail.find("(masked)"), std::string::npos);
}

TEST(Lexicon, DerivativesCoverTheWholeWord) {
  auto signals = Scan("those fuckers and their shitty plan");
  ASSERT_EQ(signals.size(), 2u) << Describe(signals);
  EXPECT_EQ(Covered("those fuckers and their shitty plan", signals[0]), "fuckers");
  EXPECT_EQ(Covered("those fuckers and their shitty plan", signals[1]), "shitty");
}

TEST(Lexicon, AllowListedWordsDoNotFire) {
  for (const char* text : {"Scunthorpe", "assassin", "cocktail", "therapist", "Essex", "the pussy riot trial",
                           "magna cum laude", "Moby Dick", "a chink in the armour", "скипидар", "страхуй"}) {
    auto signals = Scan(text);
    EXPECT_TRUE(signals.empty()) << text << ": " << Describe(signals);
  }
}

TEST(Lexicon, InsultsAimedAtTheReaderAreStronger) {
  auto alone = Scan("the idiot driver");
  auto aimed = Scan("you idiot");
  const Signal* a = Find(alone, "insult_threat");
  const Signal* b = Find(aimed, "insult_threat");
  ASSERT_NE(a, nullptr) << Describe(alone);
  ASSERT_NE(b, nullptr) << Describe(aimed);
  EXPECT_GE(b->confidence, 0.8);
  EXPECT_LT(a->confidence, 0.8);
  EXPECT_GE(a->confidence, 0.4);
  for (const char* text :
       {"you are a moron", "you're such a complete idiot", "idiots like you", "I will kill you",
        "you should die", "ты идиот", "du bist ein Vollidiot", "eres un idiota", "tu es un imbécile"}) {
    auto signals = Scan(text);
    const Signal* s = Find(signals, "insult_threat");
    ASSERT_NE(s, nullptr) << text << ": " << Describe(signals);
    EXPECT_GE(s->confidence, 0.8) << text;
  }
}

TEST(Lexicon, AddressedOnlyWordsNeedTheReader) {
  auto aimed = Scan("you are pathetic");
  EXPECT_NE(Find(aimed, "insult_threat"), nullptr) << Describe(aimed);
  EXPECT_TRUE(Scan("a pathetic result for the team").empty());
  EXPECT_TRUE(Scan("you are not stupid").empty());
}

TEST(Lexicon, HateIdentityAttacksFire) {
  auto signals = Scan("Immigrants are vermin");
  const Signal* s = Find(signals, "hate");
  ASSERT_NE(s, nullptr) << Describe(signals);
  EXPECT_GE(s->confidence, 0.8);
  EXPECT_EQ(Covered("Immigrants are vermin", *s), "Immigrants are vermin");
}

TEST(Lexicon, SpansMapToTheOriginalBytes) {
  const std::string text = "Café… «ты мудак», fuuuck!";
  auto signals = Scan(text);
  ASSERT_FALSE(signals.empty());
  std::set<std::string> covered;
  for (const Signal& s : signals) covered.insert(Covered(text, s));
  EXPECT_TRUE(covered.count("мудак")) << Describe(signals);
  EXPECT_TRUE(covered.count("fuuuck")) << Describe(signals);
}

TEST(Lexicon, DetectIsSafeFromManyThreads) {
  const std::string text = "you f*cking idiot, ты мудак, Scunthorpe";
  const auto expected = Scan(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto got = Scan(text);
        if (got.size() != expected.size()) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Lexicon, LocalEntriesCountOnlyOnTheirEdition) {
  TempLexicon lex;
  lex.Write("en/profanity.txt", "# test\nbadword\t0.9\tword\n");
  lex.Write("de/profanity.txt", "# test\nlocalword\t0.7\tword,local\n");
  auto d = LexiconDetector::Load(lex.dir(), {"de", "en"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(Scan(**d, "a localword here", "en").empty());
  EXPECT_EQ(Scan(**d, "a localword here", "de").size(), 1u);
  EXPECT_EQ(Scan(**d, "a badword here", "de").size(), 1u);  // every loaded language runs on every text
}

TEST(Lexicon, FlagsAndTemplates) {
  TempLexicon lex;
  lex.Write("en/profanity.txt",
            "# test\nzork\t0.9\tprefix\nblat\t0.6\tword,inflect\nquux\t0.5\tsubstring\n{he'll|we will} "
            "zap\t0.7\tword\n");
  lex.Write("en/allow.txt", "# test\nzorkmid*\n");
  auto d = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(Scan(**d, "zorkers").size(), 1u);
  EXPECT_TRUE(Scan(**d, "azork").empty());      // prefix: must start the word
  EXPECT_TRUE(Scan(**d, "zorkmids").empty());   // allow-listed
  EXPECT_EQ(Scan(**d, "blats").size(), 1u);     // inflect: + s
  EXPECT_TRUE(Scan(**d, "blatant").empty());    // + "ant" is no ending
  EXPECT_EQ(Scan(**d, "xxquuxxx").size(), 1u);  // substring
  EXPECT_EQ(Scan(**d, "hell zap").size(), 1u);  // apostrophe dropped
  EXPECT_EQ(Scan(**d, "we will zap").size(), 1u);
  EXPECT_EQ(Scan(**d, "he’ll zap").size(), 1u);  // typographic apostrophe
}

TEST(Lexicon, NeedsCueEntriesCountOnlyWithAContextWordNearby) {
  TempLexicon lex;
  lex.Write("en/drugs.txt",
            "# test\nzorkine\t0.8\tword,inflect,needs_cue\n{buy|order}\t1\tcue\nsell zorkine\t0.9\tword\n");
  auto d = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(Scan(**d, "Police seized zorkine worth a million at the port.").empty());  // news, no cue
  auto before = Scan(**d, "Where can I buy zorkine around here?");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].rule, "drugs");
  EXPECT_DOUBLE_EQ(before[0].confidence, 0.8);
  EXPECT_NE(before[0].detail.find("with \"buy\""), std::string::npos) << before[0].detail;
  EXPECT_EQ(Scan(**d, "Zorkines delivered tonight. Order by text.").size(), 1u);  // after, next sentence
  // Too far: more than ~100 bytes between the cue and the term.
  EXPECT_TRUE(Scan(**d, "I buy my groceries at the market on Saturdays, and the news this week said the "
                        "customs officers had found zorkine in a container")
                  .empty());
  EXPECT_TRUE(Scan(**d, "buy").empty());  // a cue alone is no finding
  // A cue that shares a spelling with a plain entry: both live.
  EXPECT_EQ(Scan(**d, "They sell zorkine.").size(), 1u);
  lex.Write("en/drugs.txt", "# test\nzorkine\t0.8\tcue,needs_cue\n");
  auto bad = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("drugs.txt:2"), std::string::npos) << bad.error().message;
}

TEST(Lexicon, ThreatEntriesMarkTheirDetail) {
  // The shipped threats (their own section of each insult_threat.txt) carry the flag; insults do not.
  for (const auto& [text, lang] : std::vector<std::pair<std::string, std::string>>{
           {"I will kill you", "en"}, {"ich bring dich um", "de"}, {"te voy a matar", "es"},
           {"je vais te tuer", "fr"}, {"я тебя убью", "ru"}}) {
    auto signals = Scan(text, lang);
    const Signal* s = Find(signals, "insult_threat");
    ASSERT_NE(s, nullptr) << text;
    EXPECT_TRUE(s->detail.ends_with(" [threat]")) << s->detail;
  }
  auto insult = Scan("Café owners are idiots.");
  ASSERT_NE(Find(insult, "insult_threat"), nullptr);
  EXPECT_EQ(Find(insult, "insult_threat")->detail.find("[threat]"), std::string::npos);

  TempLexicon lex;
  lex.Write("en/insult_threat.txt", "# test\nzork you\t0.9\tword,threat\nzorkhead\t0.5\tword\n");
  auto d = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto threat = Scan(**d, "I will zork you");
  ASSERT_EQ(threat.size(), 1u);
  EXPECT_EQ(threat[0].detail, "lexicon en/insult_threat: zork you [threat]");
  auto plain = Scan(**d, "what a zorkhead");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].detail, "lexicon en/insult_threat: zorkhead");
  lex.Write("en/insult_threat.txt", "# test\nzork\t0.8\tcue,threat\n");
  EXPECT_FALSE(LexiconDetector::Load(lex.dir(), {"en"}).ok());
}

TEST(Lexicon, PublisherNamesAreCuesForInsultPublisher) {
  TempLexicon lex;
  lex.Write("en/insult_publisher.txt", "# test\n{liar|liars}\t0.8\tword,needs_cue\n");
  auto none = LexiconDetector::Load(lex.dir(), {"en"}, lex.dir() + "/cache");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(Scan(**none, "The Clarion's editors are liars.").empty());
  auto named = LexiconDetector::Load(lex.dir(), {"en"}, lex.dir() + "/cache", {"The Clarion", "bad{name|x}\t"});
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_FALSE(named.value()->loaded_from_cache());  // the names are part of the cache key
  auto hits = Scan(**named, "The Clarion's editors are liars.");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].rule, "insult_publisher");
  EXPECT_NE(hits[0].detail.find("with \"The Clarion\""), std::string::npos) << hits[0].detail;
  EXPECT_TRUE(Scan(**named, "The Herald's editors are liars.").empty());
}

TEST(Lexicon, MalformedEntriesAreReportedWithFileAndLine) {
  TempLexicon lex;
  lex.Write("en/profanity.txt", "# test\ngood\t0.5\tword\nbad\t1.5\tword\n");
  auto d = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(d.error().message.find("en/profanity.txt:3"), std::string::npos) << d.error().message;

  lex.Write("en/profanity.txt", "# test\ngood\t0.5\tsometimes\n");
  auto e = LexiconDetector::Load(lex.dir(), {"en"});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("unknown flag"), std::string::npos);

  auto missing = LexiconDetector::Load(lex.dir(), {"xx"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
}

TEST(Lexicon, CachedDatabasesLoadAndMatchTheSame) {
  TempLexicon lex;
  lex.Write("en/profanity.txt", "# test\nzork\t0.9\tprefix\n");
  lex.Write("en/insult_threat.txt", "# test\nnumpty\t0.5\tword,inflect\n");
  lex.Write("en/second_person.txt", "# test\nyou\n+are\n+a\n");
  auto cold = LexiconDetector::Load(lex.dir(), {"en"}, lex.cache());
  ASSERT_TRUE(cold.ok()) << cold.error().message;
  EXPECT_FALSE((*cold)->loaded_from_cache());
  auto warm = LexiconDetector::Load(lex.dir(), {"en"}, lex.cache());
  ASSERT_TRUE(warm.ok()) << warm.error().message;
  EXPECT_TRUE((*warm)->loaded_from_cache());
  for (const char* text : {"zorkers", "you are a numpty", "a numpty", "fine"}) {
    auto a = Scan(**cold, text), b = Scan(**warm, text);
    ASSERT_EQ(a.size(), b.size()) << text;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].detail, b[i].detail);
      EXPECT_EQ(a[i].confidence, b[i].confidence);
      EXPECT_EQ(a[i].spans, b[i].spans);
    }
  }
  // A changed lexicon is a different key: rebuilt, not served stale.
  lex.Write("en/profanity.txt", "# test\nzork\t0.9\tprefix\nblat\t0.9\tword\n");
  auto changed = LexiconDetector::Load(lex.dir(), {"en"}, lex.cache());
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE((*changed)->loaded_from_cache());
  EXPECT_EQ(Scan(**changed, "blat").size(), 1u);
}

TEST(Lexicon, ShippedLexiconsAreCompiledOnceThenLoadedFromTheCache) {
  TempLexicon lex;
  auto t0 = std::chrono::steady_clock::now();
  auto cold = LexiconDetector::Load(SourceDir() + "/data/lexicons", Languages(), lex.cache());
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(cold.ok()) << cold.error().message;
  auto warm = LexiconDetector::Load(SourceDir() + "/data/lexicons", Languages(), lex.cache());
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_TRUE(warm.ok());
  EXPECT_FALSE((*cold)->loaded_from_cache());
  EXPECT_TRUE((*warm)->loaded_from_cache());
  // Times are printed for the record, never asserted (the speed is measured in make bench).
  std::printf("lexicon start-up: compile %.0f ms, cached %.0f ms\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count());
}

}  // namespace
}  // namespace tribune::moderation
