#include "moderation/rules/form.hpp"

#include "text/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

namespace tribune::moderation {
namespace casing {

Decoded Decode(std::string_view s, size_t i) {
  // ASCII without the call into text::DecodeCodePoint (same result): most of what the rules decode.
  if (const auto byte = static_cast<uint8_t>(s[i]); byte < 0x80) return {byte, 1};
  size_t next = i;
  const char32_t cp = text::DecodeCodePoint(s, next);
  return {cp, next - i};
}

Decoded DecodeBefore(std::string_view s, size_t i, size_t* start) {
  if (i == 0) {
    if (start) *start = 0;
    return {0, 0};
  }
  size_t j = i - 1;
  while (j > 0 && i - j < 4 && (static_cast<uint8_t>(s[j]) & 0xC0) == 0x80) --j;
  Decoded d = Decode(s, j);
  if (j + d.length != i) {  // malformed: treat the last byte alone
    j = i - 1;
    d = {0xFFFD, 1};
  }
  if (start) *start = j;
  return d;
}

namespace {

// Pairs laid out as (upper, lower) = (even, odd) or (odd, even) inside [first, last].
Kind Alternating(char32_t c, bool even_is_upper) {
  bool even = (c % 2) == 0;
  return even == even_is_upper ? Kind::kUpper : Kind::kLower;
}

}  // namespace

Kind Classify(char32_t c) {
  if (c < 0x80) {
    if (c >= 'A' && c <= 'Z') return Kind::kUpper;
    if (c >= 'a' && c <= 'z') return Kind::kLower;
    if (c >= '0' && c <= '9') return Kind::kDigit;
    return Kind::kOther;
  }
  if (c < 0xC0) return (c == 0xAA || c == 0xB5 || c == 0xBA) ? Kind::kLower : Kind::kOther;
  if (c <= 0xDE) return c == 0xD7 ? Kind::kOther : Kind::kUpper;
  if (c <= 0xFF) return c == 0xF7 ? Kind::kOther : Kind::kLower;
  if (c <= 0x137) return Alternating(c, true);
  if (c == 0x138) return Kind::kLower;
  if (c <= 0x148) return Alternating(c, false);
  if (c == 0x149) return Kind::kLower;
  if (c <= 0x177) return Alternating(c, true);
  if (c == 0x178) return Kind::kUpper;
  if (c <= 0x17E) return Alternating(c, false);
  if (c == 0x17F) return Kind::kLower;
  if (c <= 0x1CC) return Kind::kCaseless;  // Latin Extended-B, irregular: counted as letters only
  if (c <= 0x1DC) return Alternating(c, false);
  if (c == 0x1DD) return Kind::kLower;
  if (c <= 0x1EF) return Alternating(c, true);
  if (c <= 0x1F7) return Kind::kCaseless;
  if (c <= 0x233) return Alternating(c, true);
  if (c <= 0x24F) return Kind::kCaseless;
  if (c <= 0x2AF) return Kind::kLower;  // IPA
  if (c <= 0x2FF) return Kind::kOther;  // spacing modifiers
  if (c <= 0x36F) return Kind::kCaseless;  // combining marks: part of words
  if (c <= 0x385) return Kind::kOther;
  if (c == 0x386 || (c >= 0x388 && c <= 0x38A) || c == 0x38C || c == 0x38E || c == 0x38F) return Kind::kUpper;
  if (c == 0x387 || c == 0x38B || c == 0x38D) return Kind::kOther;
  if (c == 0x390) return Kind::kLower;
  if (c <= 0x3AB) return c == 0x3A2 ? Kind::kOther : Kind::kUpper;
  if (c <= 0x3CE) return Kind::kLower;
  if (c == 0x3CF) return Kind::kUpper;
  if (c <= 0x3FF) return Kind::kCaseless;
  if (c <= 0x42F) return Kind::kUpper;
  if (c <= 0x45F) return Kind::kLower;
  if (c <= 0x481) return Alternating(c, true);
  if (c <= 0x489) return Kind::kCaseless;  // combining Cyrillic marks
  if (c <= 0x4BF) return Alternating(c, true);
  if (c == 0x4C0) return Kind::kUpper;
  if (c <= 0x4CE) return Alternating(c, false);
  if (c == 0x4CF) return Kind::kLower;
  if (c <= 0x52F) return Alternating(c, true);
  if (c >= 0x531 && c <= 0x556) return Kind::kUpper;
  if (c >= 0x561 && c <= 0x587) return Kind::kLower;
  if (c >= 0x1E00 && c <= 0x1EFF) {
    if (c >= 0x1E96 && c <= 0x1E9D) return Kind::kLower;
    if (c == 0x1E9E) return Kind::kUpper;
    if (c == 0x1E9F) return Kind::kLower;
    return Alternating(c, true);
  }
  if (c >= 0xFF21 && c <= 0xFF3A) return Kind::kUpper;
  if (c >= 0xFF41 && c <= 0xFF5A) return Kind::kLower;
  if (c >= 0xFF10 && c <= 0xFF19) return Kind::kDigit;
  // Caseless letters of common scripts (approximate blocks, punctuation inside them ignored).
  if ((c >= 0x5D0 && c <= 0x5EA) || (c >= 0x620 && c <= 0x64A) || (c >= 0x66E && c <= 0x6D3) ||
      (c >= 0x900 && c <= 0x963) || (c >= 0x966 && c <= 0xDFF) || (c >= 0xE01 && c <= 0xE4E) ||
      (c >= 0x10A0 && c <= 0x10FF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x1F00 && c <= 0x1FFF) ||
      (c >= 0x3041 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
      (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xFE20 && c <= 0xFE2F))
    return Kind::kCaseless;
  return Kind::kOther;
}

char32_t ToLower(char32_t c) {
  if (Classify(c) != Kind::kUpper) return c;
  if (c < 0x80) return c + 32;
  if (c <= 0xDE) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c <= 0x24F) return c + 1;  // every upper-case letter of Latin Extended-A/B here pairs with c + 1
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3AB) return c + 32;
  if (c == 0x3CF) return 0x3D7;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x460 && c <= 0x52F) return c + 1;
  if (c >= 0x531 && c <= 0x556) return c + 48;
  if (c == 0x1E9E) return c;  // ẞ → ß changes the UTF-8 length; keep
  if (c >= 0x1E00 && c <= 0x1EFF) return c + 1;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
  return c;
}

namespace {

size_t Utf8Length(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// 16 ASCII bytes lower-cased. A fixed trip count and __restrict parameters let GCC vectorise it at -O2.
void LowerAscii16(const char* __restrict in, char* __restrict out) {
  for (int k = 0; k < 16; ++k) {
    const auto byte = static_cast<uint8_t>(in[k]);
    out[k] = static_cast<char>(byte + (static_cast<uint8_t>(byte - 'A') < 26 ? 32 : 0));
  }
}

bool IsAscii16(const char* p) {
  uint64_t a, b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + 8, 8);
  return ((a | b) & 0x8080808080808080ull) == 0;
}

}  // namespace

// In place on a copy, sixteen ASCII bytes at a time, without a temporary string per changed letter (the
// privacy rule folds every comment).
std::string FoldLower(std::string_view s) {
  std::string out(s);
  char* o = out.data();
  for (size_t i = 0; i < s.size();) {
    if (i + 16 <= s.size() && IsAscii16(s.data() + i)) {
      LowerAscii16(s.data() + i, o + i);
      i += 16;
      continue;
    }
    auto byte = static_cast<uint8_t>(s[i]);
    if (byte < 0x80) {
      o[i] = static_cast<char>(byte + (static_cast<uint8_t>(byte - 'A') < 26 ? 32 : 0));
      ++i;
      continue;
    }
    Decoded d = Decode(s, i);
    char32_t lower = d.cp == 0x401 ? 0x435 : d.cp == 0x451 ? 0x435 : ToLower(d.cp);  // Ё ё → е
    if (lower != d.cp && d.cp != 0xFFFD && Utf8Length(lower) == d.length) {
      std::string encoded;  // at most 4 bytes: stays in the string's inline buffer, no allocation
      text::AppendUtf8(encoded, lower);
      std::memcpy(o + i, encoded.data(), encoded.size());
    }
    i += d.length;
  }
  return out;
}

}  // namespace casing

namespace {

using casing::Classify;
using casing::Kind;

constexpr size_t kMinCasedLetters = 20;
constexpr double kShoutShare = 0.7;
constexpr size_t kAcronymMaxLetters = 5;
constexpr size_t kUnbrokenMinCodePoints = 400;
constexpr size_t kUnbrokenMinLine = 200;
constexpr size_t kPunctRunMin = 4;
constexpr double kUnbrokenConfidence = 0.5;
constexpr double kPunctConfidence = 0.3;

bool IsSentenceMark(char32_t c) {
  switch (c) {
    case '!': case '?': case 0x2026: case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF0E: case 0xFF61:
    case 0x203C: case 0x2047: case 0x2048: case 0x2049: case 0x061F: case 0x0964: case 0x0965:
      return true;
    default:
      return false;
  }
}

// How many "!"/"?" a character counts for in a punctuation run (0: not one).
int PunctWeight(char32_t c) {
  switch (c) {
    case '!': case '?': case 0xFF01: case 0xFF1F: case 0x00A1: case 0x00BF:
      return 1;
    case 0x203C: case 0x2047: case 0x2048: case 0x2049:
      return 2;
    default:
      return 0;
  }
}

struct WordStat {
  size_t begin, end;
  size_t cased = 0, upper = 0;
  bool AllUpper() const { return cased > 0 && upper == cased; }
  bool Acronym() const { return AllUpper() && cased <= kAcronymMaxLetters; }
};

}  // namespace

void FormDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    std::string_view s = input.views.original;
    std::vector<WordStat> words;
    words.reserve(s.size() / 6 + 8);  // about one word in six bytes of prose: few reallocations
    size_t code_points = 0, line = 0, longest_line = 0;
    bool sentence_mark = false;
    std::vector<std::pair<size_t, size_t>> punct_runs;
    size_t run_begin = 0, run_end = 0;
    int run_weight = 0;
    char32_t prev = 0;
    bool in_word = false;

    for (size_t i = 0; i < s.size();) {
      casing::Decoded d = casing::Decode(s, i);
      char32_t c = d.cp;
      ++code_points;
      if (c == '\n') {
        longest_line = std::max(longest_line, line);
        line = 0;
      } else {
        ++line;
      }

      // Words: runs of letters (apostrophes and digits split them: "NASA's" → "NASA", "s").
      Kind kind = Classify(c);
      bool letter = kind == Kind::kUpper || kind == Kind::kLower || kind == Kind::kCaseless;
      if (letter) {
        if (!in_word) words.push_back(WordStat{i, i});
        in_word = true;
        WordStat& w = words.back();
        w.end = i + d.length;
        if (kind == Kind::kUpper) ++w.cased, ++w.upper;
        if (kind == Kind::kLower) ++w.cased;
      } else {
        in_word = false;
      }

      // Sentence punctuation; a '.' inside "example.com" or "3.5" is not a sentence end.
      if (IsSentenceMark(c)) {
        sentence_mark = true;
      } else if (c == '.') {
        bool inner = i + 1 < s.size() && Classify(prev) != Kind::kOther &&
                     Classify(casing::Decode(s, i + 1).cp) != Kind::kOther;
        if (!inner) sentence_mark = true;
      }

      // Punctuation runs; variation selectors (‼️) continue a run.
      int weight = PunctWeight(c);
      if (weight > 0) {
        if (run_weight == 0) run_begin = i;
        run_weight += weight;
        run_end = i + d.length;
      } else if (!(c == 0xFE0F || c == 0xFE0E) || run_weight == 0) {
        if (run_weight >= static_cast<int>(kPunctRunMin)) punct_runs.emplace_back(run_begin, run_end);
        run_weight = 0;
      }
      prev = c;
      i += d.length;
    }
    longest_line = std::max(longest_line, line);
    if (run_weight >= static_cast<int>(kPunctRunMin)) punct_runs.emplace_back(run_begin, run_end);

    // (a) Shouting.
    size_t cased = 0, upper = 0, acronym_letters = 0;
    for (const WordStat& w : words) {
      cased += w.cased;
      upper += w.upper;
      if (w.Acronym()) acronym_letters += w.cased;
    }
    if (cased >= kMinCasedLetters) {
      // Acronyms ("NASA", "FBI") are set aside unless short capital words are a third of the text or more,
      // in which case they are shouting too ("I AM SO MAD AT YOU").
      bool exempt_acronyms = acronym_letters * 3 <= cased;
      size_t judged = exempt_acronyms ? cased - acronym_letters : cased;
      size_t shouted = exempt_acronyms ? upper - acronym_letters : upper;
      double share = judged ? static_cast<double>(shouted) / static_cast<double>(judged) : 0.0;
      if (share >= kShoutShare) {
        Signal sig;
        sig.rule = "form";
        sig.confidence = std::min(1.0, 0.5 + (share - kShoutShare) * (0.5 / (1.0 - kShoutShare)));
        char buf[64];
        std::snprintf(buf, sizeof buf, "mostly capitals (%d%% of letters)", static_cast<int>(share * 100 + 0.5));
        sig.detail = buf;
        // Spans: runs of all-capital words with no other letters between them. Short capital words join a
        // run ("ЭТО ПРОСТО ВОЗМУТИТЕЛЬНО"), but a run of acronyms alone ("the FBI") is not shouting.
        size_t span_begin = 0, span_end = 0, span_letters = 0;
        bool open = false, shouting = false;
        auto flush = [&] {
          if (open && shouting && span_letters >= 2) sig.spans.emplace_back(span_begin, span_end);
          open = shouting = false;
          span_letters = 0;
        };
        for (const WordStat& w : words) {
          if (w.AllUpper()) {
            if (!open) {
              open = true;
              span_begin = w.begin;
            }
            span_end = w.end;
            span_letters += w.cased;
            shouting |= !(exempt_acronyms && w.Acronym());
          } else {
            flush();
          }
        }
        flush();
        out.push_back(std::move(sig));
      }
    }

    // (b) A wall of text.
    if (code_points >= kUnbrokenMinCodePoints && !sentence_mark && longest_line >= kUnbrokenMinLine) {
      out.push_back(Signal{"form", kUnbrokenConfidence, "long text with no sentence punctuation", {{0, s.size()}}});
    }

    // (c) Punctuation runs.
    if (!punct_runs.empty()) {
      std::string detail = punct_runs.size() == 1 ? "run of !/? marks"
                                                   : std::to_string(punct_runs.size()) + " runs of !/? marks";
      out.push_back(Signal{"form", kPunctConfidence, std::move(detail), std::move(punct_runs)});
    }
  } catch (...) {
    // Out of memory is the only way here; a detector must not throw.
  }
}

}  // namespace tribune::moderation
