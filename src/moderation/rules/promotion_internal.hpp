// Internal to promotion*.cpp: scan state, character helpers, the scanners' entry points.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "moderation/rules/form.hpp"  // casing
#include "moderation/rules/links_urls.hpp"
#include "moderation/rules/promotion.hpp"
#include "text/views.hpp"

namespace tribune::moderation::promo_internal {

constexpr size_t kMaxPerKind = 64;   // features kept per kind: presence and a few spans are all that count
constexpr size_t kMaxDigits = 24;    // a longer digit run is an identifier or garbage, not an amount
constexpr size_t kNear = 300;        // bytes between two features that still count together
constexpr size_t kHandleReach = 24;  // bytes after a messenger word where its "@name" or number may stand
constexpr size_t kCryptoReach = 24;  // bytes after "send" where the crypto amount or wallet may stand
constexpr size_t kEarningReach = 60; // bytes between an earning word and the rate it makes income

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiAlnum(char c) { return IsDigit(c) || IsAsciiAlpha(c); }

// A letter, digit or '_' just before / at byte i of the original text.
inline bool WordBefore(std::string_view s, size_t i) {
  return i > 0 && casing::IsWordChar(casing::DecodeBefore(s, i).cp);
}
inline bool WordAt(std::string_view s, size_t i) { return i < s.size() && casing::IsWordChar(casing::Decode(s, i).cp); }

// A term of a small list matched against the lower-cased original (casing::FoldLower: same offsets).
// `prefix`: the term may go on as a word ("рубл" matches "рублей"); otherwise it must end a word (a term
// ending in punctuation or a symbol needs nothing after it).
struct Term {
  std::string_view text;
  bool prefix = false;
};

// True when `term` starts at `pos` of `lower` at a word start. Returns the end of the match (the whole
// word for a prefix term) in *end.
bool TermAt(std::string_view lower, size_t pos, const Term& term, size_t* end = nullptr);

// Byte offsets where a word starts in `text` (a letter, digit or '_' after anything else), computed once
// per text for the scanners that try word lists at every word.
std::vector<uint32_t> WordStarts(std::string_view text);

// A list of terms indexed by first byte, to try them at the word starts of a text in one pass (instead of
// one search of the whole text per term).
class TermIndex {
 public:
  template <size_t N>
  explicit TermIndex(const std::array<Term, N>& terms) {
    for (const Term& t : terms) buckets_[static_cast<uint8_t>(t.text[0])].push_back(&t);
  }
  // True when a term matches at `pos` (see TermAt); *end is where it ends.
  bool At(std::string_view lower, size_t pos, size_t* end) const {
    if (pos >= lower.size()) return false;
    for (const Term* t : buckets_[static_cast<uint8_t>(lower[pos])]) {
      if (TermAt(lower, pos, *t, end)) return true;
    }
    return false;
  }
  // Calls f(begin, term, end) for every term that matches at one of `starts` in `lower`, in text order,
  // until f returns false.
  template <typename F>
  void ForEach(std::string_view lower, const std::vector<uint32_t>& starts, F f) const {
    for (const uint32_t i : starts) {
      for (const Term* t : buckets_[static_cast<uint8_t>(lower[i])]) {
        size_t end = 0;
        if (TermAt(lower, i, *t, &end) && !f(size_t{i}, *t, end)) return;
      }
    }
  }

 private:
  std::array<std::vector<const Term*>, 256> buckets_;
};

// Skips spaces (ASCII space, tab, no-break space, narrow no-break space) from i, at most `limit` bytes.
size_t SkipSpaces(std::string_view s, size_t i, size_t limit = 4);
// Backwards: the position before the spaces that end just before i.
size_t SkipSpacesBack(std::string_view s, size_t i, size_t limit = 4);

// Collected features, at most kMaxPerKind of each kind.
struct PromoScan {
  std::string_view s;
  std::string lower;
  std::vector<uint32_t> starts;  // WordStarts(text)
  std::vector<PromoFeature> out;
  std::array<size_t, 32> counts{};
  // Whether the text holds an ASCII digit / an '@' at all: most comments hold neither, and the scanners
  // that need one (amounts, phone numbers, wallets, handles) are skipped then.
  bool digits = false;
  bool at_sign = false;

  explicit PromoScan(std::string_view text) : s(text), lower(casing::FoldLower(text)), starts(WordStarts(text)) {
    for (const char c : text) {
      digits |= IsDigit(c);
      at_sign |= c == '@';
    }
  }
  bool Full(PromoKind kind) const { return counts[static_cast<size_t>(kind)] >= kMaxPerKind; }
  void Add(const PromoFeature& f) {
    if (Full(f.kind)) return;
    ++counts[static_cast<size_t>(f.kind)];
    out.push_back(f);
  }
};

// Scanners over the original text, run in this order by FindPromoTokens.
void ScanAmounts(PromoScan& scan);     // prices, discounts, rates (promotion_numbers.cpp)
void ScanPromoCodes(PromoScan& scan);  // promotion_codes.cpp
void ScanHandles(PromoScan& scan);     // messenger links and messenger words + @name / number (promotion_contacts.cpp)
void ScanWallets(PromoScan& scan);     // promotion_contacts.cpp
// Affiliate, messenger, profile and shop links among `urls` (promotion_links.cpp).
void AddLinkFeatures(PromoScan& scan, const std::vector<Url>& urls);

// Bech32/bech32m checksum of a whole address ("bc1q…"), case-insensitive but not mixed.
bool Bech32Valid(std::string_view address);

// Word spans [begin, end) of `t`: runs of letters, digits and combining marks (ICU classes, as the lexicon).
std::vector<std::pair<size_t, size_t>> Words(std::string_view t);

// The in-code lists of promotion_words.cpp, normalised like the text and matched over the squeezed view.
class WordLists {
 public:
  WordLists();
  // Adds a feature per phrase found in `squeezed` (spans mapped to the original). Warnings and promises
  // preceded by a negation within three words ("not a scam", "not guaranteed") are skipped.
  void Match(const text::View& squeezed, PromoScan& scan) const;

 private:
  struct Phrase {
    std::vector<std::string> words;
    bool prefix_last = false;
    bool calling = false;
    PromoKind kind = PromoKind::kCallToAction;
  };
  std::vector<Phrase> phrases_;
  // Transparent hashing: the words of a text are looked up as string_views, without a std::string each.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> by_first_;
  std::unordered_map<uint16_t, std::vector<uint32_t>> prefix_first_;  // one-word prefix phrases by first two bytes
  std::unordered_set<std::string, Hash, std::equal_to<>> negators_;
};

}  // namespace tribune::moderation::promo_internal
