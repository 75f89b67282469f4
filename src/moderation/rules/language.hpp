// Rule "language": a comment written in a language other than the edition's. The site "may delete
// comments in languages other than the language of the majority of the site's content"; the policy caps
// the rule at hold, and a wrong hold costs a moderator's time, so the detector prefers missing a case over
// a false positive.
//
// Evidence (every piece is needed because each one alone is wrong on short or mixed text):
//   - CLD2 (Debian's libcld2 with the full tables of libcld2_full: ~160 languages) — the top language,
//     its share of the text in percent and CLD2's own reliability flag;
//   - fastText with the lid.176 model (176 languages) — the top label and its probability;
//   - script: the share of letters per Unicode script (Cyrillic letters on a Latin-script edition);
//   - stop words: the share of words that are frequent function words of a language (language_stopwords.cpp).
//
// The judged text is the comment without quoted lines ("> …"), text in quotation marks, URLs, e-mail
// addresses, @mentions and #hashtags — what a reader quotes or links is not what they wrote — cut to the
// first kMaxJudgedBytes. With fewer than kMinLetters letters left nothing is judged (every detector is
// unreliable below a sentence).
//
// A signal needs a detected language L that is not one of the edition's languages, and:
//   (a) CLD2 and fastText agree on L (CLD2 reliable with ≥ 60 % of the text, fastText ≥ 0.5), or
//   (b) one of them is sure of L (fastText ≥ 0.9, or CLD2 reliable with ≥ 90 %) and script or stop-word
//       evidence agrees, while the other does not name an edition language;
// where script evidence agrees when ≥ 60 % of the letters are in L's scripts that no edition language uses,
// and stop-word evidence when ≥ 12 % of the words (at least 3) are L's stop words, twice the edition's share;
// and no veto — a mostly edition-language comment with a foreign phrase, foreign names or a translation
// stays unflagged:
//   - the edition's stop words make up ≥ 20 % of the words and no other language's make up more (checked
//     first, so ordinary comments never reach the detectors);
//   - CLD2 finds ≥ 30 % of the text in an edition language, or fastText gives edition languages ≥ 0.3;
//   - the edition's stop words make up ≥ 10 % of the words and at least L's share, and L's script does not
//     set the text apart (detectors swayed by foreign names in an edition-language sentence).
//
// Confidence = 0.5 + 0.25 (both detectors agree) + 0.15 (script or stop words agree) + 0.1 (one detector
// sure), at most 1. Under the shipped policy (weight 4, hold at 4) only full agreement holds a comment on
// its own; weaker evidence is recorded as a finding and adds to other rules.
// Detail: "language: ru (fastText 0.98, CLD2 ru 97%, Cyrillic letters 100%)". Span: the judged part of
// the original text (first to last judged byte).
//
// Thread-safe (the fastText model is read-only after Load; predictLine is const), never throws, bounded
// work per comment whatever its length (at most kMaxScanBytes of the original are looked at).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"

namespace tribune::moderation {

class LanguageModel;  // the fastText model (language.cpp)

namespace language {

constexpr size_t kMinLetters = 40;        // fewer letters in the judged text: no signal
constexpr size_t kMaxJudgedBytes = 3000;  // the detectors see at most this much (about 500 words)
constexpr size_t kMaxScanBytes = 16384;   // of the original; quotes and links beyond it are not looked for
constexpr size_t kMaxFastTextBytes = 1024;  // fastText sees the first ~150 words of the judged text

enum class Script : uint8_t {
  kLatin, kCyrillic, kGreek, kArmenian, kHebrew, kArabic, kDevanagari, kOtherIndic, kThai, kGeorgian,
  kHangul, kKana, kHan, kOtherLetter,
  kNone,  // not a letter
};
constexpr size_t kScriptCount = static_cast<size_t>(Script::kNone);

// The script of a letter, kNone for anything else (digits, punctuation, spaces, emoji, combining marks).
Script ScriptOf(char32_t c);
const char* ScriptName(Script s);  // "Latin", "Cyrillic", …

// What is left of a comment for judging.
struct JudgedText {
  std::string text;     // valid UTF-8 on one line (line breaks and removed parts become single spaces)
  size_t letters = 0;
  std::array<size_t, kScriptCount> script_letters{};
  size_t begin = 0, end = 0;  // byte range of the original from the first to the last judged character
};

// Removes quoted lines, quotations, URLs, e-mail addresses, @mentions and #hashtags from `original` (any
// bytes: malformed UTF-8 is read as U+FFFD, which is not a letter) and counts the letters of the rest.
JudgedText PrepareText(std::string_view original);

// Lower-case ISO 639-1 code without region or script: "en-GB" → "en", "zh-Hant" → "zh", CLD2's old
// codes "iw" → "he", "in" → "id", "jw" → "jv", "nb"/"nn" → "no". Empty for CLD2's "un" / "xx-…".
std::string NormalizeLanguage(std::string_view code);

// Whether detected language `a` counts as edition language `b`: equal, or variants readers of one read
// without trouble and the detectors confuse (sr/hr/bs, ms/id, no/nb/nn).
bool SameLanguage(std::string_view a, std::string_view b);

// The scripts a language is normally written in (Latin for the languages not listed).
std::vector<Script> ScriptsOf(std::string_view lang);

// Stop-word statistics of a judged text: how many words, and how many of them are stop words of each
// language that has a list (language_stopwords.cpp).
struct StopWordStats {
  size_t words = 0;
  std::vector<std::pair<std::string_view, size_t>> hits;  // per listed language (code, hits)
  // How many of the words are stop words of `lang` (0 without a list), and their share of all words.
  size_t Hits(std::string_view lang) const;
  double Share(std::string_view lang) const;
  bool HasList(std::string_view lang) const;
};
StopWordStats CountStopWords(std::string_view judged_text);

}  // namespace language

class LanguageDetector final : public Detector {
 public:
  // Loads the fastText language-identification model (data/models/lid.176.ftz). `edition_languages`:
  // the languages comments are expected in; empty: the input's edition language. Errors: kUnavailable
  // naming the file (missing, unreadable, not a fastText model).
  static Result<std::unique_ptr<LanguageDetector>> Load(const std::string& fasttext_model_path,
                                                        std::vector<std::string> edition_languages);
  ~LanguageDetector() override;

  std::string_view Name() const override { return "language"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

  // The raw opinions on a (prepared) text, for tests and tools.
  struct Guess {
    std::string language;  // normalised code, empty when unknown
    double probability = 0;  // fastText: probability; CLD2: share of the text in [0, 1]
    bool reliable = false;   // CLD2's flag; fastText: always true
    std::vector<std::pair<std::string, double>> others;  // the runners-up (CLD2: shares; fastText: probabilities)
  };
  Guess FastTextGuess(std::string_view text) const;
  static Guess Cld2Guess(std::string_view text);
  // CLD2's version string; its data date tells the full tables ("V2.0 - 20140204") from the small ones.
  static std::string Cld2Version();

 private:
  LanguageDetector(std::unique_ptr<LanguageModel> model, std::vector<std::string> edition_languages);

  std::unique_ptr<LanguageModel> model_;
  std::vector<std::string> edition_languages_;  // normalised
};

// data/models/lid.176.ftz of the source tree this binary was built from (development and tests).
std::string DefaultLanguageModelPath();

}  // namespace tribune::moderation
