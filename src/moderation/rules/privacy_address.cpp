// Street addresses: "221B Baker Street", "12 rue de la Paix", "ул. Ленина, д. 5", "Hauptstraße 5".
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include "moderation/rules/form.hpp"  // casing
#include "moderation/rules/privacy.hpp"
#include "moderation/rules/privacy_scan.hpp"

namespace tribune::moderation::privacy_internal {
namespace {

using casing::Kind;

constexpr double kAddressConfidence = 0.6;
constexpr double kAddressContextConfidence = 0.8;

constexpr TermSet kAddressContext{std::array{
    Term{"lives at"}, Term{"live at"}, Term{"living at"}, Term{"lives on"}, Term{"live on"},
    Term{"lives in"}, Term{"address", true}, Term{"adress", true}, Term{"addr"}, Term{"home is"},
    Term{"house is"}, Term{"find him at"}, Term{"find her at"}, Term{"find them at"}, Term{"visit him at"},
    Term{"адрес", true}, Term{"живет"}, Term{"живу"}, Term{"живут"}, Term{"прожива", true},
    Term{"прописан", true},
    Term{"adresse", true}, Term{"habite", true}, Term{"domicil", true}, Term{"vit au"}, Term{"vit à"},
    Term{"wohn", true}, Term{"anschrift", true},
    Term{"dirección", true}, Term{"direccion", true}, Term{"domicilio", true}, Term{"vive en"},
    Term{"vivo en"}, Term{"viven en"},
}};

// Windows of text around digit runs, `reach` bytes each side, cut at spaces, merged when they overlap.
std::vector<std::pair<size_t, size_t>> NumberWindows(std::string_view s, size_t reach) {
  std::vector<std::pair<size_t, size_t>> windows;
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[i])) continue;
    size_t j = i;
    while (j < n && IsDigit(s[j])) ++j;
    size_t b = i > reach ? i - reach : 0, e = std::min(n, j + reach);
    while (b > 0 && b < i && s[b - 1] != ' ') ++b;  // start after a space: never inside a word
    while (e < n && e > j && s[e] != ' ') --e;      // end at a space
    if (!windows.empty() && b <= windows.back().second) {
      windows.back().second = std::max(windows.back().second, e);
    } else {
      windows.emplace_back(b, e);
    }
    i = j;
  }
  return windows;
}

// ---------------------------------------------------------------------------------------------------
// Street addresses, over tokens.

// Word classes for the address matchers, looked up once per word token.
enum WordClass : uint16_t {
  kSuffixStreet = 1 << 0,    // English: number + name + this ("Baker Street")
  kFrontStreet = 1 << 1,     // French: number + this + name ("12 rue de la Paix")
  kLeadStreet = 1 << 2,      // Spanish/Russian: this + name + number ("Calle Mayor 10", "ул. Ленина, д. 5")
  kTrailingStreet = 1 << 3,  // Russian name-first: name + this + number ("Тверская ул., 7")
  kGermanStreet = 1 << 4,    // standalone German street word after a name ("Berliner Straße 12")
  kFunction = 1 << 5,        // inside street names: "de", "la", "der"
  kStop = 1 << 6,            // never an English street name: "the", "my", "for"
  kHouseMarker = 1 << 7,     // "д.", "дом", "nº", "Nr."
  kDirection = 1 << 8,       // "NW"
  kYearPreposition = 1 << 9, // "in 1969", "в 2019"
  kBisTer = 1 << 10,
};

// The word → WordClass table: open addressing over a power-of-two array with a short multiplicative hash.
// Every word of every token is looked up, so this replaced a std::unordered_map<std::string_view, ...>
// whose hashing (std::_Hash_bytes) and bucket walk cost more than the tokenising.
class WordClassTable {
 public:
  void Add(uint16_t cls, std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) {
      Slot& slot = slots_[Probe(w)];
      slot.word = w;
      slot.classes |= cls;
      if (w.size() < shapes_.size()) shapes_[w.size()] |= Bit(w[0]);
      else long_words_ = true;
    }
  }
  uint16_t Find(std::string_view w) const {
    // Most words are rejected by their length and first byte alone, before any hashing.
    if (w.empty()) return 0;
    if (w.size() < shapes_.size() ? !(shapes_[w.size()] & Bit(w[0])) : !long_words_) return 0;
    return slots_[Probe(w)].classes;
  }

 private:
  static constexpr size_t kSlots = 1024;  // more than four times the words: short probe runs
  struct Slot {
    std::string_view word;  // empty: a free slot
    uint16_t classes = 0;
  };
  static size_t Hash(std::string_view w) {
    uint32_t h = static_cast<uint32_t>(w.size());
    for (char c : w) h = h * 31 + static_cast<uint8_t>(c);
    return (h * 0x9E3779B1u) >> (32 - 10);  // kSlots = 2^10
  }
  // The slot holding `w`, or the free slot where it would go.
  size_t Probe(std::string_view w) const {
    size_t i = Hash(w);
    while (!slots_[i].word.empty() && slots_[i].word != w) i = (i + 1) & (kSlots - 1);
    return i;
  }

  // shapes_[n] bit b: some word of n bytes starts with a byte whose low six bits are b.
  static uint64_t Bit(char first) { return uint64_t{1} << (static_cast<uint8_t>(first) & 63); }

  std::array<Slot, kSlots> slots_{};
  std::array<uint64_t, 24> shapes_{};  // longer than every word in the table ("набережной": 20 bytes)
  bool long_words_ = false;            // a word of 24 bytes or more was added
};

uint16_t WordClasses(std::string_view lower_word) {
  static const WordClassTable* table = [] {
    auto* m = new WordClassTable();
    auto add = [&](uint16_t cls, std::initializer_list<std::string_view> words) { m->Add(cls, words); };
    add(kSuffixStreet, {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive",
                        "dr", "highway", "hwy", "parkway", "pkwy", "square", "sq", "terrace", "crescent", "way"});
    add(kFrontStreet, {"rue", "avenue", "av", "boulevard", "bd", "bld", "chemin", "allée", "allee", "impasse", "quai"});
    add(kLeadStreet, {"ул", "улица", "улице", "улицы", "улицу", "проспект", "проспекте", "пр-т", "переулок",
                      "переулке", "пер", "бульвар", "бульваре", "шоссе", "набережная", "набережной", "calle",
                      "avenida", "avda", "paseo", "carrera", "rua"});
    add(kTrailingStreet, {"ул", "улица", "проспект", "пр-т", "пер", "переулок", "бульвар", "шоссе", "наб"});
    add(kGermanStreet, {"straße", "strasse", "str"});
    add(kFunction, {"de", "la", "le", "les", "du", "des", "d", "l", "del", "el", "los", "las", "y", "of", "the",
                    "der", "die", "das", "am", "an", "im", "von", "zum", "zur", "aux", "au"});
    add(kStop, {"the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "my", "your", "his", "her",
                "our", "their", "this", "that", "these", "those", "every", "each", "per", "from", "by", "with",
                "about", "more", "less", "than", "top", "best", "i", "we", "you", "it", "is", "was", "are"});
    add(kHouseMarker, {"д", "дом", "nº", "no", "n", "nr", "núm", "num", "número", "numero", "hausnummer"});
    add(kDirection, {"nw", "ne", "sw", "se", "n", "s", "e", "w"});
    add(kYearPreposition, {"in", "since", "by", "from", "until", "till", "of", "year", "around", "circa", "before",
                           "after", "en", "depuis", "seit", "im", "desde", "в", "с", "до", "году", "год", "anno",
                           "año"});
    add(kBisTer, {"bis", "ter"});
    return m;
  }();
  return table->Find(lower_word);
}

enum class TokKind : uint8_t { kWord, kNumber, kOrdinal, kPunct };

// 20 bytes (offsets fit 32 bits: comments are bounded long before that): tokens are made for most of
// the text of every comment with a number.
struct Token {
  TokKind kind;
  bool cap = false;        // a word starting with a capital ("Baker", "l'Opéra")
  uint16_t classes = 0;    // kWord: WordClass flags
  uint32_t begin = 0, end = 0;
  uint32_t number_len = 0;  // kNumber: digits in the leading number
  int value = 0;            // kNumber: its value (up to 6 digits)
};

Token MakeToken(TokKind kind, size_t begin, size_t end) {
  Token t{kind};
  t.begin = static_cast<uint32_t>(begin);
  t.end = static_cast<uint32_t>(end);
  return t;
}

bool IsOrdinalSuffix(std::string_view lower_suffix) {
  for (std::string_view sfx : {"st", "nd", "rd", "th", "e", "er", "re", "ème", "eme", "º", "ª", "-й", "-я",
                               "-го"}) {
    if (lower_suffix == sfx) return true;
  }
  return false;
}

// Street words of every kind: each matcher below needs one of them, or a German compound.
constexpr uint16_t kAnyStreet = kSuffixStreet | kFrontStreet | kLeadStreet | kTrailingStreet | kGermanStreet;

bool IsGermanCompoundStreet(std::string_view w, bool dot_after);

// Tokens of s[begin, end) into `tokens` (cleared first; the caller reuses it from window to window).
// Returns false when no token is a street word or a capitalised German compound, so no matcher can match.
bool Tokenize(std::string_view s, std::string_view lower, size_t begin, size_t end,
              std::vector<Token>& tokens) {
  tokens.clear();
  bool streets = false;
  const size_t n = end;
  for (size_t i = begin; i < n;) {
    casing::Decoded d = DecodeAt(s, i);
    Kind kind = KindOf(d.cp);
    if (kind == Kind::kUpper || kind == Kind::kLower || kind == Kind::kCaseless) {
      Token t = MakeToken(TokKind::kWord, i, i);
      t.cap = kind == Kind::kUpper;
      size_t p = i + d.length;
      size_t letters = 1;
      while (p < n) {
        if (IsAlpha(s[p])) {  // ASCII letters, the common case, without decoding
          ++letters;
          ++p;
          continue;
        }
        casing::Decoded e = DecodeAt(s, p);
        if (IsLetterCp(e.cp)) {
          ++letters;
          p += e.length;
          continue;
        }
        bool joiner = e.cp == '\'' || e.cp == 0x2019 || e.cp == '-';
        if (joiner && p + e.length < n && IsLetterCp(DecodeAt(s, p + e.length).cp)) {
          // "l'Opéra", "d'Alcalá": the capital after a short elided article decides.
          if (e.cp != '-' && letters <= 2) t.cap = KindOf(DecodeAt(s, p + e.length).cp) == Kind::kUpper;
          p += e.length;
          continue;
        }
        break;
      }
      t.end = static_cast<uint32_t>(p);
      t.classes = WordClasses(lower.substr(i, p - i));
      streets = streets || (t.classes & kAnyStreet) ||
                (t.cap && IsGermanCompoundStreet(lower.substr(i, p - i), true));
      tokens.push_back(t);
      i = p;
    } else if (IsDigit(s[i])) {
      size_t p = i;
      while (p < n && IsDigit(s[p])) ++p;
      Token t = MakeToken(TokKind::kNumber, i, p);
      t.number_len = static_cast<uint32_t>(p - i);
      for (size_t k = i; k < p && k < i + 6; ++k) t.value = t.value * 10 + (s[k] - '0');
      // Letters glued to the number: one letter is a house-number suffix ("221B"), an ordinal suffix makes
      // an ordinal ("5th"), anything else ("5km") is not a number we use.
      size_t q = p;
      size_t letters = 0;
      while (q < n && IsLetterCp(DecodeAt(s, q).cp)) q += DecodeAt(s, q).length, ++letters;
      if (letters == 0 && q + 1 < n && s[q] == '-' && IsLetterCp(DecodeAt(s, q + 1).cp)) {
        size_t r = q + 1;  // "8-й"
        while (r < n && IsLetterCp(DecodeAt(s, r).cp)) r += DecodeAt(s, r).length;
        if (IsOrdinalSuffix(lower.substr(q, r - q))) {
          t.kind = TokKind::kOrdinal;
          q = r;
        }
      } else if (letters > 0 && IsOrdinalSuffix(lower.substr(p, q - p))) {
        t.kind = TokKind::kOrdinal;  // "5th", "2e", "1º"
      } else if (letters == 1) {
        t.kind = TokKind::kNumber;  // "221B", "5а"
      } else if (letters > 1) {
        t.kind = TokKind::kPunct;   // "5km", "3x4": neither a house number nor a name
      }
      p = q;
      // "12-14", "5/2" house numbers.
      if (t.kind == TokKind::kNumber && p + 1 < n && (s[p] == '-' || s[p] == '/') && IsDigit(s[p + 1])) {
        size_t r = p + 1;
        while (r < n && IsDigit(s[r])) ++r;
        if (r - p - 1 <= 4 && !WordAt(s, r)) p = r;
      }
      t.end = static_cast<uint32_t>(p);
      tokens.push_back(t);
      i = p;
    } else if (d.cp == ' ' || d.cp == '\t' || d.cp == '\n' || d.cp == '\r' || d.cp == 0xA0) {
      i += d.length;
    } else {
      tokens.push_back(MakeToken(TokKind::kPunct, i, i + d.length));
      i += d.length;
    }
  }
  return streets;
}

// German compounds: "Hauptstraße", "Hauptstr.", "Lindenweg", "Marienplatz".
bool IsGermanCompoundStreet(std::string_view w, bool dot_after) {
  auto ends = [&](std::string_view sfx, size_t min_stem) {
    return w.size() >= sfx.size() + min_stem && w.substr(w.size() - sfx.size()) == sfx;
  };
  if (ends("straße", 3) || ends("strasse", 3)) return true;
  if (dot_after && ends("str", 3)) return true;
  return ends("weg", 4) || ends("allee", 3) || ends("gasse", 3) || ends("platz", 4) || ends("damm", 4);
}

constexpr std::array<std::string_view, 3> kAddressAllowList{"21 jump street", "84 charing cross road",
                                                            "42nd street"};

// Every address holds a number, so only the text around numbers is tokenised: [begin, end) is such a
// window (tokens keep offsets into the whole text).
class AddressScanner {
 public:
  AddressScanner(Scan& scan, size_t begin, size_t end, std::vector<Token>& tokens)
      : scan_(scan),
        s_(scan.s),
        lower_(scan.lower),
        t_(tokens),
        streets_(Tokenize(s_, lower_, begin, end, tokens)) {}

  void Run() {
    if (!streets_) return;  // every matcher needs a street word (or a German compound)
    for (size_t k = 0; k < t_.size(); ++k) {
      size_t end_tok = 0;
      if (MatchNumberFirst(k, &end_tok) || MatchStreetFirst(k, &end_tok) || MatchGerman(k, &end_tok) ||
          MatchNameThenStreet(k, &end_tok)) {
        k = end_tok;
      }
    }
  }

 private:
  std::string_view Lower(size_t k) const { return lower_.substr(t_[k].begin, t_[k].end - t_[k].begin); }
  bool IsWord(size_t k) const { return k < t_.size() && t_[k].kind == TokKind::kWord; }
  bool Has(size_t k, uint16_t cls) const { return IsWord(k) && (t_[k].classes & cls) != 0; }
  bool IsPunct(size_t k, std::string_view p) const {
    return k < t_.size() && t_[k].kind == TokKind::kPunct && Lower(k) == p;
  }
  bool HouseNumber(size_t k, size_t max_digits) const {
    return k < t_.size() && t_[k].kind == TokKind::kNumber && t_[k].number_len <= max_digits && t_[k].value > 0;
  }
  // A word directly followed by '.', as in "St." or "ул.".
  size_t SkipDot(size_t k) const { return IsPunct(k, ".") ? k + 1 : k; }

  bool HasContext(size_t b, size_t e) const {
    auto [wb, we] = WindowBefore(s_, b);
    auto [ab, ae] = WindowAfter(s_, e);
    return FindTerm(lower_, wb, we, kAddressContext, true).found() ||
           FindTerm(lower_, ab, ae, kAddressContext, false).found();
  }
  bool YearLike(size_t k) const {
    const Token& t = t_[k];
    if (!(t.number_len == 4 && t.value >= 1800 && t.value <= 2100)) return false;
    return k > 0 && Has(k - 1, kYearPreposition);
  }
  bool AmountAfter(size_t k) const { return AmountFollows(s_, lower_, t_[k].end); }
  bool AmountBefore(size_t k) const {
    char32_t prev = PrevBeforeSpace(s_, t_[k].begin);
    return IsCurrency(prev) || prev == '#' || prev == 0x2116;
  }

  bool Emit(size_t first, size_t last, bool names_capitalised, size_t* end_tok) {
    size_t b = t_[first].begin, e = t_[last].end;
    std::string_view text = lower_.substr(b, e - b);
    if (std::find(kAddressAllowList.begin(), kAddressAllowList.end(), text) != kAddressAllowList.end()) return false;
    bool context = HasContext(b, e);
    if (!names_capitalised && !context) return false;
    if (!scan_.Free(b, e)) return false;
    PersonalDataMatch m{PersonalDataKind::kAddress, b, e, context ? kAddressContextConfidence : kAddressConfidence};
    m.context = context;
    scan_.Add(m);
    *end_tok = last;
    return true;
  }

  // "221B Baker Street", "1600 Pennsylvania Ave NW", "12 rue de la Paix".
  bool MatchNumberFirst(size_t k, size_t* end_tok) {
    if (!HouseNumber(k, 5) || YearLike(k) || AmountBefore(k) || AmountAfter(k)) return false;
    // English: 1–3 name words, then the street word.
    bool caps = true;
    size_t j = k + 1;
    for (size_t names = 0; names < 3 && j < t_.size(); ++names, ++j) {
      bool name = (IsWord(j) && !Has(j, kStop | kSuffixStreet)) ||
                  (j < t_.size() && t_[j].kind == TokKind::kOrdinal);
      if (!name) break;
      if (IsWord(j) && !t_[j].cap) caps = false;
      if (Has(j + 1, kSuffixStreet)) {
        size_t last = SkipDot(j + 2) - 1;
        if (Has(last + 1, kDirection) && t_[last + 1].cap) last = SkipDot(last + 2) - 1;
        if (Emit(k, last, caps, end_tok)) return true;
        break;
      }
    }
    // French: [,] [bis|ter] street word, then a name.
    j = k + 1;
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kBisTer)) ++j;
    if (!Has(j, kFrontStreet)) return false;
    j = SkipDot(j + 1);
    size_t last = 0;
    bool named = false;
    caps = true;
    for (size_t names = 0; names < 5 && IsWord(j); ++names, ++j) {
      if (Has(j, kFunction)) continue;
      if (named && !t_[j].cap) break;  // "12 rue de la Paix et ..." ends at "Paix"
      if (!t_[j].cap) caps = false;
      named = true;
      last = j;
      if (!caps) break;  // a lower-case name: take one word
    }
    return named && Emit(k, last, caps, end_tok);
  }

  // "Calle Mayor 10", "calle de Alcalá, 45", "ул. Ленина, д. 5".
  bool MatchStreetFirst(size_t k, size_t* end_tok) {
    if (!Has(k, kLeadStreet)) return false;
    size_t j = SkipDot(k + 1);
    bool named = false, caps = true;
    for (size_t names = 0; names < 4 && IsWord(j) && !Has(j, kHouseMarker); ++names, ++j) {
      if (Has(j, kFunction)) continue;
      if (!named && !t_[j].cap) caps = false;
      named = true;
    }
    if (!named) return false;
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kHouseMarker)) j = SkipDot(j + 1);
    else if (IsPunct(j, "№") || IsPunct(j, "#")) ++j;
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(k, j, caps, end_tok);
  }

  // "Hauptstraße 5", "Hauptstr. 5", "Berliner Straße 12".
  bool MatchGerman(size_t k, size_t* end_tok) {
    if (!IsWord(k)) return false;
    std::string_view w = Lower(k);
    bool dot = IsPunct(k + 1, ".");
    size_t first = k;
    if (Has(k, kGermanStreet) && (w != "str" || dot)) {
      if (k == 0 || !IsWord(k - 1) || !t_[k - 1].cap) return false;
      first = k - 1;
    } else if (!IsGermanCompoundStreet(w, dot) || !t_[k].cap) {
      return false;
    }
    size_t j = SkipDot(k + 1);
    if (IsPunct(j, ",")) ++j;
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(first, j, true, end_tok);
  }

  // Russian name-first: "Тверская ул., 7", "Ленинский проспект, д. 30".
  bool MatchNameThenStreet(size_t k, size_t* end_tok) {
    if (!IsWord(k) || !t_[k].cap || !IsWord(k + 1)) return false;
    if (!Has(k + 1, kTrailingStreet)) return false;
    size_t j = SkipDot(k + 2);
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kHouseMarker)) j = SkipDot(j + 1);
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(k, j, true, end_tok);
  }

  Scan& scan_;
  std::string_view s_;
  std::string_view lower_;
  const std::vector<Token>& t_;
  const bool streets_;
};

}  // namespace

void ScanAddresses(Scan& scan) {
  std::vector<Token> tokens;
  tokens.reserve(scan.s.size() / 4 + 8);  // words average more than 4 bytes with their space
  for (auto [b, e] : NumberWindows(scan.s, 120)) AddressScanner(scan, b, e, tokens).Run();
}

}  // namespace tribune::moderation::privacy_internal
