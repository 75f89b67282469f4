// Internal to the privacy rule: scan state, context-word search, the scanners privacy*.cpp share.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "moderation/rules/form.hpp"  // casing
#include "moderation/rules/privacy.hpp"

namespace tribune::moderation::privacy_internal {

constexpr size_t kContextBefore = 64;  // bytes of text searched for context words before a match
constexpr size_t kContextAfter = 40;

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
inline char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// casing::Decode / DecodeBefore / Classify with the ASCII case inline: the scanners ask about nearly every
// byte, and ASCII is what they mostly see. Same results as the casing functions for every input.
inline casing::Decoded DecodeAt(std::string_view s, size_t i) {
  const auto c = static_cast<uint8_t>(s[i]);
  return c < 0x80 ? casing::Decoded{c, 1} : casing::Decode(s, i);
}
inline char32_t CodePointBefore(std::string_view s, size_t i) {
  if (i > 0 && static_cast<uint8_t>(s[i - 1]) < 0x80) return static_cast<uint8_t>(s[i - 1]);
  return casing::DecodeBefore(s, i).cp;
}
inline casing::Kind KindOf(char32_t c) {
  if (c >= 0x80) return casing::Classify(c);
  if (c >= 'A' && c <= 'Z') return casing::Kind::kUpper;
  if (c >= 'a' && c <= 'z') return casing::Kind::kLower;
  if (c >= '0' && c <= '9') return casing::Kind::kDigit;
  return casing::Kind::kOther;
}
inline bool IsLetterCp(char32_t c) {
  const casing::Kind k = KindOf(c);
  return k == casing::Kind::kUpper || k == casing::Kind::kLower || k == casing::Kind::kCaseless;
}
inline bool IsWordCp(char32_t c) { return c == '_' || KindOf(c) != casing::Kind::kOther; }

// A letter, digit or '_' just before / at byte i.
inline bool WordBefore(std::string_view s, size_t i) { return i > 0 && IsWordCp(CodePointBefore(s, i)); }
inline bool WordAt(std::string_view s, size_t i) { return i < s.size() && IsWordCp(DecodeAt(s, i).cp); }

// Moves i forward to a code point boundary.
inline size_t AlignForward(std::string_view s, size_t i) {
  while (i < s.size() && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// ---------------------------------------------------------------------------------------------------
// Context words. `lower` is casing::FoldLower of the text (same offsets). A term matches at a word
// start; whole terms also need a word end. Terms are lower-case, ё written е.

struct Term {
  std::string_view text;
  bool prefix = false;
  int strength = 2;  // phone context: 2 strong ("call"), 1 weak ("my number"); weak words do not beat an order word
};

inline bool TermAt(std::string_view lower, size_t pos, const Term& term) {
  if (lower.compare(pos, term.text.size(), term.text) != 0) return false;
  if (casing::IsWordChar(casing::Decode(term.text, 0).cp) && WordBefore(lower, pos)) return false;
  size_t end = pos + term.text.size();
  size_t last_start = 0;
  casing::DecodeBefore(term.text, term.text.size(), &last_start);
  bool word_end = casing::IsWordChar(casing::Decode(term.text, last_start).cp);
  if (!term.prefix && word_end && WordAt(lower, end)) return false;
  return true;
}

struct TermHit {
  size_t pos = std::string_view::npos;
  int strength = 0;
  bool found() const { return pos != std::string_view::npos; }
};

// A term list grouped by first byte (built at compile time), so a search tries at each position only the
// terms that start with the byte there instead of running one string search per term over the window.
template <size_t N>
struct TermSet {
  std::array<Term, N> terms{};       // grouped by first byte
  std::array<uint16_t, 257> first{};  // terms[first[b], first[b + 1]) start with byte b

  constexpr explicit TermSet(const std::array<Term, N>& list) {
    size_t k = 0;
    for (size_t byte = 0; byte < 256; ++byte) {
      first[byte] = static_cast<uint16_t>(k);
      for (const Term& t : list) {
        if (static_cast<uint8_t>(t.text[0]) == byte) terms[k++] = t;
      }
    }
    first[256] = static_cast<uint16_t>(k);
  }
};

// The strongest term of `set` that matches at `pos` (TermAt) and ends by `end`; -1 when none does.
template <size_t N>
int StrongestTermAt(std::string_view lower, size_t pos, size_t end, const TermSet<N>& set) {
  const auto byte = static_cast<uint8_t>(lower[pos]);
  int best = -1;
  for (size_t k = set.first[byte]; k < set.first[byte + 1]; ++k) {
    const Term& term = set.terms[k];
    // The second byte rejects most candidates before the full comparison (the first one matched).
    if (pos + term.text.size() <= end && term.strength > best &&
        (term.text.size() < 2 || lower[pos + 1] == term.text[1]) && TermAt(lower, pos, term))
      best = term.strength;
  }
  return best;
}

// Whether any term of `set` matches at `pos` (TermAt).
template <size_t N>
bool AnyTermAt(std::string_view lower, size_t pos, const TermSet<N>& set) {
  return pos < lower.size() && StrongestTermAt(lower, pos, lower.size(), set) >= 0;
}

// The occurrence of any term lying wholly in lower[b, e) nearest to `e` (last = true) or to `b`
// (last = false); of several terms there, the strongest.
template <size_t N>
TermHit FindTerm(std::string_view lower, size_t b, size_t e, const TermSet<N>& set, bool last) {
  if (last) {
    for (size_t p = e; p-- > b;) {
      if (int strength = StrongestTermAt(lower, p, e, set); strength >= 0) return {p, strength};
    }
  } else {
    for (size_t p = b; p < e; ++p) {
      if (int strength = StrongestTermAt(lower, p, e, set); strength >= 0) return {p, strength};
    }
  }
  return {};
}

inline std::pair<size_t, size_t> WindowBefore(std::string_view s, size_t begin) {
  size_t b = begin > kContextBefore ? AlignForward(s, begin - kContextBefore) : 0;
  return {b, begin};
}
inline std::pair<size_t, size_t> WindowAfter(std::string_view s, size_t end) {
  size_t e = std::min(s.size(), end + kContextAfter);
  while (e < s.size() && e > end && (static_cast<uint8_t>(s[e]) & 0xC0) == 0x80) --e;
  return {end, e};
}

// Order, invoice, tracking… words: a number after one is not a phone or card number (phones and cards).
inline constexpr TermSet kOrderWords{std::array{
    Term{"order", true}, Term{"invoice", true}, Term{"tracking"}, Term{"ticket", true}, Term{"isbn"},
    Term{"issn"}, Term{"ref"}, Term{"reference"}, Term{"id"}, Term{"serial"}, Term{"sku"}, Term{"patent"},
    Term{"doi"}, Term{"vin"}, Term{"parcel"}, Term{"shipment"}, Term{"receipt"}, Term{"case number"},
    Term{"part number"}, Term{"model number"}, Term{"item number"}, Term{"account number"},
    Term{"customer number"}, Term{"product code"}, Term{"promo code"},
    Term{"#"}, Term{"№"}, Term{"no."}, Term{"nr."}, Term{"n°"}, Term{"nº"},
    Term{"заказ", true}, Term{"накладн", true}, Term{"трек", true}, Term{"артикул", true}, Term{"чек", true},
    Term{"квитанц", true}, Term{"код", true}, Term{"посылк", true},
    Term{"commande", true}, Term{"facture", true}, Term{"référence", true}, Term{"billet", true},
    Term{"colis"}, Term{"suivi"},
    Term{"bestell", true}, Term{"rechnung", true}, Term{"auftrag", true}, Term{"sendung", true},
    Term{"artikel", true},
    Term{"pedido", true}, Term{"factura", true}, Term{"referencia", true}, Term{"código", true},
    Term{"codigo", true}, Term{"envío", true}, Term{"envio", true}, Term{"seguimiento"},
}};

// ---------------------------------------------------------------------------------------------------
// Amounts and prices (privacy.cpp).

bool IsCurrency(char32_t c);

// The next code point after `end`, skipping one space.
char32_t NextAfterSpace(std::string_view s, size_t end, size_t* at = nullptr);
// The code point before `begin`, skipping one space.
char32_t PrevBeforeSpace(std::string_view s, size_t begin);

// A unit word or currency sign right after `end` (after one optional space).
bool AmountFollows(std::string_view s, std::string_view lower, size_t end);

// ---------------------------------------------------------------------------------------------------
// Shared scanning state.

struct Scan {
  std::string_view s;
  std::string lower;
  std::vector<uint8_t> claimed;
  std::vector<PersonalDataMatch> matches;

  explicit Scan(std::string_view text) : s(text), lower(casing::FoldLower(text)), claimed(text.size(), 0) {}

  bool Free(size_t b, size_t e) const {
    for (size_t i = b; i < e; ++i) {
      if (claimed[i]) return false;
    }
    return true;
  }
  void Add(PersonalDataMatch m) {
    std::fill(claimed.begin() + static_cast<std::ptrdiff_t>(m.begin), claimed.begin() + static_cast<std::ptrdiff_t>(m.end), 1);
    matches.push_back(m);
  }
};

// ---------------------------------------------------------------------------------------------------
// Scanners, run by FindPersonalData in this order (earlier scanners claim their bytes first).

void ScanIbans(Scan& scan);             // privacy_numbers.cpp
void ScanCards(Scan& scan);             // privacy_numbers.cpp
void ScanEmails(Scan& scan);            // privacy_email.cpp
void ScanObfuscatedEmails(Scan& scan);  // privacy_email.cpp
void ScanPhones(Scan& scan);            // privacy_phone.cpp
void ScanAddresses(Scan& scan);         // privacy_address.cpp

}  // namespace tribune::moderation::privacy_internal
