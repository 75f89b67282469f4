// Rule "form": a comment written mostly in capitals, a long text never broken into sentences, or runs of
// "!!!!" / "?!?!". Form problems are worth a moderator's look, never a rejection on their own (the policy's
// weights make sure of that).
//
// Also home of `casing`, the small ICU-free character helpers the rules in this directory share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "moderation/detector.hpp"

namespace tribune::moderation {

// Emits up to three "form" signals for `input.views.original`, spans in original byte offsets:
//   - shouting: share of capitals among cased letters ≥ 0.7 with ≥ 20 cased letters. Short all-capital
//     words (≤ 5 letters: "NASA", "FBI") are acronyms and left out of the share as long as they make up no
//     more than a third of the letters; beyond that they count as shouting too. Confidence 0.5 at a share
//     of 0.7 rising linearly to 1.0 at 1.0 (the shipped policy holds from about 0.67, a share of 0.8).
//     Spans: the runs of all-capital words.
//   - unbroken: ≥ 400 code points with no sentence punctuation (. ! ? … 。 and full-width forms; a '.'
//     between two letters/digits, as in "example.com" or "3.5", does not count) and a line of ≥ 200 code
//     points (a list broken into short lines is not a wall of text). Confidence 0.5. Span: the whole text.
//   - punctuation: runs of 4+ of ! ? (mixed too, full-width, ¡ ¿, ‼ ⁉ count double). Emojis and spaces
//     end a run. Confidence 0.3, one signal with every run as a span.
// Stateless, thread-safe, never throws, linear in the text.
class FormDetector final : public Detector {
 public:
  FormDetector() = default;
  std::string_view Name() const override { return "form"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;
};

// Deterministic character helpers (explicit code point ranges, no locale, no ICU) for the rules in
// moderation/rules. Coverage: ASCII, Latin-1, Latin Extended-A/B (approximate for B), Latin Extended
// Additional, Greek, Cyrillic, Armenian, full-width Latin; other scripts' letters are caseless letters.
namespace casing {

struct Decoded {
  char32_t cp;
  size_t length;  // bytes consumed, ≥ 1
};

// Decodes the code point at byte `i` of `s` (i < s.size()). A byte that does not start a well-formed
// sequence decodes as U+FFFD with length 1, so callers never read out of bounds.
Decoded Decode(std::string_view s, size_t i);

// The code point that ends just before byte `i` (0 when i == 0), and where it starts.
Decoded DecodeBefore(std::string_view s, size_t i, size_t* start = nullptr);

enum class Kind : uint8_t { kOther, kUpper, kLower, kCaseless, kDigit };

// kUpper/kLower for cased letters, kCaseless for letters without case (CJK, Arabic, Hebrew, …) and
// combining marks, kDigit for ASCII digits, kOther for everything else (spaces, punctuation, emoji).
Kind Classify(char32_t c);

inline bool IsLetter(char32_t c) {
  Kind k = Classify(c);
  return k == Kind::kUpper || k == Kind::kLower || k == Kind::kCaseless;
}
inline bool IsWordChar(char32_t c) { return c == '_' || Classify(c) != Kind::kOther; }

// Lower-case mapping for the covered ranges; always maps to a code point of the same UTF-8 length.
char32_t ToLower(char32_t c);

// `s` with every code point lower-cased and ё folded to е. Same byte length, so byte offsets into the
// result are byte offsets into `s`. Malformed bytes are copied through.
std::string FoldLower(std::string_view s);

}  // namespace casing
}  // namespace tribune::moderation
