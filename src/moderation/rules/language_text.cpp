// The language rule's text preparation: what is left of a comment once quotes and links are taken out,
// and which scripts its letters belong to. See language.hpp.
#include <algorithm>
#include <cctype>

#include "moderation/rules/form.hpp"
#include "moderation/rules/language.hpp"
#include "text/utf8.hpp"

namespace tribune::moderation::language {

Script ScriptOf(char32_t c) {
  if (c < 0x80) return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? Script::kLatin : Script::kNone;
  if (c < 0x250) {
    if (c < 0xC0) return (c == 0xAA || c == 0xBA) ? Script::kLatin : Script::kNone;
    return (c == 0xD7 || c == 0xF7) ? Script::kNone : Script::kLatin;
  }
  if (c < 0x2B0) return Script::kLatin;  // IPA extensions
  if (c < 0x370) return Script::kNone;   // spacing modifiers and combining marks
  if (c < 0x400) {
    return (c == 0x375 || c == 0x37E || c == 0x384 || c == 0x385 || c == 0x387) ? Script::kNone : Script::kGreek;
  }
  if (c < 0x530) return (c >= 0x482 && c <= 0x489) ? Script::kNone : Script::kCyrillic;
  if (c < 0x590) return ((c >= 0x531 && c <= 0x556) || (c >= 0x560 && c <= 0x588)) ? Script::kArmenian : Script::kNone;
  if (c < 0x600) return ((c >= 0x5D0 && c <= 0x5EA) || (c >= 0x5EF && c <= 0x5F2)) ? Script::kHebrew : Script::kNone;
  if (c < 0x700) {
    if ((c >= 0x620 && c <= 0x64A) || (c >= 0x66E && c <= 0x6D3) || c == 0x6D5 || c == 0x6EE || c == 0x6EF ||
        (c >= 0x6FA && c <= 0x6FF))
      return Script::kArabic;
    return Script::kNone;
  }
  if (c >= 0x750 && c <= 0x77F) return Script::kArabic;
  if (c >= 0x8A0 && c <= 0x8C9) return Script::kArabic;
  if (c >= 0x700 && c <= 0x7BF) return Script::kOtherLetter;  // Syriac, Thaana
  // Indic scripts: vowel signs count as letters (they carry much of the text), digits and dandas do not.
  if (c >= 0x900 && c <= 0x97F) return (c >= 0x964 && c <= 0x96F) ? Script::kNone : Script::kDevanagari;
  if (c >= 0x980 && c <= 0xDFF) return Script::kOtherIndic;
  if (c >= 0xE01 && c <= 0xE4E) return (c == 0xE3F) ? Script::kNone : Script::kThai;
  if (c >= 0xE80 && c <= 0x10FF) {
    if (c >= 0x10A0) return Script::kGeorgian;
    return Script::kOtherLetter;  // Lao, Tibetan, Myanmar
  }
  if (c >= 0x1100 && c <= 0x11FF) return Script::kHangul;
  if (c >= 0x1200 && c <= 0x18AF) return Script::kOtherLetter;  // Ethiopic, Cherokee, Khmer, Mongolian, …
  if (c >= 0x1C80 && c <= 0x1C8F) return Script::kCyrillic;
  if (c >= 0x1C90 && c <= 0x1CBF) return Script::kGeorgian;
  if (c >= 0x1E00 && c <= 0x1EFF) return Script::kLatin;
  if (c >= 0x1F00 && c <= 0x1FFF) return Script::kGreek;
  if (c >= 0x2C60 && c <= 0x2C7F) return Script::kLatin;
  if (c >= 0x2DE0 && c <= 0x2DFF) return Script::kCyrillic;
  if (c == 0x3005) return Script::kHan;  // 々, the ideographic iteration mark
  if ((c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c >= 0x31F0 && c <= 0x31FF))
    return Script::kKana;
  if (c >= 0x3131 && c <= 0x318E) return Script::kHangul;
  if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF)) return Script::kHan;
  if (c >= 0xA000 && c <= 0xA4CF) return Script::kOtherLetter;  // Yi
  if (c >= 0xA640 && c <= 0xA69F) return Script::kCyrillic;
  if (c >= 0xA720 && c <= 0xA7FF) return Script::kLatin;
  if (c >= 0xAC00 && c <= 0xD7A3) return Script::kHangul;
  if (c >= 0xF900 && c <= 0xFAFF) return Script::kHan;
  if (c >= 0xFB50 && c <= 0xFDFF) return Script::kArabic;
  if (c >= 0xFE70 && c <= 0xFEFC) return Script::kArabic;
  if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) return Script::kLatin;
  if (c >= 0xFF66 && c <= 0xFF9F) return Script::kKana;
  if (c >= 0x20000 && c <= 0x3134F) return Script::kHan;
  return Script::kNone;
}

const char* ScriptName(Script s) {
  static constexpr const char* kNames[] = {"Latin",  "Cyrillic", "Greek",    "Armenian", "Hebrew",
                                           "Arabic", "Devanagari", "Indic",  "Thai",     "Georgian",
                                           "Hangul", "Kana",     "Han",      "other"};
  const auto i = static_cast<size_t>(s);
  return i < kScriptCount ? kNames[i] : "none";
}

std::string NormalizeLanguage(std::string_view code) {
  std::string out;
  for (char ch : code) {
    if (ch == '-' || ch == '_') break;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  if (out == "un" || out == "xx" || out == "und") return {};
  if (out == "iw") return "he";
  if (out == "in") return "id";
  if (out == "ji") return "yi";
  if (out == "jw") return "jv";
  if (out == "nb" || out == "nn") return "no";
  return out;
}

namespace {

// Variants the detectors confuse and whose readers read each other: none of them is "foreign" to the others.
int LanguageGroup(std::string_view lang) {
  static constexpr std::pair<std::string_view, int> kGroups[] = {
      {"sr", 1}, {"hr", 1}, {"bs", 1}, {"sh", 1}, {"me", 1}, {"cnr", 1},  // Serbo-Croatian
      {"ms", 2}, {"id", 2},                                              // Malay / Indonesian
      {"no", 3}, {"nb", 3}, {"nn", 3},                                   // Norwegian
      {"en", 4}, {"sco", 4},                                             // Scots reads as dialectal English
      {"zh", 5}, {"wuu", 5}, {"yue", 5},                                 // Chinese in Han characters
  };
  for (const auto& [code, group] : kGroups) {
    if (code == lang) return group;
  }
  return 0;
}

}  // namespace

bool SameLanguage(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  const int ga = LanguageGroup(a);
  return ga != 0 && ga == LanguageGroup(b);
}

std::vector<Script> ScriptsOf(std::string_view lang) {
  static constexpr std::string_view kCyrillic[] = {"ru", "uk", "be", "bg", "mk", "kk", "ky", "tg", "mn",
                                                   "tt", "ba", "cv", "ce", "os", "sah", "kv", "udm", "mhr"};
  static constexpr std::string_view kArabic[] = {"ar", "fa", "ur", "ps", "ug", "ckb", "sd", "arz", "azb", "ku"};
  static constexpr std::string_view kDevanagari[] = {"hi", "mr", "ne", "sa", "bh", "mai", "new", "bpy"};
  static constexpr std::string_view kIndic[] = {"bn", "ta", "te", "kn", "ml", "gu", "pa", "or", "si", "as"};
  static constexpr std::string_view kOther[] = {"am", "ti", "my", "km", "lo", "bo", "dv", "syr"};
  auto in = [&](const auto& list) { return std::find(std::begin(list), std::end(list), lang) != std::end(list); };
  if (in(kCyrillic)) return {Script::kCyrillic};
  if (lang == "sr") return {Script::kCyrillic, Script::kLatin};
  if (lang == "el") return {Script::kGreek};
  if (lang == "hy") return {Script::kArmenian};
  if (lang == "he" || lang == "yi") return {Script::kHebrew};
  if (in(kArabic)) return {Script::kArabic};
  if (in(kDevanagari)) return {Script::kDevanagari};
  if (in(kIndic)) return {Script::kOtherIndic};
  if (lang == "th") return {Script::kThai};
  if (lang == "ka") return {Script::kGeorgian};
  if (lang == "ko") return {Script::kHangul, Script::kHan};
  if (lang == "ja") return {Script::kKana, Script::kHan};
  if (lang == "zh" || lang == "wuu" || lang == "yue") return {Script::kHan};
  if (in(kOther)) return {Script::kOtherLetter};
  return {Script::kLatin};
}

namespace {

struct CodePoint {
  char32_t c;
  uint32_t begin, end;  // bytes in the original
};

inline bool IsSpace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);  // most characters: one test
  return (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsAsciiAlnum(char32_t c) { return c < 0x80 && std::isalnum(static_cast<int>(c)); }

// The closing marks that end a quotation opened by `open` (none: `open` opens nothing). Single quotes are
// left alone: ' and ’ are apostrophes far more often than quotation marks.
std::u32string_view ClosersOf(char32_t open) {
  switch (open) {
    case U'"': return U"\"";
    case U'\u201C': return U"\u201D";          // “ … ”
    case U'\u201E': return U"\u201C\u201D";    // „ … “ (German), „ … ” (Polish)
    case U'\u201D': return U"\u201D";          // ” … ” (Swedish, Finnish)
    case U'\u00AB': return U"\u00BB";          // « … »
    case U'\u00BB': return U"\u00AB";          // » … « (German, Danish)
    case U'\u2039': return U"\u203A";          // ‹ … ›
    case U'\u300C': return U"\u300D";          // 「 … 」
    case U'\u300E': return U"\u300F";          // 『 … 』
    case U'\uFF02': return U"\uFF02";          // ＂ … ＂
    default: return {};
  }
}

// Marks quoted lines: a line whose first visible character is '>' (a reply quoting another comment).
void DropQuotedLines(const std::vector<CodePoint>& cps, std::vector<bool>& drop) {
  bool line_start = true, quoted = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i].c;
    if (c == '\n') {
      line_start = true;
      quoted = false;
      continue;
    }
    if (line_start && !IsSpace(c)) {
      quoted = c == '>' || c == 0xFF1E;
      line_start = false;
    }
    if (quoted) drop[i] = true;
  }
}

// Marks quotations: an opening mark, up to the nearest closing mark of its kind, both included. An
// opening mark with no closer after it is left alone. Candidates for each closer are kept sorted, so the
// search is O(n log n) whatever the marks.
void DropQuotations(const std::vector<CodePoint>& cps, std::vector<bool>& drop) {
  static constexpr char32_t kClosers[] = {U'"', U'\u201D', U'\u201C', U'\u00BB', U'\u00AB', U'\u203A', U'\u300D',
                                          U'\u300F', U'\uFF02'};
  std::vector<uint32_t> positions[std::size(kClosers)];
  bool any = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i].c;
    if (c != '"' && (c < 0xAB || (c > 0xBB && c < 0x201C))) continue;  // most characters: no quotation mark
    for (size_t k = 0; k < std::size(kClosers); ++k) {
      if (c == kClosers[k]) {
        positions[k].push_back(static_cast<uint32_t>(i));
        any = true;
      }
    }
  }
  if (!any) return;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (drop[i]) continue;
    std::u32string_view closers = ClosersOf(cps[i].c);
    if (closers.empty()) continue;
    size_t best = cps.size();
    for (char32_t closer : closers) {
      const size_t k = static_cast<size_t>(std::find(std::begin(kClosers), std::end(kClosers), closer) - std::begin(kClosers));
      auto it = std::upper_bound(positions[k].begin(), positions[k].end(), static_cast<uint32_t>(i));
      if (it != positions[k].end()) best = std::min<size_t>(best, *it);
    }
    if (best == cps.size()) continue;
    for (size_t j = i; j <= best; ++j) drop[j] = true;
    i = best;
  }
}

// Whether a whitespace-delimited token is a link, an e-mail address, an @mention or a #hashtag.
bool IsLinkLike(const std::vector<CodePoint>& cps, size_t begin, size_t end) {
  // Leading brackets and quotes do not count: "(see https://…)", "«@anna»".
  while (begin < end && cps[begin].c < 0x80 && std::ispunct(static_cast<int>(cps[begin].c)) && cps[begin].c != '@' &&
         cps[begin].c != '#')
    ++begin;
  if (begin >= end) return false;
  if (cps[begin].c == '@' || cps[begin].c == '#' || cps[begin].c == 0xFF20 || cps[begin].c == 0xFF03) return true;
  bool ascii = true, inner_dot = false;
  for (size_t i = begin; i < end; ++i) {
    const char32_t c = cps[i].c;
    if (c >= 0x80) ascii = false;
    if (c == ':' && i + 2 < end && cps[i + 1].c == '/' && cps[i + 2].c == '/') return true;  // scheme://
    if (c == '@' && i > begin && i + 1 < end && IsAsciiAlnum(cps[i - 1].c) && IsAsciiAlnum(cps[i + 1].c)) return true;
    // A dot between an ASCII letter or digit and an ASCII letter: "example.com", "www.bbc.co.uk/news".
    if (c == '.' && i > begin && i + 1 < end && IsAsciiAlnum(cps[i - 1].c) && cps[i + 1].c < 0x80 &&
        std::isalpha(static_cast<int>(cps[i + 1].c)))
      inner_dot = true;
  }
  return ascii && inner_dot;
}

void DropLinks(const std::vector<CodePoint>& cps, std::vector<bool>& drop) {
  size_t i = 0;
  while (i < cps.size()) {
    if (IsSpace(cps[i].c)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && !IsSpace(cps[j].c)) ++j;
    if (IsLinkLike(cps, i, j)) {
      for (size_t k = i; k < j; ++k) drop[k] = true;
    }
    i = j;
  }
}

}  // namespace

JudgedText PrepareText(std::string_view original) {
  JudgedText out;
  std::string_view window = original.substr(0, std::min(original.size(), kMaxScanBytes));
  // Cut at a code point boundary so that the last character is not read as malformed.
  if (window.size() < original.size()) {
    size_t cut = window.size();
    while (cut > 0 && window.size() - cut < 3 && (static_cast<uint8_t>(original[cut]) & 0xC0) == 0x80) --cut;
    window = window.substr(0, cut);
  }

  // Per-thread buffers: allocating and freeing them for every comment cost more than filling them.
  thread_local std::vector<CodePoint> cps;
  thread_local std::vector<bool> drop;
  cps.clear();
  cps.reserve(window.size());
  for (size_t i = 0; i < window.size();) {
    const auto byte = static_cast<uint8_t>(window[i]);
    // ASCII without a call to the decoder: most of most texts.
    const casing::Decoded d = byte < 0x80 ? casing::Decoded{byte, 1} : casing::Decode(window, i);
    cps.push_back({d.cp, static_cast<uint32_t>(i), static_cast<uint32_t>(i + d.length)});
    i += d.length;
  }
  drop.assign(cps.size(), false);
  DropQuotedLines(cps, drop);
  DropQuotations(cps, drop);
  DropLinks(cps, drop);

  out.text.reserve(std::min(window.size(), kMaxJudgedBytes));
  bool pending_space = false, any = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i].c;
    // Removed text, spaces and controls separate words; zero-width characters join them.
    if (drop[i] || IsSpace(c) || c < 0x20 || c == 0x7F) {
      pending_space = any;
      continue;
    }
    if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF || c == 0x2060) continue;
    const size_t need = (pending_space ? 1 : 0) + (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
    if (out.text.size() + need > kMaxJudgedBytes) break;
    if (pending_space) out.text.push_back(' ');
    pending_space = false;
    if (c < 0x80) out.text.push_back(static_cast<char>(c));  // as AppendUtf8 would, without the call
    else text::AppendUtf8(out.text, c);
    if (!any) out.begin = cps[i].begin;
    any = true;
    out.end = cps[i].end;
    const Script s = ScriptOf(c);
    if (s != Script::kNone) {
      ++out.letters;
      ++out.script_letters[static_cast<size_t>(s)];
    }
  }
  return out;
}

}  // namespace tribune::moderation::language
