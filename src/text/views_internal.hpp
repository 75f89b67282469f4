// Internal to text/views*.cpp: character classes and the per-thread cache of what ICU says about each
// non-ASCII code point (class, fold, skeleton). views.hpp documents the behaviour; this is plumbing.
#pragma once

#include <unicode/umachine.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tribune::text::views_internal {

enum : uint8_t {
  kLetter = 1 << 0,      // IsLetter: ASCII letter or u_isalpha
  kAlnum = 1 << 1,       // IsAlnum: ASCII letter or digit, or u_isalnum
  kMark = 1 << 2,        // IsMark: Mn, Me or Mc (non-ASCII only: no ASCII character is a mark)
  kLeetSymbol = 1 << 3,  // an ASCII non-digit that reads as a letter (LeetLetter)
  kSeparator = 1 << 4,   // IsLetterSeparator
  kInvisible = 1 << 5,   // IsInvisible: zero-width and bidi controls, soft hyphen, BOM, CGJ (non-ASCII)
  kLeet = 1 << 6,        // an ASCII character with a LeetLetter (a digit or a symbol)
};

bool IsInvisible(UChar32 c);
bool IsMark(UChar32 c);
bool IsAlnum(UChar32 c);
// Letter or digit, or a mark continuing one: what may not sit just outside a whole-word match.
bool IsWordChar(UChar32 c);

// The letter a digit or symbol stands for inside a word (0→o 1→i 3→e 4/@→a 5/$→s 7→t 8→b 9→g !→i |→l +→t),
// or 0.
constexpr char LeetLetter(UChar32 c) {
  switch (c) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
      return 'a';
    case '@':
      return 'a';
    case '5':
      return 's';
    case '$':
      return 's';
    case '7':
      return 't';
    case '8':
      return 'b';
    case '9':
      return 'g';
    case '!':
      return 'i';
    case '|':
      return 'l';
    case '+':
      return 't';
    default:
      return 0;
  }
}

// Characters that may sit between spelled-out single letters ("f.u.c.k", "f u c k").
constexpr bool IsLetterSeparator(UChar32 c) {
  return c == '.' || c == '-' || c == '_' || c == '*' || c == ' ' || c == '\'' || c == '~';
}

// The class bits of every ASCII character.
inline constexpr std::array<uint8_t, 128> kAsciiClass = [] {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), digit = c >= '0' && c <= '9';
    t[c] = static_cast<uint8_t>((alpha ? kLetter : 0) | (alpha || digit ? kAlnum : 0) |
                                (!digit && LeetLetter(c) != 0 ? kLeetSymbol : 0) |
                                (LeetLetter(c) != 0 ? kLeet : 0) | (IsLetterSeparator(c) ? kSeparator : 0));
  }
  return t;
}();

// Per-thread cache of what the views need to know about each non-ASCII code point met: its class bits,
// its folded form (NFKC_Casefold, diacritics dropped, NFC, of the code point alone) and its skeleton (of a
// folded code point: ICU's confusable skeleton, folded again, mapped onto the ASCII letter it imitates when
// there is one). Lookups are two array indexings, with no hashing and no std::string per character: the
// std::unordered_map<UChar32, std::string> caches this replaced cost more than building the views.
// Bounded: Trim() drops everything once the pool or the pages outgrow their limits, so a flood of distinct
// code points cannot grow it. It is called between views only, never while a returned string_view lives.
class CodePointCache {
 public:
  uint8_t Class(UChar32 c) {
    Entry& e = At(c);
    if (!(e.known & kKnownClass)) ComputeClass(c, e);
    return e.cls;
  }

  // Valid until the next call of Fold or Skeleton.
  std::string_view Fold(UChar32 c) {
    Entry& e = At(c);
    if (!(e.known & kKnownFold)) ComputeFold(c, e);
    return Get(e.fold);
  }

  // Skeleton of one (already folded, non-ASCII) code point, case-folded again, mapped onto the ASCII
  // letter it imitates when there is one. Valid until the next call of Fold or Skeleton.
  std::string_view Skeleton(UChar32 c) {
    Entry& e = At(c);
    if (!(e.known & kKnownSkeleton)) ComputeSkeleton(c, e);
    return Get(e.skeleton);
  }

  void Trim() {
    if (pool_.size() > kMaxPoolBytes || pages_used_ > kMaxPages) {
      pages_.clear();
      pool_.clear();
      pages_used_ = 0;
    }
  }

 private:
  struct Slice {
    uint32_t at = 0, size = 0;
  };
  struct Entry {
    Slice fold, skeleton;
    uint8_t cls = 0, known = 0;
  };
  enum : uint8_t { kKnownClass = 1, kKnownFold = 2, kKnownSkeleton = 4 };
  static constexpr int kPageBits = 8;
  static constexpr size_t kMaxPages = 256;  // 256 × 256 code points, × 20 bytes: ~1.3 MB
  static constexpr size_t kMaxPoolBytes = 1u << 20;
  using Page = std::array<Entry, 1u << kPageBits>;

  void ComputeClass(UChar32 c, Entry& e);
  void ComputeFold(UChar32 c, Entry& e);
  void ComputeSkeleton(UChar32 c, Entry& e);

  Entry& At(UChar32 c) {
    if (pages_.empty()) pages_.resize((0x10FFFF >> kPageBits) + 1);
    std::unique_ptr<Page>& page = pages_[static_cast<uint32_t>(c) >> kPageBits];
    if (!page) {
      page = std::make_unique<Page>();
      ++pages_used_;
    }
    return (*page)[static_cast<uint32_t>(c) & ((1u << kPageBits) - 1)];
  }
  Slice Store(std::string_view s) {
    Slice slice{static_cast<uint32_t>(pool_.size()), static_cast<uint32_t>(s.size())};
    pool_.append(s);
    return slice;
  }
  std::string_view Get(Slice s) const { return std::string_view(pool_).substr(s.at, s.size); }

  std::vector<std::unique_ptr<Page>> pages_;
  std::string pool_;
  size_t pages_used_ = 0;
};

// This thread's cache.
CodePointCache& Cache();

}  // namespace tribune::text::views_internal
