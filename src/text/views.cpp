#include "text/views.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "text/views_internal.hpp"

namespace tribune::text {
namespace {

using namespace views_internal;

// ---------------------------------------------------------------------------------------------
// Building views. Every pass writes through raw pointers into arrays sized ahead: push_back onto three
// vectors (and onto a std::vector of code points) kept each array's end in memory, a store-to-load round
// trip per byte that made up most of the cost. Locals hold the pointers in the hot loops because a store
// through a char* may alias anything, which would make the compiler reload members after every byte.

// A code point of a view's text, with its class bits.
struct Cp {
  UChar32 c;
  uint32_t b, e;  // byte range in the view's text
  uint8_t cls;
};

// A reusable array of Cp, never value-initialised.
class CpArray {
 public:
  // Room for n code points; the contents are undefined until written.
  Cp* Prepare(size_t n) {
    if (n > capacity_) {
      data_.reset(new Cp[n]);
      capacity_ = n;
    }
    size_ = 0;
    return data_.get();
  }
  void SetSize(size_t n) { size_ = n; }
  size_t size() const { return size_; }
  Cp* data() { return data_.get(); }
  const Cp* data() const { return data_.get(); }

 private:
  std::unique_ptr<Cp[]> data_;
  size_t capacity_ = 0, size_ = 0;
};

// Scratch arrays reused across calls on this thread (BuildViews does not nest).
struct Scratch {
  CpArray cps, joined_cps;
  std::vector<uint8_t> drop;
};

Scratch& GetScratch() {
  thread_local Scratch scratch;
  return scratch;
}

bool IsAscii(std::string_view s) {
  size_t k = 0;
  for (; k + 8 <= s.size(); k += 8) {  // eight bytes at a time
    uint64_t word;
    std::memcpy(&word, s.data() + k, 8);
    if (word & 0x8080808080808080ull) return false;
  }
  for (; k < s.size(); ++k) {
    if (static_cast<uint8_t>(s[k]) >= 0x80) return false;
  }
  return true;
}

void Decode(std::string_view s, CodePointCache& cache, CpArray& out) {
  Cp* cps = out.Prepare(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t k = 0;
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    const auto b = static_cast<uint32_t>(i);
    if (p[i] < 0x80) {
      cps[k++] = {p[i], b, b + 1, kAsciiClass[p[i]]};
      ++i;
      continue;
    }
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;
    cps[k++] = {c, b, static_cast<uint32_t>(i), cache.Class(c)};
  }
  out.SetSize(k);
}

// in[0, len) lower-cased into text, each byte mapped to its own offset (b + k) in start/end. Parameters,
// not locals, carry __restrict: GCC honours it there, and vectorises the fixed-length blocks at -O2.
void LowerAscii(const uint8_t* __restrict in, uint32_t b, uint32_t len, char* __restrict text,
                uint32_t* __restrict start, uint32_t* __restrict end) {
  uint32_t k = 0;
  for (; k + 16 <= len; k += 16) {
    for (uint32_t q = k; q < k + 16; ++q) {
      const uint8_t ch = in[q];
      text[q] = static_cast<char>(ch + (static_cast<uint8_t>(ch - 'A') < 26 ? 'a' - 'A' : 0));
      start[q] = b + q;
      end[q] = b + q + 1;
    }
  }
  for (; k < len; ++k) {
    const uint8_t ch = in[k];
    text[k] = static_cast<char>(ch + (static_cast<uint8_t>(ch - 'A') < 26 ? 'a' - 'A' : 0));
    start[k] = b + k;
    end[k] = b + k + 1;
  }
}

// Appends to a View. The arrays grow by doubling when a fold or skeleton expands the text; Finish() cuts
// them to what was written.
class ViewWriter {
 public:
  ViewWriter(View& v, size_t capacity) : v_(v) { Resize(std::max<size_t>(capacity, 16)); }
  size_t size() const { return n_; }

  // Appends `bytes`, every one mapped to the original range [s, e).
  void Append(std::string_view bytes, uint32_t s, uint32_t e) {
    Room(bytes.size());
    char* text = text_ + n_;
    uint32_t* start = start_ + n_;
    uint32_t* end = end_ + n_;
    for (size_t k = 0; k < bytes.size(); ++k) {
      text[k] = bytes[k];
      start[k] = s;
      end[k] = e;
    }
    n_ += bytes.size();
  }

  // Appends the ASCII bytes in[b, e) lower-cased, each mapped to itself.
  void AppendLowerAscii(const uint8_t* in, uint32_t b, uint32_t e) {
    Room(e - b);
    LowerAscii(in + b, b, e - b, text_ + n_, start_ + n_, end_ + n_);
    n_ += e - b;
  }

  // Appends the bytes [b, e) of `in` with their offsets.
  void Copy(const View& in, uint32_t b, uint32_t e) {
    if (b >= e) return;
    Room(e - b);
    std::memcpy(text_ + n_, in.text.data() + b, e - b);
    std::memcpy(start_ + n_, in.start.data() + b, (e - b) * sizeof(uint32_t));
    std::memcpy(end_ + n_, in.end.data() + b, (e - b) * sizeof(uint32_t));
    n_ += e - b;
  }

  // Extends the original range of the bytes written from `from` on so it reaches `end`.
  void ExtendEnd(size_t from, uint32_t end) {
    for (size_t k = from; k < n_; ++k) end_[k] = std::max(end_[k], end);
  }

  void Finish() {
    v_.text.resize(n_);
    v_.start.resize(n_);
    v_.end.resize(n_);
  }

 private:
  void Room(size_t k) {
    if (n_ + k > capacity_) Resize(std::max(2 * capacity_, n_ + k));
  }
  void Resize(size_t capacity) {
    v_.text.resize(capacity);
    v_.start.resize(capacity);
    v_.end.resize(capacity);
    text_ = v_.text.data();
    start_ = v_.start.data();
    end_ = v_.end.data();
    capacity_ = capacity;
  }

  View& v_;
  char* text_ = nullptr;
  uint32_t* start_ = nullptr;
  uint32_t* end_ = nullptr;
  size_t n_ = 0, capacity_ = 0;
};

// Collects byte ranges of `in` to copy, merging ranges that follow each other into one memcpy.
class RangeCopier {
 public:
  RangeCopier(ViewWriter& out, const View& in) : out_(out), in_(in) {}
  void Add(uint32_t b, uint32_t e) {
    if (b != e_) Flush();
    if (b_ == e_) b_ = b;
    e_ = e;
  }
  void Flush() {
    out_.Copy(in_, b_, e_);
    b_ = e_ = 0;
  }

 private:
  ViewWriter& out_;
  const View& in_;
  uint32_t b_ = 0, e_ = 0;
};

void BuildFolded(std::string_view in, CodePointCache& cache, View& v) {
  ViewWriter out(v, in.size() + in.size() / 4);
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const auto n = static_cast<int32_t>(in.size());
  size_t last_cp = std::string::npos;  // first byte in v.text of the last code point written
  for (int32_t i = 0; i < n;) {
    if (p[i] < 0x80) {  // a run of ASCII: lower-cased, one byte for one byte
      int32_t j = i + 1;
      while (j < n && p[j] < 0x80) ++j;
      out.AppendLowerAscii(p, static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      last_cp = out.size() - 1;
      i = j;
      continue;
    }
    const auto b = static_cast<uint32_t>(i);
    UChar32 c;
    U8_NEXT(p, i, n, c);
    const auto e = static_cast<uint32_t>(i);
    if (c < 0) c = 0xFFFD;
    const uint8_t cls = cache.Class(c);
    if (cls & kInvisible) continue;
    const std::string_view f = cache.Fold(c);
    if (f.empty()) {
      // A dropped combining mark belongs to its base: let the base's span cover it.
      if (last_cp != std::string::npos && (cls & kMark)) out.ExtendEnd(last_cp, e);
      continue;
    }
    size_t k = f.size() - 1;
    while (k > 0 && (static_cast<uint8_t>(f[k]) & 0xC0) == 0x80) --k;
    last_cp = out.size() + k;
    out.Append(f, b, e);
  }
  out.Finish();
}

// ASCII passes through unchanged; every other code point becomes its skeleton, each byte of which maps
// to the whole original range of the code point.
void BuildSkeleton(const View& folded, CodePointCache& cache, View& v) {
  if (IsAscii(folded.text)) {
    v = folded;
    return;
  }
  ViewWriter out(v, folded.text.size() + folded.text.size() / 4);
  const auto* p = reinterpret_cast<const uint8_t*>(folded.text.data());
  const auto n = static_cast<int32_t>(folded.text.size());
  for (int32_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      int32_t j = i + 1;
      while (j < n && p[j] < 0x80) ++j;
      out.Copy(folded, static_cast<uint32_t>(i), static_cast<uint32_t>(j));
      i = j;
      continue;
    }
    const auto b = static_cast<uint32_t>(i);
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;
    const uint32_t os = folded.start[b], oe = folded.end[static_cast<uint32_t>(i) - 1];
    out.Append(cache.Skeleton(c), os, oe);
  }
  out.Finish();
}

// The code points of a view's text as the passes below read them. Decoded: an array of Cp. Ascii: the
// bytes themselves, one per code point, read in place (no decoding pass, a byte instead of a Cp per
// character) — most comments are ASCII by the time they reach the skeleton.
struct DecodedText {
  Cp* cps;
  size_t n;
  size_t size() const { return n; }
  UChar32 c(size_t k) const { return cps[k].c; }
  uint8_t cls(size_t k) const { return cps[k].cls; }
  uint32_t b(size_t k) const { return cps[k].b; }
  uint32_t e(size_t k) const { return cps[k].e; }
  // The byte at k of the text became the ASCII `l`.
  void Replaced(size_t k, char l) {
    cps[k].c = static_cast<uint8_t>(l);
    cps[k].cls = kAsciiClass[static_cast<uint8_t>(l)];
  }
};

struct AsciiText {
  const char* p;  // the text itself: a change to it is seen here at once
  size_t n;
  size_t size() const { return n; }
  UChar32 c(size_t k) const { return static_cast<uint8_t>(p[k]); }
  uint8_t cls(size_t k) const { return kAsciiClass[static_cast<uint8_t>(p[k])]; }
  uint32_t b(size_t k) const { return static_cast<uint32_t>(k); }
  uint32_t e(size_t k) const { return static_cast<uint32_t>(k + 1); }
  void Replaced(size_t, char) {}
};

// In place on a copy of the skeleton (one byte in, one byte out: offsets carry over unchanged); `cps` reads
// the text being changed. Inside a token run (letters, digits, leet symbols, marks) holding a letter, every
// leet character but a trailing "!" run becomes its letter. Only runs holding a leet character can change,
// so the scan jumps from one leet character to the next and looks at the run around it.
template <class Text>
void Deleet(View& v, Text& cps) {
  const size_t n = cps.size();
  char* text = v.text.data();
  auto is_token = [&](size_t k) { return (cps.cls(k) & (kAlnum | kLeetSymbol | kMark)) != 0; };
  for (size_t at = 0; at < n; ++at) {
    if (!(cps.cls(at) & kLeet)) continue;
    size_t i = at, j = at + 1;  // the token run around `at` (a leet character is a token, not a letter)
    while (i > 0 && is_token(i - 1)) --i;
    bool has_letter = false;
    for (size_t k = i; k < at; ++k) has_letter |= (cps.cls(k) & kLetter) != 0;
    while (j < n && is_token(j)) has_letter |= (cps.cls(j++) & kLetter) != 0;
    if (has_letter) {
      size_t last = j;  // a trailing "!" run is punctuation ("wow!!"), not a letter
      while (last > i && cps.c(last - 1) == '!') --last;
      for (size_t k = i; k < last; ++k) {
        if (char l = cps.c(k) < 0x80 ? LeetLetter(cps.c(k)) : 0) {
          text[cps.b(k)] = l;
          cps.Replaced(k, l);
        }
      }
    }
    at = j;  // j is past the run: not a token, or the end
  }
}

// The first k from `k` on where a spelled-out chain may start: a letter after a non-alphanumeric (or at
// the start), then a separator, then a letter; cps.size() when there is none. A necessary condition of
// JoinSpelledLetters' test, checked with the classes of four neighbours kept in registers and combined
// without branches (a separator follows a letter at every word end, so branching on it mispredicts).
template <class Text>
size_t NextSpelledLetterCandidate(const Text& cps, size_t k) {
  const size_t n = cps.size();
  if (k + 2 >= n) return n;
  static_assert(kLetter == 1 && kAlnum == 2 && kSeparator == 16, "the bit arithmetic below");
  unsigned prev = k == 0 ? 0 : cps.cls(k - 1), cur = cps.cls(k), next = cps.cls(k + 1);
  for (; k + 2 < n; ++k) {
    const unsigned after = cps.cls(k + 2);
    if (cur & ~(prev >> 1) & (next >> 4) & after & 1u) return k;
    prev = cur;
    cur = next;
    next = after;
  }
  return n;
}

// Removes the separators in chains of three or more single letters joined by one repeated separator
// character ("f.u.c.k", "f u c k", "f-u-c-k"). Returns false, leaving `out` alone, when there is none;
// otherwise `out` is the joined view and, for decoded text, `out_cps` its code points.
template <class Text>
bool JoinSpelledLetters(const View& in, const Text& cps, std::vector<uint8_t>& drop, View& out,
                        CpArray& out_cps) {
  const size_t n = cps.size();
  auto single = [&](size_t k) {
    return (cps.cls(k) & kLetter) && (k == 0 || !(cps.cls(k - 1) & kAlnum)) &&
           (k + 1 == n || !(cps.cls(k + 1) & kAlnum));
  };
  bool any = false;
  for (size_t k = 0; k < n;) {
    k = NextSpelledLetterCandidate(cps, k);
    if (k == n) break;
    if (single(k) && single(k + 2)) {
      const UChar32 sep = cps.c(k + 1);
      size_t j = k + 2, letters = 2;
      while (j + 2 < n && cps.c(j + 1) == sep && single(j + 2)) j += 2, ++letters;
      if (letters >= 3) {
        if (!any) drop.assign(n, 0);
        for (size_t m = k + 1; m < j; m += 2) drop[m] = 1;
        any = true;
        k = j + 1;
        continue;
      }
    }
    ++k;
  }
  if (!any) return false;
  ViewWriter writer(out, in.text.size());
  RangeCopier copy(writer, in);
  Cp* joined = std::is_same_v<Text, DecodedText> ? out_cps.Prepare(n) : nullptr;
  size_t count = 0;
  uint32_t at = 0;
  for (size_t k = 0; k < n; ++k) {
    if (drop[k]) continue;
    copy.Add(cps.b(k), cps.e(k));
    if constexpr (std::is_same_v<Text, DecodedText>) {
      const uint32_t len = cps.e(k) - cps.b(k);
      joined[count++] = {cps.c(k), at, at + len, cps.cls(k)};
      at += len;
    }
  }
  copy.Flush();
  writer.Finish();
  out_cps.SetSize(count);
  return true;
}

// Cuts every run of one repeated letter to `keep` letters; the last kept letter's span reaches the
// end of the run. Returns false, leaving `out` alone, when no run is longer than `keep`.
template <class Text>
bool SqueezeRuns(const View& in, const Text& cps, size_t keep, View& out) {
  const size_t n = cps.size();
  bool long_run = false;
  for (size_t k = 0, run = 1; k < n && !long_run; ++k) {
    run = k > 0 && cps.c(k) == cps.c(k - 1) ? run + 1 : 1;
    long_run = run > keep && (cps.cls(k) & kLetter);
  }
  if (!long_run) return false;
  ViewWriter writer(out, in.text.size());
  RangeCopier copy(writer, in);
  for (size_t k = 0; k < n;) {
    size_t j = k + 1;
    if (cps.cls(k) & kLetter) {
      while (j < n && cps.c(j) == cps.c(k)) ++j;
    }
    const size_t kept = std::min(j - k, keep);
    copy.Add(cps.b(k), cps.e(k + kept - 1));
    if (j - k > kept) {
      copy.Flush();
      const size_t last = k + kept - 1;
      writer.ExtendEnd(writer.size() - (cps.e(last) - cps.b(last)), in.end[cps.e(j - 1) - 1]);
    }
    k = j;
  }
  copy.Flush();
  writer.Finish();
  return true;
}

// deleet and squeezed from the skeleton, whose code points `cps` reads (in deleet's text for Ascii).
template <class Text>
void BuildDeleetAndSqueezed(TextViews& v, Text cps, Scratch& scratch) {
  Deleet(v.deleet, cps);
  View joined;
  if (!JoinSpelledLetters(v.deleet, cps, scratch.drop, joined, scratch.joined_cps)) {
    if (!SqueezeRuns(v.deleet, cps, 2, v.squeezed)) v.squeezed = v.deleet;
    return;
  }
  bool squeezed = false;
  if constexpr (std::is_same_v<Text, DecodedText>) {
    squeezed =
        SqueezeRuns(joined, DecodedText{scratch.joined_cps.data(), scratch.joined_cps.size()}, 2, v.squeezed);
  } else {
    squeezed = SqueezeRuns(joined, AsciiText{joined.text.data(), joined.text.size()}, 2, v.squeezed);
  }
  if (!squeezed) v.squeezed = std::move(joined);
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
        latin |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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

char LeetLetter(char32_t c) { return c < 0x80 ? views_internal::LeetLetter(static_cast<UChar32>(c)) : 0; }

TextViews BuildViews(std::string_view utf8, bool with_words) {
  CodePointCache& cache = Cache();
  cache.Trim();
  Scratch& scratch = GetScratch();
  TextViews v;
  v.original = utf8;
  BuildFolded(utf8, cache, v.folded);
  BuildSkeleton(v.folded, cache, v.skeleton);
  v.deleet = v.skeleton;
  if (IsAscii(v.skeleton.text)) {
    BuildDeleetAndSqueezed(v, AsciiText{v.deleet.text.data(), v.deleet.text.size()}, scratch);
  } else {
    Decode(v.skeleton.text, cache, scratch.cps);
    BuildDeleetAndSqueezed(v, DecodedText{scratch.cps.data(), scratch.cps.size()}, scratch);
  }
  if (with_words) {
    v.words = BuildWords(v.folded.text);
    v.mixed_script_word = HasMixedScriptWord(v.folded.text, v.words);
  }
  return v;
}

View Squeeze1(const View& v) {
  View out;
  bool squeezed = false;
  if (IsAscii(v.text)) {
    squeezed = SqueezeRuns(v, AsciiText{v.text.data(), v.text.size()}, 1, out);
  } else {
    CodePointCache& cache = Cache();
    cache.Trim();
    CpArray& cps = GetScratch().cps;
    Decode(v.text, cache, cps);
    squeezed = SqueezeRuns(v, DecodedText{cps.data(), cps.size()}, 1, out);
  }
  if (!squeezed) out = v;
  return out;
}

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
    if (c >= 0 && (c < 0x80 ? (kAsciiClass[c] & kAlnum) != 0 : IsWordChar(c))) return false;
  }
  if (end < text.size()) {
    auto i = static_cast<int32_t>(end);
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0 && (c < 0x80 ? (kAsciiClass[c] & kAlnum) != 0 : IsWordChar(c))) return false;
  }
  return true;
}

}  // namespace tribune::text
