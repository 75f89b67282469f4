#include "text/views.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace tribune::text {
namespace {

// ---------------------------------------------------------------------------------------------
// ICU singletons. Normalizer2 instances are owned by ICU and immutable; the spoof checker is
// opened once and only used through const functions (uspoof_getSkeleton*), which ICU documents
// as thread-safe on a configured checker.

struct Icu {
  const icu::Normalizer2* nfkc_cf = nullptr;
  const icu::Normalizer2* nfd = nullptr;
  const icu::Normalizer2* nfc = nullptr;
  USpoofChecker* spoof = nullptr;
  // Folded skeleton of an ASCII letter or digit → that character ("rn" → 'm', "o" → 'o', "l" → 'l').
  // Lets a non-ASCII look-alike land on the ASCII letter it imitates.
  std::unordered_map<std::string, char> ascii_by_skeleton;
};

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// NFKC_Casefold, then diacritics dropped (NFD, remove Mn/Me), then recomposed (NFC, so Hangul and
// other precomposed bases come back). Returns false on an ICU error.
bool FoldString(const Icu& icu, const icu::UnicodeString& in, icu::UnicodeString& out) {
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString cf = icu.nfkc_cf->normalize(in, st);
  icu::UnicodeString d = icu.nfd->normalize(cf, st);
  if (U_FAILURE(st)) return false;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < d.length();) {
    UChar32 c = d.char32At(i);
    i += U16_LENGTH(c);
    int8_t t = u_charType(c);
    if (t != U_NON_SPACING_MARK && t != U_ENCLOSING_MARK) kept.append(c);
  }
  out = icu.nfc->normalize(kept, st);
  return U_SUCCESS(st);
}

std::string RawSkeleton(const Icu& icu, const icu::UnicodeString& in) {
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString skel;
  uspoof_getSkeletonUnicodeString(icu.spoof, 0, in, skel, &st);
  icu::UnicodeString folded;
  if (U_FAILURE(st) || !FoldString(icu, skel, folded)) return ToUtf8(in);
  return ToUtf8(folded);
}

Icu MakeIcu() {
  Icu icu;
  UErrorCode st = U_ZERO_ERROR;
  icu.nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(st);
  icu.nfd = icu::Normalizer2::getNFDInstance(st);
  icu.nfc = icu::Normalizer2::getNFCInstance(st);
  icu.spoof = uspoof_open(&st);
  if (U_FAILURE(st)) throw std::runtime_error(std::string("ICU initialisation failed: ") + u_errorName(st));
  // Digits first, letters after: a letter wins a shared skeleton ("0" and "o" both fold to "o").
  for (char c : std::string("0123456789abcdefghijklmnopqrstuvwxyz")) {
    icu.ascii_by_skeleton[RawSkeleton(icu, icu::UnicodeString(static_cast<UChar32>(c)))] = c;
  }
  return icu;
}

const Icu& GetIcu() {
  static const Icu icu = MakeIcu();
  return icu;
}

// ---------------------------------------------------------------------------------------------
// Per-code-point caches (thread_local, bounded so a flood of distinct code points cannot grow them).

constexpr size_t kMaxCacheEntries = 1 << 16;

template <typename Compute>
const std::string& Cached(std::unordered_map<UChar32, std::string>& cache, UChar32 c, Compute compute) {
  auto it = cache.find(c);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCacheEntries) cache.clear();
  return cache.emplace(c, compute(c)).first->second;
}

const std::string& FoldCodePoint(UChar32 c) {
  thread_local std::unordered_map<UChar32, std::string> cache;
  return Cached(cache, c, [](UChar32 cp) {
    icu::UnicodeString out;
    if (!FoldString(GetIcu(), icu::UnicodeString(cp), out)) return std::string("\xEF\xBF\xBD");
    return ToUtf8(out);
  });
}

// Skeleton of one (already folded, non-ASCII) code point, case-folded again, mapped onto the ASCII
// letter it imitates when there is one.
const std::string& SkeletonCodePoint(UChar32 c) {
  thread_local std::unordered_map<UChar32, std::string> cache;
  return Cached(cache, c, [](UChar32 cp) {
    const Icu& icu = GetIcu();
    std::string skel = RawSkeleton(icu, icu::UnicodeString(cp));
    auto it = icu.ascii_by_skeleton.find(skel);
    if (it != icu.ascii_by_skeleton.end()) return std::string(1, it->second);
    return skel;
  });
}

// ---------------------------------------------------------------------------------------------
// Character classes.

bool IsInvisible(UChar32 c) {
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || c == 0x00AD || c == 0x034F;
}

bool IsMark(UChar32 c) {
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

bool IsAsciiAlpha(UChar32 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(UChar32 c) { return c >= '0' && c <= '9'; }

bool IsLetter(UChar32 c) { return c < 0x80 ? IsAsciiAlpha(c) : static_cast<bool>(u_isalpha(c)); }
bool IsAlnum(UChar32 c) { return c < 0x80 ? IsAsciiAlpha(c) || IsAsciiDigit(c) : static_cast<bool>(u_isalnum(c)); }

// Letter or digit, or a mark continuing one: what may not sit just outside a whole-word match.
bool IsWordChar(UChar32 c) { return IsAlnum(c) || (c >= 0x80 && IsMark(c)); }

char LeetLetter(UChar32 c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '@': return 'a';
    case '5': return 's';
    case '$': return 's';
    case '7': return 't';
    case '8': return 'b';
    case '9': return 'g';
    case '!': return 'i';
    case '|': return 'l';
    case '+': return 't';
    default: return 0;
  }
}

bool IsLeetSymbol(UChar32 c) { return c < 0x80 && !IsAsciiDigit(c) && LeetLetter(c) != 0; }

// Characters that may sit between spelled-out single letters ("f.u.c.k", "f u c k").
bool IsLetterSeparator(UChar32 c) {
  return c == '.' || c == '-' || c == '_' || c == '*' || c == ' ' || c == '\'' || c == '~';
}

// ---------------------------------------------------------------------------------------------
// Code-point walking over a View.

struct Cp {
  UChar32 c;
  uint32_t b, e;  // byte range in the view's text
};

std::vector<Cp> Decode(std::string_view s) {
  std::vector<Cp> cps;
  cps.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    int32_t b = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;
    cps.push_back({c, static_cast<uint32_t>(b), static_cast<uint32_t>(i)});
  }
  return cps;
}

void Reserve(View& v, size_t n) {
  v.text.reserve(n);
  v.start.reserve(n);
  v.end.reserve(n);
}

void PushByte(View& v, char ch, uint32_t s, uint32_t e) {
  v.text.push_back(ch);
  v.start.push_back(s);
  v.end.push_back(e);
}

// Copies the bytes [b, e) of `in` (one code point) with their offsets.
void CopyCp(View& out, const View& in, const Cp& cp) {
  for (uint32_t k = cp.b; k < cp.e; ++k) PushByte(out, in.text[k], in.start[k], in.end[k]);
}

// Extends the original range of the bytes from `from` to the end of `v` so it reaches `end`.
void ExtendEnd(View& v, size_t from, uint32_t end) {
  for (size_t k = from; k < v.end.size(); ++k) v.end[k] = std::max(v.end[k], end);
}

// ---------------------------------------------------------------------------------------------
// The views.

View BuildFolded(std::string_view in) {
  View v;
  Reserve(v, in.size());
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  int32_t n = static_cast<int32_t>(in.size());
  size_t last_cp = std::string::npos;  // first byte in v.text of the last code point written
  for (int32_t i = 0; i < n;) {
    const auto b = static_cast<uint32_t>(i);
    UChar32 c;
    U8_NEXT(p, i, n, c);
    const auto e = static_cast<uint32_t>(i);
    if (c >= 0 && c < 0x80) {
      last_cp = v.text.size();
      PushByte(v, static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c), b, e);
      continue;
    }
    if (c < 0) c = 0xFFFD;
    if (IsInvisible(c)) continue;
    const std::string& f = FoldCodePoint(c);
    if (f.empty()) {
      // A dropped combining mark belongs to its base: let the base's span cover it.
      if (last_cp != std::string::npos && IsMark(c)) ExtendEnd(v, last_cp, e);
      continue;
    }
    size_t k = f.size() - 1;
    while (k > 0 && (static_cast<uint8_t>(f[k]) & 0xC0) == 0x80) --k;
    last_cp = v.text.size() + k;
    for (char ch : f) PushByte(v, ch, b, e);
  }
  return v;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<uint8_t>(ch) < 0x80; });
}

View BuildSkeleton(const View& folded) {
  if (IsAscii(folded.text)) return folded;  // ASCII passes through unchanged
  View v;
  Reserve(v, folded.text.size());
  for (const Cp& cp : Decode(folded.text)) {
    if (cp.c < 0x80) {
      CopyCp(v, folded, cp);
      continue;
    }
    const std::string& s = SkeletonCodePoint(cp.c);
    const uint32_t os = folded.start[cp.b], oe = folded.end[cp.e - 1];
    for (char ch : s) PushByte(v, ch, os, oe);
  }
  return v;
}

View BuildDeleet(const View& skeleton) {
  View v = skeleton;  // one byte in, one byte out: offsets carry over unchanged
  std::vector<Cp> cps = Decode(skeleton.text);
  auto is_token = [](UChar32 c) { return IsAlnum(c) || IsLeetSymbol(c) || (c >= 0x80 && IsMark(c)); };
  for (size_t i = 0; i < cps.size();) {
    if (!is_token(cps[i].c)) {
      ++i;
      continue;
    }
    size_t j = i;
    bool has_letter = false;
    while (j < cps.size() && is_token(cps[j].c)) has_letter |= IsLetter(cps[j++].c);
    if (has_letter) {
      size_t last = j;  // a trailing "!" run is punctuation ("wow!!"), not a letter
      while (last > i && cps[last - 1].c == '!') --last;
      for (size_t k = i; k < last; ++k) {
        if (char l = cps[k].c < 0x80 ? LeetLetter(cps[k].c) : 0) v.text[cps[k].b] = l;
      }
    }
    i = j;
  }
  return v;
}

// Removes the separators in chains of three or more single letters joined by one repeated separator
// character ("f.u.c.k", "f u c k", "f-u-c-k").
View JoinSpelledLetters(const View& in) {
  std::vector<Cp> cps = Decode(in.text);
  const size_t n = cps.size();
  auto single = [&](size_t k) {
    return IsLetter(cps[k].c) && (k == 0 || !IsAlnum(cps[k - 1].c)) && (k + 1 == n || !IsAlnum(cps[k + 1].c));
  };
  std::vector<bool> drop(n, false);
  bool any = false;
  for (size_t k = 0; k < n;) {
    if (k + 2 < n && single(k) && IsLetterSeparator(cps[k + 1].c) && single(k + 2)) {
      const UChar32 sep = cps[k + 1].c;
      size_t j = k + 2, letters = 2;
      while (j + 2 < n && cps[j + 1].c == sep && single(j + 2)) j += 2, ++letters;
      if (letters >= 3) {
        for (size_t m = k + 1; m < j; m += 2) drop[m] = true;
        any = true;
        k = j + 1;
        continue;
      }
    }
    ++k;
  }
  if (!any) return in;
  View v;
  Reserve(v, in.text.size());
  for (size_t k = 0; k < n; ++k) {
    if (!drop[k]) CopyCp(v, in, cps[k]);
  }
  return v;
}

// Cuts every run of one repeated letter to `keep` letters; the last kept letter's span reaches the
// end of the run.
View SqueezeRuns(const View& in, size_t keep) {
  std::vector<Cp> cps = Decode(in.text);
  bool long_run = false;
  for (size_t k = 0, run = 1; k < cps.size() && !long_run; ++k) {
    run = k > 0 && cps[k].c == cps[k - 1].c ? run + 1 : 1;
    long_run = run > keep && IsLetter(cps[k].c);
  }
  if (!long_run) return in;
  View v;
  Reserve(v, in.text.size());
  for (size_t k = 0; k < cps.size();) {
    size_t j = k + 1;
    if (IsLetter(cps[k].c)) {
      while (j < cps.size() && cps[j].c == cps[k].c) ++j;
    }
    const size_t kept = std::min(j - k, keep);
    size_t last_begin = v.text.size();
    for (size_t m = k; m < k + kept; ++m) {
      last_begin = v.text.size();
      CopyCp(v, in, cps[m]);
    }
    if (j - k > kept) ExtendEnd(v, last_begin, in.end[cps[j - 1].e - 1]);
    k = j;
  }
  return v;
}

std::vector<Word> BuildWords(const std::string& folded) {
  std::vector<Word> words;
  if (folded.empty()) return words;
  thread_local std::unique_ptr<icu::BreakIterator> iter;
  UErrorCode st = U_ZERO_ERROR;
  if (!iter) {
    iter.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st) || !iter) {
      iter.reset();
      return words;
    }
  }
  UText* ut = utext_openUTF8(nullptr, folded.data(), static_cast<int64_t>(folded.size()), &st);
  if (U_FAILURE(st)) return words;
  iter->setText(ut, st);  // the iterator keeps a shallow clone; `folded` outlives this loop
  if (U_SUCCESS(st)) {
    int32_t prev = iter->first();
    for (int32_t pos = iter->next(); pos != icu::BreakIterator::DONE; prev = pos, pos = iter->next()) {
      if (iter->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) {
        words.push_back({static_cast<size_t>(prev), static_cast<size_t>(pos)});
      }
    }
  }
  utext_close(ut);
  return words;
}

bool HasMixedScriptWord(const std::string& folded, const std::vector<Word>& words) {
  const auto* p = reinterpret_cast<const uint8_t*>(folded.data());
  for (const Word& w : words) {
    bool latin = false, other = false;
    for (auto i = static_cast<int32_t>(w.begin), e = static_cast<int32_t>(w.end); i < e;) {
      UChar32 c;
      U8_NEXT(p, i, e, c);
      if (c < 0x80) {
        latin |= IsAsciiAlpha(c);
        continue;
      }
      if (!u_isalpha(c)) continue;
      UErrorCode st = U_ZERO_ERROR;
      UScriptCode sc = uscript_getScript(c, &st);
      latin |= sc == USCRIPT_LATIN;
      other |= sc == USCRIPT_CYRILLIC || sc == USCRIPT_GREEK;
    }
    if (latin && other) return true;
  }
  return false;
}

}  // namespace

TextViews BuildViews(std::string_view utf8, bool with_words) {
  TextViews v;
  v.original = utf8;
  v.folded = BuildFolded(utf8);
  v.skeleton = BuildSkeleton(v.folded);
  v.deleet = BuildDeleet(v.skeleton);
  v.squeezed = SqueezeRuns(JoinSpelledLetters(v.deleet), 2);
  if (with_words) {
    v.words = BuildWords(v.folded.text);
    v.mixed_script_word = HasMixedScriptWord(v.folded.text, v.words);
  }
  return v;
}

View Squeeze1(const View& v) { return SqueezeRuns(v, 1); }

bool AtWordBoundaries(std::string_view text, size_t begin, size_t end) {
  if (begin > end || end > text.size()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  auto mid_code_point = [&](size_t i) { return i < text.size() && U8_IS_TRAIL(p[i]); };
  if (mid_code_point(begin) || mid_code_point(end)) return false;  // the range splits a character
  if (begin > 0) {
    auto i = static_cast<int32_t>(begin);
    UChar32 c;
    U8_PREV(p, 0, i, c);
    if (c >= 0 && IsWordChar(c)) return false;
  }
  if (end < text.size()) {
    auto i = static_cast<int32_t>(end);
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0 && IsWordChar(c)) return false;
  }
  return true;
}

}  // namespace tribune::text
