// Normalised views of a comment for the detectors, each mapping back to byte offsets in the
// original UTF-8 text so findings can point at what the author wrote.
//
// Views (each builds on `folded`):
//   folded    NFKC + case fold (ICU), zero-width and bidi controls removed, diacritics folded
//             ("Café" → "cafe"), full-width letters folded ("ｆｕｃｋ" → "fuck").
//   skeleton  ICU uspoof confusable skeleton of `folded`, case-folded again, so Cyrillic/Greek
//             look-alikes match Latin ("раураl" → "paypal").
//   deleet    `skeleton` with digits and symbols read as letters (0→o 1→i 3→e 4/@→a 5/$→s 7→t 8→b 9→g
//             !→i |→l +→t) inside words only (a lone "4" or "2024" stays a number).
//   squeezed  `deleet` with runs of one letter longer than 2 cut to 2, and separators between single
//             letters removed: "f.u.c.k", "f u c k", "fuuuuck" → "fuck"/"fuuck" (matchers try both a
//             squeeze to 1 and to 2: see Squeeze1).
// Words: word spans (ICU word break iterator) over `folded`, for whole-word checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::text {

// A derived text plus, for every byte of it, the original byte range it came from.
struct View {
  std::string text;
  std::vector<uint32_t> start;  // start[i]: first byte in the original of what produced text[i]
  std::vector<uint32_t> end;    // end[i]: one past the last such byte

  // Maps a byte range [s, e) of this view to the original text. Requires s < e <= text.size().
  std::pair<size_t, size_t> ToOriginal(size_t s, size_t e) const { return {start[s], end[e - 1]}; }
};

struct Word {
  size_t begin, end;  // byte range in `folded`
};

struct TextViews {
  std::string_view original;
  View folded;
  View skeleton;
  View deleet;
  View squeezed;
  std::vector<Word> words;
  bool mixed_script_word = false;  // a word mixing Latin with Cyrillic or Greek letters (a spoofing signal)
};

// Builds every view. `utf8` must be valid UTF-8 (the engine checks first) and must outlive the result
// (`original` points into it). Work is linear in the input; inputs are bounded by the comment length
// limit before they get here. Thread-safe. `with_words = false` skips `words` and `mixed_script_word`
// (ICU word breaks: about three quarters of the cost; no detector reads them yet).
TextViews BuildViews(std::string_view utf8, bool with_words = true);

// The letter an ASCII digit or symbol reads as inside a word, as the `deleet` view reads it (0→o 1→i 3→e
// 4/@→a 5/$→s 7→t 8→b 9→g !→i |→l +→t), or 0.
char LeetLetter(char32_t c);

// `s` with every run of a repeated letter cut to one ("fuuck" → "fuck"), offsets mapped.
View Squeeze1(const View& v);

// True when [begin, end) of `text` starts and ends at word boundaries: the bytes just outside are not
// letters or digits (ASCII) and not the start of a multi-byte letter. Hyperscan has no \b with UTF-8.
bool AtWordBoundaries(std::string_view text, size_t begin, size_t end);

}  // namespace tribune::text
