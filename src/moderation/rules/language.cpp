// The language rule: weighing CLD2's and fastText's answers (language_model.cpp) with script and stop-word
// evidence. See language.hpp for the rule itself.
#include "moderation/rules/language.hpp"

#include <algorithm>
#include <cstdio>

namespace tribune::moderation {

namespace {

using language::JudgedText;
using language::Script;
using language::StopWordStats;

constexpr double kCld2AgreeShare = 0.6;     // CLD2 agreeing: reliable and this share of the text
constexpr double kFastTextAgreeProb = 0.5;  // fastText agreeing
constexpr double kSure = 0.9;               // one detector alone is "sure" from here
constexpr double kEditionVeto = 0.3;        // CLD2 share / fastText probability of an edition language that vetoes
constexpr double kEditionStopVeto = 0.2;    // share of the edition's stop words that vetoes (with the max share)
constexpr double kStopAgree = 0.12;         // share of L's stop words that confirms L
constexpr size_t kStopAgreeHits = 3;
constexpr double kStopContradict = 0.1;     // edition stop words from this share on, when L's are no more frequent, veto
constexpr double kScriptAgree = 0.6;        // share of letters in L's scripts that no edition language uses

bool IsEdition(const std::vector<std::string>& editions, std::string_view lang) {
  return std::any_of(editions.begin(), editions.end(), [&](const std::string& e) { return language::SameLanguage(lang, e); });
}

// Share of the letters written in `lang`'s scripts that no edition language is written in: Cyrillic letters
// say "not English" on an English edition; Latin letters say nothing about French there.
double ForeignScriptShare(const JudgedText& jt, std::string_view lang, const std::vector<std::string>& editions) {
  if (jt.letters == 0) return 0;
  std::vector<Script> home;
  for (const std::string& e : editions) {
    for (Script s : language::ScriptsOf(e)) home.push_back(s);
  }
  size_t n = 0;
  for (Script s : language::ScriptsOf(lang)) {
    if (std::find(home.begin(), home.end(), s) == home.end()) n += jt.script_letters[static_cast<size_t>(s)];
  }
  return static_cast<double>(n) / static_cast<double>(jt.letters);
}

// An upper bound of ForeignScriptShare over every language: the share of the letters in scripts that no
// edition language is written in.
double ForeignScriptBound(const JudgedText& jt, const std::vector<std::string>& editions) {
  if (jt.letters == 0) return 0;
  std::array<bool, language::kScriptCount> home{};
  for (const std::string& e : editions) {
    for (Script s : language::ScriptsOf(e)) home[static_cast<size_t>(s)] = true;
  }
  size_t n = 0;
  for (size_t s = 0; s < language::kScriptCount; ++s) {
    if (!home[s]) n += jt.script_letters[s];
  }
  return static_cast<double>(n) / static_cast<double>(jt.letters);
}

Script DominantScript(const JudgedText& jt) {
  size_t best = 0;
  for (size_t s = 1; s < language::kScriptCount; ++s) {
    if (jt.script_letters[s] > jt.script_letters[best]) best = s;
  }
  return static_cast<Script>(best);
}

// The probability / share an opinion gives to edition languages, over its top three.
double EditionWeight(const LanguageDetector::Guess& g, const std::vector<std::string>& editions) {
  double w = IsEdition(editions, g.language) ? g.probability : 0.0;
  for (const auto& [lang, p] : g.others) {
    if (IsEdition(editions, lang)) w += p;
  }
  return w;
}

int Percent(double x) { return static_cast<int>(x * 100 + 0.5); }

}  // namespace

void LanguageDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    // The configured languages, or else the input's (a copy per comment only in that case).
    std::vector<std::string> input_editions;
    if (edition_languages_.empty()) {
      std::string lang = language::NormalizeLanguage(input.language);
      if (lang.empty()) return;
      input_editions.push_back(std::move(lang));
    }
    const std::vector<std::string>& editions = edition_languages_.empty() ? input_editions : edition_languages_;
    const JudgedText jt = language::PrepareText(input.views.original);
    if (jt.letters < language::kMinLetters) return;

    // Stop words first: they are cheap, and an ordinary comment in the edition's language ends here
    // without asking the detectors.
    const StopWordStats sw = language::CountStopWords(jt.text);
    double edition_stop = 0, other_stop = 0;
    for (const auto& [code, hits] : sw.hits) {
      if (hits == 0) continue;
      double& best = IsEdition(editions, code) ? edition_stop : other_stop;
      best = std::max(best, static_cast<double>(hits) / static_cast<double>(sw.words));
    }
    if (edition_stop >= kEditionStopVeto && edition_stop >= other_stop) return;

    // What the cheap evidence allows whatever language L the detectors name (the models cost most of the
    // rule's time, so they are asked only while a signal is still possible): script evidence can agree
    // only when the letters in scripts no edition uses reach kScriptAgree (ForeignScriptShare counts a
    // subset of them), stop-word evidence only when some other language's list passes its thresholds.
    const bool script_possible = ForeignScriptBound(jt, editions) >= kScriptAgree;
    bool stop_possible = false;
    for (const auto& [code, hits] : sw.hits) {
      const double share = static_cast<double>(hits) / static_cast<double>(sw.words);
      stop_possible = stop_possible || (!IsEdition(editions, code) && share >= kStopAgree && hits >= kStopAgreeHits &&
                                        share >= 2 * edition_stop);
    }
    // The contradiction veto below, for every L: L's stop-word share is at most other_stop.
    if (!script_possible && edition_stop >= kStopContradict && edition_stop >= other_stop) return;

    // Much of the text in an edition language (a translation, a long English part): readers can follow.
    // CLD2 first: it is about three times cheaper than fastText.
    const Guess cld = Cld2Guess(jt.text);
    if (EditionWeight(cld, editions) >= kEditionVeto) return;
    auto foreign = [&](const Guess& g) { return !g.language.empty() && !IsEdition(editions, g.language); };
    // fastText only when its answer can still lead to a signal: CLD2 naming an edition language rules out
    // both agreement and a sure fastText (the other detector must not read the edition's language); CLD2
    // unable to agree leaves a sure fastText, which then needs script or stop-word evidence.
    if (IsEdition(editions, cld.language)) return;
    const bool cld_may_agree = foreign(cld) && cld.reliable && cld.probability >= kCld2AgreeShare;
    if (!cld_may_agree && !script_possible && !stop_possible) return;
    const Guess ft = FastTextGuess(jt.text);
    if (EditionWeight(ft, editions) >= kEditionVeto) return;

    const bool agree = foreign(cld) && cld.reliable && cld.probability >= kCld2AgreeShare &&
                       ft.probability >= kFastTextAgreeProb && language::SameLanguage(cld.language, ft.language);
    const bool sure_ft = foreign(ft) && ft.probability >= kSure;
    const bool sure_cld = foreign(cld) && cld.reliable && cld.probability >= kSure;
    std::string lang;
    if (agree || sure_ft) {
      lang = ft.language;
    } else if (sure_cld) {
      lang = cld.language;
    } else {
      return;
    }
    if (!agree) {
      // One sure detector: the other must at least not read the edition's language.
      const Guess& other = sure_ft ? cld : ft;
      if (IsEdition(editions, other.language)) return;
    }

    const double script_share = ForeignScriptShare(jt, lang, editions);
    const bool script_agrees = script_share >= kScriptAgree;
    const double stop_share = sw.Share(lang);
    const bool stop_agrees = sw.HasList(lang) && stop_share >= kStopAgree && sw.Hits(lang) >= kStopAgreeHits &&
                             stop_share >= 2 * edition_stop;
    // More of the edition's function words than L's: names and borrowed words fooled the detectors (Polish
    // names in an English sentence). Agglutinative languages (Finnish, Turkish) have few function words, so
    // their absence alone proves nothing; only the edition's presence does.
    if (edition_stop >= kStopContradict && edition_stop >= stop_share && !script_agrees) return;
    const bool third = script_agrees || stop_agrees;
    if (!agree && !third) return;

    Signal sig;
    sig.rule = "language";
    sig.confidence = std::min(1.0, 0.5 + (agree ? 0.25 : 0.0) + (third ? 0.15 : 0.0) + (sure_ft || sure_cld ? 0.1 : 0.0));
    char buf[200];
    // fastText's language is named only when it differs from the verdict (CLD2 alone was sure).
    const std::string ft_name = ft.language == lang ? "" : (ft.language.empty() ? "unknown " : ft.language + " ");
    std::snprintf(buf, sizeof buf, "language: %s (fastText %s%.2f, CLD2 %s %d%%%s", lang.c_str(), ft_name.c_str(),
                  ft.probability, cld.language.empty() ? "unknown" : cld.language.c_str(), Percent(cld.probability),
                  cld.reliable ? "" : " unreliable");
    sig.detail = buf;
    if (script_agrees) {
      std::snprintf(buf, sizeof buf, ", %s letters %d%%", language::ScriptName(DominantScript(jt)), Percent(script_share));
      sig.detail += buf;
    }
    if (stop_agrees) {
      std::snprintf(buf, sizeof buf, ", stop words %d%%", Percent(stop_share));
      sig.detail += buf;
    }
    sig.detail += ")";
    sig.spans.emplace_back(jt.begin, jt.end);
    out.push_back(std::move(sig));
  } catch (...) {
    // Out of memory is the only way here; a detector must not throw.
  }
}

}  // namespace tribune::moderation
