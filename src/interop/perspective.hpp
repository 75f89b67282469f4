// Google Perspective API v1alpha1, served by Tribune's engine (INTEROP.md §1, §3): comments:analyze and
// comments:suggestscore as libraries — body in, Reply out; the HTTP handlers (keys, quotas, content type) are
// the caller's.
//
// Requests are read with ParseLenientJson (Commento++'s unquoted keys and raw newlines), like proto3 JSON:
// lowerCamelCase or proto field names, unknown fields ignored, null = absent, enums by name or number.
// Limits: comment.text ≤ max_text_bytes (COMMENT_TOO_LONG), ≤ 8 languages of ≤ 35 bytes, ≤ 64 requested
// attributes, ≤ 256 span scores, clientToken/sessionId/communityId ≤ 1024 bytes, JSON nesting ≤ 32.
//
// Analyze: one engine Check per request (text: comment.text, HTML turned to text when comment.type is HTML;
// language: the first requested, normalised "en-GB" → "en", else the guesser's top candidate when the engine
// judges it, else the edition's). Each requested attribute (rule_map CanonicalAttribute; the reply spells it as
// requested) gets summaryScore = rule_map AttributeScore of the decision (§3.2 bands), six decimals at most, no
// exponent; scoreThreshold leaves out attributes scoring below it. spanAnnotations: one span per sentence
// (ICU), offsets in UTF-16 code units, scored on the findings whose evidence overlaps the sentence (a finding
// without evidence spans counts for every sentence); an HTML comment's spans index its text, not the HTML.
// No languages sent: detectedLanguages lists the guesser's candidates plus the language used; sent: their
// normalised forms (no detection).
// A text in a language the engine has no lexicons for is judged as the edition's language when it was
// detected (clients such as Discourse fail open on errors); only an explicitly requested one is refused
// (LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/reply.hpp"
#include "moderation/engine.hpp"

namespace tribune::moderation {
class LanguageDetector;
}

namespace tribune::interop {

// Guesses the language(s) of a text, most likely first: normalised ISO 639-1 codes with a confidence in [0, 1];
// empty when unsure.
using LanguageGuesser = std::function<std::vector<std::pair<std::string, double>>(std::string_view text)>;
// CLD2 + fastText through moderation::LanguageDetector (src/moderation/rules/language.hpp: FastTextGuess,
// Cld2Guess, PrepareText); the detector must outlive the guesser.
LanguageGuesser MakeLanguageGuesser(const moderation::LanguageDetector& detector);

struct PerspectiveOptions {
  size_t max_text_bytes = 20480;                                  // longer → COMMENT_TOO_LONG
  std::vector<std::string> languages = {"de", "en", "es", "fr", "ru"};  // languages the engine judges (lexicons)
};

// The engine of the API key's edition, and the language assumed when none is sent and detection is unsure.
struct Judge {
  const moderation::Engine& engine;
  std::string_view edition_language;
};

// A parsed SuggestCommentScore (§1.6).
struct Suggestion {
  std::string text;       // plain text (HTML stripped when comment.type is HTML)
  std::string language;   // requested, else detected, else the edition's
  std::vector<std::pair<std::string, double>> labels;  // canonical attribute → summaryScore.value, as sent
  std::string client_token, community_id, session_id;
};

class PerspectiveApi {
 public:
  PerspectiveApi(PerspectiveOptions options, LanguageGuesser guess);
  // POST comments:analyze: the whole body in, the whole reply out (200 JSON or Google's error envelope).
  Reply Analyze(std::string_view body, const Judge& judge) const;
  // POST comments:suggestscore: 200 {clientToken?, requestedLanguages, detectedLanguages} and `out` filled,
  // or an error reply with `out` untouched.
  Reply Suggest(std::string_view body, const Judge& judge, Suggestion& out) const;

 private:
  PerspectiveOptions options_;
  LanguageGuesser guess_;
};

// Google's error envelope (§1.5): {"error":{"code":…,"message":…,"status":…,"details":[{"@type":…,"errorType":…}]}};
// no details when error_type is empty.
Reply PerspectiveError(int code, std::string_view status, std::string message, std::string_view error_type = {});

}  // namespace tribune::interop
