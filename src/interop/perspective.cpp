// comments:analyze and comments:suggestscore (perspective.hpp): parse (perspective_request.cpp), pick the
// language, one engine Check, the reply written by hand in Google's key order.
#include "interop/perspective.hpp"

#include <algorithm>

#include "interop/lenient_json.hpp"
#include "interop/perspective_internal.hpp"
#include "interop/rule_map.hpp"
#include "interop/sentences.hpp"
#include "moderation/rules/language.hpp"

namespace tribune::interop {

using namespace perspective_internal;

namespace {

// The guesser's thresholds: below kGuessMinLetters letters of judged text nothing is guessed; a top candidate
// under kGuessMinConfidence means unsure; candidates under kGuessKeep are not listed.
constexpr size_t kGuessMinLetters = 12;
constexpr double kGuessMinConfidence = 0.5;
constexpr double kGuessKeep = 0.1;
// CLD2 alone decides when it calls its answer reliable with at least this share of the text.
constexpr double kCld2Sure = 0.9;

struct Languages {
  std::string used;                   // what the engine judges the text as
  std::vector<std::string> detected;  // detectedLanguages
};

bool Has(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

Reply BadJson(const Result<boost::json::value>& parsed) {
  if (!parsed.ok()) return BadRequest("Invalid JSON payload received. " + parsed.error().message);
  return BadRequest("Invalid JSON payload received. Expected an object.");
}

}  // namespace

LanguageGuesser MakeLanguageGuesser(const moderation::LanguageDetector& detector) {
  return [&detector](std::string_view text) {
    std::vector<std::pair<std::string, double>> out;
    const moderation::language::JudgedText judged = moderation::language::PrepareText(text);
    if (judged.letters < kGuessMinLetters) return out;
    const auto cld = moderation::LanguageDetector::Cld2Guess(judged.text);
    // CLD2 (≈ 15 µs on 500 bytes) sure of itself: fastText (≈ 35 µs) would only agree.
    if (cld.reliable && cld.probability >= kCld2Sure && !cld.language.empty()) {
      out.emplace_back(cld.language, std::min(cld.probability, 1.0));
      for (const auto& [l, p] : cld.others)
        if (p >= kGuessKeep && l != cld.language) out.emplace_back(l, p);
      return out;
    }
    const auto ft = detector.FastTextGuess(judged.text);
    // confidence(L) = (fastText(L) + w·CLD2(L)) / (1 + w): CLD2's share of the text weighs 1 when CLD2 calls
    // its answer reliable, 0.5 when not, 0 when it has none; a detector without an answer does not dilute.
    const double wf = ft.language.empty() ? 0.0 : 1.0;
    const double wc = cld.language.empty() ? 0.0 : (cld.reliable ? 1.0 : 0.5);
    if (wf + wc == 0) return out;
    auto add = [&](const std::string& lang, double p, double w) {
      if (lang.empty() || w == 0) return;
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == lang; });
      if (it == out.end()) it = out.insert(out.end(), {lang, 0.0});
      it->second += w * p / (wf + wc);
    };
    add(ft.language, ft.probability, wf);
    for (const auto& [l, p] : ft.others) add(l, p, wf);
    add(cld.language, cld.probability, wc);
    for (const auto& [l, p] : cld.others) add(l, p, wc);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::erase_if(out, [](const auto& e) { return e.second < kGuessKeep; });
    for (auto& e : out) e.second = std::min(e.second, 1.0);
    if (out.empty() || out.front().second < kGuessMinConfidence) out.clear();
    return out;
  };
}

PerspectiveApi::PerspectiveApi(PerspectiveOptions options, LanguageGuesser guess)
    : options_(std::move(options)), guess_(std::move(guess)) {}

namespace {

// Requested languages: each must be judged by the engine; the first is used. None: the guesser's top candidate
// when the engine judges it, else the edition's.
std::optional<Reply> PickLanguage(const CommonRequest& c, const PerspectiveOptions& options,
                                  const LanguageGuesser& guess, const Judge& judge, std::string_view attribute,
                                  Languages& out) {
  auto candidates = [&] {
    std::vector<std::string> codes;
    if (guess) {
      for (auto& [code, confidence] : guess(c.Text())) {
        if (!Has(codes, code)) codes.push_back(std::move(code));
      }
    }
    return codes;
  };
  if (!c.normalized.empty()) {
    for (const std::string& l : c.normalized) {
      if (!attribute.empty() && !Has(options.languages, l)) return LanguageNotSupported(attribute, c.languages, candidates());
      if (!Has(out.detected, l)) out.detected.push_back(l);
    }
    out.used = c.normalized.front();
    return std::nullopt;
  }
  out.detected = candidates();
  if (!out.detected.empty() && Has(options.languages, out.detected.front()))
    out.used = out.detected.front();
  else
    out.used = std::string(judge.edition_language);
  if (!Has(out.detected, out.used)) out.detected.push_back(out.used);
  return std::nullopt;
}

void AppendSummary(std::string& out, double value) {
  out += R"({"value":)";
  AppendScore(out, value);
  out += R"(,"type":"PROBABILITY"})";
}

}  // namespace

Reply PerspectiveApi::Analyze(std::string_view body, const Judge& judge) const {
  auto parsed = ParseLenientJson(body);
  if (!parsed.ok() || !parsed->is_object()) return BadJson(parsed);
  AnalyzeRequest req;
  if (auto error = ParseAnalyze(parsed->get_object(), options_, req)) return std::move(*error);
  Languages languages;
  if (auto error = PickLanguage(req.common, options_, guess_, judge, req.attributes.front().name, languages))
    return std::move(*error);

  const std::string_view text = req.common.Text();
  const moderation::Decision decision =
      judge.engine.Check(moderation::CheckInput{.text = text, .language = languages.used});

  std::vector<const moderation::Finding*> findings;
  findings.reserve(decision.findings.size());
  for (const auto& f : decision.findings) findings.push_back(&f);
  std::vector<Sentence> sentences;
  // The findings whose evidence falls in each sentence, worked out once for all attributes.
  std::vector<std::vector<const moderation::Finding*>> in_sentence;
  if (req.span_annotations) {
    sentences = Sentences(text);
    // At most kMaxSpanScores spans per attribute: beyond that, runs of sentences share one span (20 KB of
    // one-word sentences must not make a reply of megabytes).
    if (sentences.size() > kMaxSpanScores) {
      std::vector<Sentence> merged;
      const size_t per = (sentences.size() + kMaxSpanScores - 1) / kMaxSpanScores;
      for (size_t i = 0; i < sentences.size(); i += per) {
        Sentence m = sentences[i];
        const Sentence& last = sentences[std::min(sentences.size(), i + per) - 1];
        m.end = last.end;
        m.end16 = last.end16;
        merged.push_back(m);
      }
      sentences = std::move(merged);
    }
    in_sentence.resize(sentences.size());
    for (const auto* f : findings) {
      if (f->spans.empty()) {  // no evidence span: the whole text
        for (auto& list : in_sentence) list.push_back(f);
        continue;
      }
      // Sentences and spans are both in text order: one pass over each.
      size_t k = 0;
      for (const auto& [b, e] : f->spans) {
        while (k < sentences.size() && sentences[k].end <= b) ++k;
        for (size_t j = k; j < sentences.size() && sentences[j].begin < e; ++j) {
          if (in_sentence[j].empty() || in_sentence[j].back() != f) in_sentence[j].push_back(f);
        }
      }
    }
  }

  Reply reply;
  std::string& out = reply.body;
  out.reserve(128 + req.attributes.size() * (64 + sentences.size() * 80));
  out += R"({"attributeScores":{)";
  bool first = true;
  for (const RequestedAttribute& a : req.attributes) {
    const double score = AttributeScore(a.canonical, decision.action, findings);
    if (a.threshold && score < *a.threshold) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendString(out, a.name);
    out += R"(:{"summaryScore":)";
    AppendSummary(out, score);
    if (req.span_annotations) {
      out += R"(,"spanScores":[)";
      for (size_t i = 0; i < sentences.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += R"({"begin":)";
        out += std::to_string(sentences[i].begin16);
        out += R"(,"end":)";
        out += std::to_string(sentences[i].end16);
        out += R"(,"score":)";
        AppendSummary(out, AttributeScore(a.canonical, decision.action, in_sentence[i]));
        out.push_back('}');
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out += R"(},"languages":)";
  if (!req.common.languages.empty())
    AppendStrings(out, req.common.languages);
  else
    AppendStrings(out, std::vector<std::string_view>{languages.used});
  out += R"(,"detectedLanguages":)";
  AppendStrings(out, languages.detected);
  if (req.common.client_token) {
    out += R"(,"clientToken":)";
    AppendString(out, *req.common.client_token);
  }
  out.push_back('}');
  return reply;
}

Reply PerspectiveApi::Suggest(std::string_view body, const Judge& judge, Suggestion& out) const {
  auto parsed = ParseLenientJson(body);
  if (!parsed.ok() || !parsed->is_object()) return BadJson(parsed);
  SuggestRequest req;
  if (auto error = ParseSuggest(parsed->get_object(), options_, req)) return std::move(*error);
  Languages languages;
  // A label in any language is welcome: no attribute to refuse it for.
  (void)PickLanguage(req.common, options_, guess_, judge, {}, languages);

  Reply reply;
  std::string& b = reply.body;
  b.push_back('{');
  if (req.common.client_token) {
    b += R"("clientToken":)";
    AppendString(b, *req.common.client_token);
    b.push_back(',');
  }
  b += R"("requestedLanguages":)";
  AppendStrings(b, req.common.languages);
  b += R"(,"detectedLanguages":)";
  AppendStrings(b, languages.detected);
  b.push_back('}');

  out.text = std::string(req.common.Text());
  out.language = std::move(languages.used);
  out.labels = std::move(req.labels);
  out.client_token = std::string(req.common.client_token.value_or(""));
  out.community_id = std::string(req.common.community_id);
  out.session_id = std::string(req.common.session_id);
  return reply;
}

}  // namespace tribune::interop
