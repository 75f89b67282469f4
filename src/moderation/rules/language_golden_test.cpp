// Behaviour lock for the language rule: the judged text (language::PrepareText: text, letter and script
// counts, span), the stop-word statistics, CLD2's and fastText's guesses on the judged text, and the
// signals (rule, confidence, detail, spans) of LanguageDetector for several editions, over a varied
// corpus, must equal what tests/moderation/language_golden.txt recorded. The detector gets rewritten for
// speed (cheaper evidence first, the models asked only when it leaves the question open);
// language_test.cpp and language.tsv say what it must decide, this says nothing else moved either.
//
// Corpus: every line of tests/moderation/*.tsv (read at run time), hand-picked inputs (malformed UTF-8
// too), and strings generated from a fixed seed: sentences of words of one language with words of others
// mixed in, quoted lines, quotations, links, addresses, @mentions, #hashtags, digits, emoji, zero-width
// characters and control characters.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "moderation/rules/language.hpp"
#include "support/golden.hpp"

namespace tribune::moderation {
namespace {

using tribune::testing::Digest;
using tribune::testing::Rng;

const std::filesystem::path kGolden =
    std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation" / "language_golden.txt";

const LanguageDetector& Detector(const std::vector<std::string>& editions) {
  static std::map<std::vector<std::string>, std::unique_ptr<LanguageDetector>> cache;
  auto& slot = cache[editions];
  if (!slot) {
    auto loaded = LanguageDetector::Load(DefaultLanguageModelPath(), editions);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().message;
      std::abort();
    }
    slot = std::move(loaded).value();
  }
  return *slot;
}

std::vector<std::string> HandPicked() {
  // clang-format off
  return {
      "", " ", "a", "\xFF\xFE\xFD", "> quoted only\n> more",
      "Опять повысили тарифы на коммуналку, а зарплаты стоят на месте уже третий год. Кто за это ответит?",
      "Fares went up again this year while wages have not moved for three years. Who is going to answer for that?",
      "Encore une réforme décidée sans consulter les enseignants, on se demande vraiment à quoi servent les syndicats.",
      "Die Bahn ist schon wieder zu spät, und trotzdem steigen die Ticketpreise jedes Jahr. Das ist einfach lächerlich.",
      "La verdad es que el gobierno no ha hecho nada por los trabajadores en todos estos años de crisis.",
      "Non capisco perché il comune non abbia ancora riparato la strada, è pericolosa per tutti i bambini.",
      "Nie rozumiem, dlaczego nikt z rządu nie odpowiedział na te pytania, to jest naprawdę skandaliczne.",
      "Bu konuda hükümetin hiçbir açıklama yapmaması çok garip, halk gerçekten cevap bekliyor artık.",
      "我觉得这个政策完全没有考虑到普通老百姓的生活，物价一直在涨，工资却没有变化。",
      "この記事は本当に興味深いですね。でも、政府の対応はもう少し早くするべきだったと思います。",
      "Αυτό το άρθρο είναι πολύ ενδιαφέρον, αλλά δεν καταλαβαίνω γιατί η κυβέρνηση δεν κάνει τίποτα.",
      "I agree with the article, but as they say \"c'est la vie, on ne peut rien y faire, mon ami\".",
      "> Опять повысили тарифы на коммуналку, а зарплаты стоят\nYes, and nobody in the council seems to care about it at all.",
      "Read this https://example.ru/статья/про/тарифы and also «это просто безобразие какое-то» please.",
      "@анна @борис #тарифы #коммуналка mail@example.com www.example.com short",
      "Pierre Dubois, Jean-Luc Mélenchon and François Hollande met Angela Merkel in Brussels yesterday.",
      "Опять\xE2\x80\x8B повысили\xC2\xA0тарифы\tна\r\nкоммуналку, а\x01зарплаты стоят на месте уже третий год!!!",
      "\xC3\x28 Опять повысили тарифы \xA0 на коммуналку, а зарплаты стоят на месте уже третий год \xF0\x9F",
  };
  // clang-format on
}

struct Pool {
  const char* lang;
  std::vector<std::string> words;
};

const std::vector<Pool>& Pools() {
  // clang-format off
  static const std::vector<Pool> pools = {
      {"en", {"the", "and", "of", "that", "it", "for", "you", "with", "are", "this", "government", "people",
              "prices", "really", "never", "council", "article", "think", "year", "wages", "nobody", "answer"}},
      {"ru", {"и", "в", "не", "на", "что", "это", "как", "но", "правительство", "люди", "цены", "опять",
              "тарифы", "зарплаты", "никто", "ответит", "статья", "думаю", "год", "Ёлка", "ещё", "уже"}},
      {"fr", {"le", "la", "les", "des", "est", "et", "une", "que", "qui", "pour", "gouvernement", "c'est",
              "l'article", "vraiment", "réforme", "enseignants", "syndicats", "jamais", "personne", "prix"}},
      {"de", {"der", "die", "das", "und", "ist", "nicht", "ein", "zu", "mit", "auf", "Regierung", "wieder",
              "Preise", "einfach", "lächerlich", "Bahn", "spät", "jedes", "Jahr", "niemand", "Straße"}},
      {"es", {"el", "la", "los", "de", "que", "y", "en", "es", "por", "con", "gobierno", "verdad", "nada",
              "trabajadores", "años", "crisis", "nunca", "precios", "está", "más"}},
      {"pl", {"i", "w", "z", "na", "nie", "się", "to", "że", "jest", "rząd", "dlaczego", "nikt", "pytania",
              "naprawdę", "skandaliczne", "ceny", "rok", "już", "tylko"}},
      {"tr", {"ve", "bir", "bu", "da", "için", "ile", "çok", "ama", "hükümet", "halk", "cevap", "gerçekten",
              "açıklama", "fiyatlar", "değil", "şey"}},
      {"el", {"και", "το", "η", "να", "του", "δεν", "είναι", "κυβέρνηση", "άρθρο", "ενδιαφέρον", "τίποτα",
              "τιμές", "πολύ"}},
      {"zh", {"我", "觉得", "这个", "政策", "完全", "没有", "老百姓", "生活", "物价", "工资", "变化"}},
      {"uk", {"і", "в", "не", "що", "це", "як", "але", "уряд", "люди", "ціни", "знову", "тільки", "вже"}},
  };
  // clang-format on
  return pools;
}

const std::vector<std::string>& Decorations() {
  // clang-format off
  static const std::vector<std::string> deco = {
      ",", ".", "!", "?", " - ", "\n", "\n> ", "\"", "«", "»", "“", "”", "„", "'", "’", "(", ")",
      "https://example.com/a?b=c", "www.bbc.co.uk/news", "example.ru", "mail@example.com", "@anna", "#tag",
      "2024", "42", "😀", "\xE2\x80\x8B", "\xC2\xA0", "\t", "\x01", "\xFF", "…", "＂", "「", "」",
  };
  // clang-format on
  return deco;
}

std::string Generated(Rng& rng) {
  const auto& pools = Pools();
  const auto& deco = Decorations();
  const Pool& main = pools[rng.Below(pools.size())];
  const size_t mix = rng.Below(4);  // 0: one language; more: how often another one's words come in
  std::string s;
  const size_t n = 3 + rng.Below(70);
  for (size_t k = 0; k < n; ++k) {
    const size_t r = rng.Below(20);
    if (r < 3) {
      s += deco[rng.Below(deco.size())];
    } else {
      const Pool& p = rng.Below(10) < mix * 2 ? pools[rng.Below(pools.size())] : main;
      s += p.words[rng.Below(p.words.size())];
    }
    if (rng.Below(8) != 0) s += " ";
  }
  return s;
}

void GuessDigest(Digest& d, const LanguageDetector::Guess& g) {
  d.Str(g.language).Bytes(&g.probability, sizeof g.probability).U64(g.reliable ? 1 : 0).U64(g.others.size());
  for (const auto& [lang, p] : g.others) d.Str(lang).Bytes(&p, sizeof p);
}

std::string Outputs(std::string_view text) {
  Digest d;
  const language::JudgedText jt = language::PrepareText(text);
  d.Str(jt.text).U64(jt.letters).U64(jt.begin).U64(jt.end);
  for (size_t n : jt.script_letters) d.U64(n);
  const language::StopWordStats sw = language::CountStopWords(jt.text);
  d.U64(sw.words).U64(sw.hits.size());
  for (const auto& [code, hits] : sw.hits) d.Str(code).U64(hits);
  if (jt.letters > 0) {
    GuessDigest(d, LanguageDetector::Cld2Guess(jt.text));
    GuessDigest(d, Detector({"en"}).FastTextGuess(jt.text));
  }
  text::TextViews views;
  views.original = text;  // the detector reads only the original
  const std::pair<std::vector<std::string>, const char*> runs[] = {
      {{"en"}, "en"}, {{}, "ru"}, {{"en", "fr"}, "en"}, {{"de"}, "de"}};
  for (const auto& [editions, input_language] : runs) {
    std::vector<Signal> signals;
    Detector(editions).Detect(DetectorInput{views, input_language, "", nullptr}, signals);
    d.U64(signals.size());
    for (const Signal& s : signals) {
      d.Str(s.rule).Bytes(&s.confidence, sizeof s.confidence).Str(s.detail).U64(s.may_reject ? 1 : 0);
      d.U64(s.spans.size());
      for (auto [b, e] : s.spans) d.U64(b).U64(e);
    }
  }
  return d.Hex().substr(0, 12);
}

std::string Describe(std::string_view text) {
  text::TextViews views;
  views.original = text;
  std::string out;
  for (const char* lang : {"en", "ru", "de"}) {
    std::vector<Signal> signals;
    Detector({lang}).Detect(DetectorInput{views, lang, "", nullptr}, signals);
    for (const Signal& s : signals) out += std::string("  edition ") + lang + ": " + s.detail + "\n";
  }
  return out;
}

TEST(LanguageGolden, JudgedTextGuessesAndSignalsEqualTheRecordedOutput) {
  std::vector<std::string> corpus = HandPicked();
  Rng rng(3011);
  for (int k = 0; k < 3000; ++k) corpus.push_back(Generated(rng));
  const size_t generated = corpus.size();
  for (std::string& line : tribune::testing::RuleTableTexts(TRIBUNE_SOURCE_DIR)) corpus.push_back(std::move(line));
  tribune::testing::RunGolden(
      kGolden, "language",
      "PrepareText + CountStopWords + CLD2/fastText guesses + LanguageDetector signals: input\n"
      "digest, then a 48-bit digest of them. Written by\n"
      "src/moderation/rules/language_golden_test.cpp with TRIBUNE_WRITE_GOLDEN=1.",
      corpus, generated, Outputs, [](const std::string& in) { return "now signals:\n" + Describe(in); });
}

}  // namespace
}  // namespace tribune::moderation
