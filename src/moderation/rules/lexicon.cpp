#include "moderation/rules/lexicon.hpp"

#include <hs.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace tribune::moderation {
namespace {

namespace fs = std::filesystem;

// Entry flags. The allow ones mark entries of allow.txt.
enum : uint32_t {
  kWord = 1,
  kPrefix = 2,
  kInflect = 4,
  kSubstring = 8,
  kLocal = 16,
  kAllow = 32,
  kAllowOpenLeft = 64,
  kAllowOpenRight = 128,
  kAddressed = 256,
};

constexpr uint32_t kCacheFormat = 5;
constexpr double kMaskedFactor = 0.8;
constexpr double kSecondPersonBoost = 0.35;
constexpr double kBoostCeiling = 0.95;
constexpr int kAddressWindowBefore = 6;  // words, all of them fillers but the address itself
constexpr int kAddressWindowAfter = 3;
constexpr size_t kMaxHitsPerScan = 4096;
constexpr size_t kMaxExpansions = 50000;
constexpr size_t kMaskedMaxLetters = 8;
constexpr size_t kMaskedMinLetters = 3;

// ---------------------------------------------------------------------------------------------
// Characters (the same classes as text/views.cpp, so boundaries agree with AtWordBoundaries).

bool IsLetter(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u_isalpha(c);
}

bool IsMark(UChar32 c) {
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

bool IsWordChar(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return u_isalnum(c) || IsMark(c);
}

// The code point starting at byte i (i < s.size()), advancing i.
UChar32 NextCp(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto k = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(p, k, static_cast<int32_t>(s.size()), c);
  i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : c;
}

// The code point ending just before byte i (i > 0), moving i back to its start.
UChar32 PrevCp(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto k = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV(p, 0, k, c);
  i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : c;
}

std::vector<UChar32> CodePoints(std::string_view s) {
  std::vector<UChar32> out;
  for (size_t i = 0; i < s.size();) out.push_back(NextCp(s, i));
  return out;
}

bool LeftBoundary(std::string_view t, size_t b) {
  if (b == 0) return true;
  size_t i = b;
  return !IsWordChar(PrevCp(t, i));
}

size_t ExtendRight(std::string_view t, size_t e) {
  while (e < t.size()) {
    size_t i = e;
    if (!IsWordChar(NextCp(t, i))) break;
    e = i;
  }
  return e;
}

size_t ExtendLeft(std::string_view t, size_t b) {
  while (b > 0) {
    size_t i = b;
    if (!IsWordChar(PrevCp(t, i))) break;
    b = i;
  }
  return b;
}

bool IsSpace(UChar32 c) { return c == ' ' || c == '\t' || c == 0xA0; }

// `s` with runs of one letter cut to one and runs of spaces cut to one space; for each output byte the
// first byte of `s` it stands for, and for each output code point (at its first byte) the run length.
struct Collapsed {
  std::string text;
  std::vector<uint32_t> src;
  std::vector<uint8_t> run;
  size_t source_size = 0;

  // The byte range of the source that [b, e) of `text` stands for (b < e <= text.size()).
  std::pair<size_t, size_t> ToSource(size_t b, size_t e) const {
    size_t k = e;
    while (k < src.size() && src[k] == src[e - 1]) ++k;  // the rest of the last code point
    return {src[b], k < src.size() ? src[k] : source_size};
  }
};

void Collapse(std::string_view s, Collapsed& c) {
  const size_t n = s.size();
  c.text.resize(n);
  c.src.resize(n);
  c.run.resize(n);
  c.source_size = n;
  size_t out = 0;
  auto ascii_letter = [](unsigned char ch) { return static_cast<unsigned char>((ch | 0x20) - 'a') < 26; };
  for (size_t i = 0; i < n;) {
    const size_t b = i;
    const auto ch = static_cast<unsigned char>(s[i]);
    size_t e, runs = 1;
    bool space;
    if (ch < 0x80) {  // the common case, without decoding
      e = i + 1;
      space = ch == ' ' || ch == '\t';
      if (space) {
        while (e < n && (s[e] == ' ' || s[e] == '\t')) ++e, ++runs;
      } else if (ascii_letter(ch)) {
        while (e < n && s[e] == s[b]) ++e, ++runs;
      }
      i = b + 1;
    } else {
      UChar32 cp = NextCp(s, i);
      e = i;
      space = IsSpace(cp);
      if (space || IsLetter(cp)) {
        while (e < n) {
          size_t k = e;
          UChar32 next = NextCp(s, k);
          if (space ? !IsSpace(next) : next != cp) break;
          e = k;
          ++runs;
        }
      }
    }
    const uint8_t r = static_cast<uint8_t>(std::min<size_t>(runs, 255));
    const size_t len = space ? 1 : i - b;
    for (size_t k = 0; k < len; ++k) {
      c.text[out] = space ? ' ' : s[b + k];
      c.src[out] = static_cast<uint32_t>(b);
      c.run[out++] = k == 0 ? r : 0;
    }
    i = e;
  }
  c.text.resize(out);
  c.src.resize(out);
  c.run.resize(out);
}

// True when the run of `count` equal characters starting at byte `b` of the view stands for a longer run
// in the original: its last character's original range is longer than its first's.
bool Elongated(const text::View& v, size_t b, size_t count) {
  if (count < 2) return false;
  size_t i = b;
  NextCp(v.text, i);
  const size_t len = i - b, last = b + (count - 1) * len;
  if (last >= v.text.size()) return false;
  return v.end[last] - v.start[last] > v.end[b] - v.start[b];
}

Collapsed Collapse(std::string_view s) {
  Collapsed c;
  Collapse(s, c);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Lexicon data.

struct Entry {
  std::string term;  // as written (one expansion of a template), for details
  std::string norm;  // squeezed view of the term
  uint32_t rule = 0;
  double weight = 0;
  uint32_t flags = 0;
  // Derived (not cached): the collapsed form and each of its code points' run length in `norm`.
  std::string collapsed;
  std::vector<uint8_t> runs;
};

struct Language {
  std::string code;
  std::vector<Entry> entries;
  std::vector<std::string> endings;  // normalised inflection endings, "" first
  std::vector<std::string> markers;  // normalised second-person words
  std::vector<std::string> fillers;  // normalised words that may stand between a marker and an insult
  hs_database_t* db_squeezed = nullptr;
  hs_database_t* db_collapsed = nullptr;
  // Derived: entries eligible for the masked pass, with their code points.
  std::vector<std::pair<uint32_t, std::vector<UChar32>>> masked;
  std::unordered_set<std::string> ending_set, marker_set, filler_set;
};

// Common endings per language, written plainly and normalised at load time.
const std::vector<std::string>& RawEndings(const std::string& lang) {
  static const std::map<std::string, std::vector<std::string>> kEndings = {
      {"en", {"s", "es", "ed", "d", "er", "ers", "ing", "ings", "ies", "ish", "ly", "z"}},
      {"ru", {"а",    "я",    "о",    "е",    "ы",     "и",     "у",    "ю",    "ь",    "й",     "ей",
              "ой",   "ом",   "ем",   "ам",   "ям",    "ах",    "ях",   "ами",  "ями",  "ов",    "ев",
              "ью",   "ия",   "ие",   "ий",   "ый",    "ая",    "яя",   "ое",   "ее",   "ые",    "ого",
              "его",  "ому",  "ему",  "ым",   "им",    "ых",    "их",   "ую",   "юю",   "ою",    "ею",
              "ыми",  "ими",  "ика",  "ики",  "ику",   "ике",   "иком", "ина",  "ины",  "ине",   "ину",
              "иной", "ище",  "ища",  "ищу",  "ищем",  "ский",  "ская", "ское", "ские", "ского", "скому",
              "ским", "ских", "ство", "ства", "ству",  "ством", "стве", "ня",   "ни",   "ню",    "ней",
              "ня",   "ишка", "ишки", "ишку", "ишкой", "ье",    "ья",   "ьё",   "ьи",   "ьей"}},
      {"fr", {"e", "s", "es", "x", "ee", "ees", "aux", "asse", "asses"}},
      {"de", {"e", "en", "er", "es", "n", "s", "in", "innen", "em", "ern", "chen"}},
      {"es",
       {"a", "o", "as", "os", "es", "s", "ita", "ito", "itas", "itos", "azo", "aza", "azos", "on", "ona",
        "ones", "onas"}},
  };
  auto it = kEndings.find(lang);
  return it != kEndings.end() ? it->second : kEndings.at("en");
}

std::string Normalise(std::string_view term) {
  text::TextViews v = text::BuildViews(term);
  std::string s = std::move(v.squeezed.text);
  // Trim spaces.
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return s.substr(b, e - b);
}

void Derive(Entry& e) {
  Collapsed c = Collapse(e.norm);
  e.collapsed = c.text;
  e.runs.clear();
  for (size_t i = 0; i < c.text.size();) {
    e.runs.push_back(c.run[i]);
    NextCp(c.text, i);
  }
}

// Expands "{a|b} c" templates; at most kMaxExpansions results.
void Expand(const std::string& s, std::vector<std::string>& out) {
  if (out.size() >= kMaxExpansions) return;
  const size_t open = s.find('{');
  if (open == std::string::npos) {
    out.push_back(s);
    return;
  }
  const size_t close = s.find('}', open);
  if (close == std::string::npos) {
    out.push_back(s);
    return;
  }
  const std::string head = s.substr(0, open), tail = s.substr(close + 1);
  std::string_view body(s.data() + open + 1, close - open - 1);
  size_t start = 0;
  while (true) {
    size_t bar = body.find('|', start);
    std::string alt(body.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    Expand(head + alt + tail, out);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
}

std::string CollapseSpaces(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(ch);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string RemoveApostrophes(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\'') {
      ++i;
      continue;
    }
    if (s.compare(i, 3, "\xE2\x80\x99") == 0) {  // ’
      i += 3;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cols;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return cols;
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

struct SourceFile {
  std::string name;  // "profanity.txt"
  std::string content;
};

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  // Length as a separator so "ab"+"c" and "a"+"bc" differ.
  for (int k = 0; k < 8; ++k) {
    h ^= (s.size() >> (8 * k)) & 0xFF;
    h *= 1099511628211ull;
  }
  return h;
}

// What the normalisation does to a sample of tricky input: part of the cache key, so a change in
// text::BuildViews invalidates cached databases.
std::string NormalisationProbe() {
  return Normalise(
      "Ｆ.u.c.k fuuuuck sh1t a$$ раураl хуй ёбаный Größe naïve I’ll x y z f*ck ˉ ы ъ ь 0123456789 !|+@ - _ ~ "
      "ÇÀÉÎÕÜ ß ﬁ ǅ Ω ω ς");
}

// ---------------------------------------------------------------------------------------------
// Binary cache I/O.

class Writer {
 public:
  void U32(uint32_t v) { buf_.append(reinterpret_cast<const char*>(&v), 4); }
  void U64(uint64_t v) { buf_.append(reinterpret_cast<const char*>(&v), 8); }
  void F64(double v) { buf_.append(reinterpret_cast<const char*>(&v), 8); }
  void Str(std::string_view s) {
    U64(s.size());
    buf_.append(s.data(), s.size());
  }
  std::string& buf() { return buf_; }

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool U32(uint32_t& v) { return Raw(&v, 4); }
  bool U64(uint64_t& v) { return Raw(&v, 8); }
  bool F64(double& v) { return Raw(&v, 8); }
  bool Str(std::string& s) {
    uint64_t n;
    if (!U64(n) || n > b_.size() - pos_) return false;
    s.assign(b_.data() + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  bool Raw(void* p, size_t n) {
    if (b_.size() - pos_ < n) return false;
    std::memcpy(p, b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view b_;
  size_t pos_ = 0;
};

std::string HexKey(uint64_t k) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(k));
  return buf;
}

struct RawHit {
  unsigned id;
  unsigned long long to;
};

struct ScanContext {
  std::vector<RawHit>* hits;
};

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
            void* ctx) {
  auto* c = static_cast<ScanContext*>(ctx);
  c->hits->push_back({id, to});
  return c->hits->size() >= kMaxHitsPerScan ? 1 : 0;  // a pathological text stops early
}

// A finding before merging: rule, confidence, span in the original, and what produced it.
struct Hit {
  uint32_t rule;
  double confidence;
  size_t begin, end;
  const Language* lang;
  const Entry* entry;
  bool masked;
};

char LeetLetter(UChar32 c) {
  switch (c) {
    case '0':
      return 'o';
    case '1':
      return 'i';
    case '3':
      return 'e';
    case '4':
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
    default:
      return 0;
  }
}

bool IsMaskChar(UChar32 c) { return c == '*' || c == '#' || c == '@' || c == '_'; }

}  // namespace

// ---------------------------------------------------------------------------------------------

struct LexiconDetector::Impl {
  std::string dir;
  std::vector<std::string> language_codes;
  std::vector<std::string> rules;  // rule ids, index = Entry::rule
  std::vector<Language> languages;
  bool from_cache = false;

  hs_scratch_t* proto_scratch = nullptr;
  mutable std::mutex pool_mu;
  mutable std::vector<hs_scratch_t*> pool;

  ~Impl() {
    for (hs_scratch_t* s : pool) hs_free_scratch(s);
    if (proto_scratch) hs_free_scratch(proto_scratch);
    for (Language& l : languages) {
      if (l.db_squeezed) hs_free_database(l.db_squeezed);
      if (l.db_collapsed) hs_free_database(l.db_collapsed);
    }
  }

  uint32_t RuleIndex(const std::string& rule) {
    for (size_t i = 0; i < rules.size(); ++i)
      if (rules[i] == rule) return static_cast<uint32_t>(i);
    rules.push_back(rule);
    return static_cast<uint32_t>(rules.size() - 1);
  }

  // --- Loading -------------------------------------------------------------------------------

  Status Parse(Language& lang, const std::vector<SourceFile>& files);
  Status Compile(Language& lang);
  void Finish(Language& lang);
  std::string Serialise(uint64_t key) const;
  bool Deserialise(std::string_view bytes, uint64_t key);
  Status AllocScratch();

  hs_scratch_t* Acquire() const {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      if (!pool.empty()) {
        hs_scratch_t* s = pool.back();
        pool.pop_back();
        return s;
      }
    }
    hs_scratch_t* s = nullptr;
    if (hs_clone_scratch(proto_scratch, &s) != HS_SUCCESS) return nullptr;
    return s;
  }
  void Release(hs_scratch_t* s) const {
    std::lock_guard<std::mutex> lock(pool_mu);
    pool.push_back(s);
  }

  // --- Matching ------------------------------------------------------------------------------

  void Detect(const DetectorInput& input, std::vector<Signal>& out) const;
  void MaskedPass(const text::TextViews& v, std::string_view edition, std::vector<Hit>& hits) const;
  bool AddressedToReader(const Language& lang, std::string_view t, size_t begin, size_t end) const;
};

Status LexiconDetector::Impl::Parse(Language& lang, const std::vector<SourceFile>& files) {
  // (norm, rule or allow) → entry index, to merge duplicates (the stronger weight wins).
  std::map<std::pair<std::string, int64_t>, size_t> seen;
  auto add = [&](Entry e, int64_t key_rule) {
    auto key = std::make_pair(e.norm, key_rule);
    auto it = seen.find(key);
    if (it == seen.end()) {
      seen.emplace(key, lang.entries.size());
      lang.entries.push_back(std::move(e));
    } else if (e.weight > lang.entries[it->second].weight) {
      lang.entries[it->second] = std::move(e);
    }
  };
  for (const SourceFile& f : files) {
    const bool allow = f.name == "allow.txt", markers = f.name == "second_person.txt";
    const std::string rule = f.name.substr(0, f.name.size() - 4);
    std::istringstream in(f.content);
    std::string line;
    int line_no = 0;
    const std::string where = lang.code + "/" + f.name;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (Trim(line).empty() || line[0] == '#') continue;
      auto bad = [&](const std::string& why) {
        return MakeError(ErrorCode::kBadRequest,
                         "lexicon " + where + ":" + std::to_string(line_no) + ": " + why);
      };
      if (markers) {
        std::string w = Trim(line);
        const bool filler = w[0] == '+';
        std::string n = Normalise(filler ? w.substr(1) : w);
        if (!n.empty()) (filler ? lang.fillers : lang.markers).push_back(n);
        continue;
      }
      if (allow) {
        std::string w = Trim(line);
        uint32_t flags = kAllow;
        if (!w.empty() && w.front() == '*') flags |= kAllowOpenLeft, w.erase(0, 1);
        if (!w.empty() && w.back() == '*') flags |= kAllowOpenRight, w.pop_back();
        std::vector<std::string> variants;
        Expand(w, variants);
        for (const std::string& v : variants) {
          Entry e;
          e.term = CollapseSpaces(Trim(v));
          e.norm = Normalise(e.term);
          e.flags = flags;
          if (e.norm.empty()) return bad("empty allow entry");
          add(std::move(e), -1);
        }
        continue;
      }
      auto cols = SplitTabs(line);
      if (cols.size() < 2) return bad("expected term<TAB>weight<TAB>flags");
      const std::string term = Trim(cols[0]);
      char* endp = nullptr;
      const double weight = std::strtod(cols[1].c_str(), &endp);
      if (term.empty()) return bad("empty term");
      if (endp == cols[1].c_str() || !(weight > 0 && weight <= 1)) return bad("weight must be in (0, 1]");
      uint32_t flags = 0;
      if (cols.size() >= 3) {
        std::string fl = cols[2];
        size_t start = 0;
        while (start <= fl.size()) {
          size_t comma = fl.find(',', start);
          std::string name =
              Trim(fl.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (name == "word")
            flags |= kWord;
          else if (name == "prefix")
            flags |= kPrefix;
          else if (name == "inflect")
            flags |= kInflect;
          else if (name == "substring")
            flags |= kSubstring;
          else if (name == "local")
            flags |= kLocal;
          else if (name == "addressed")
            flags |= kAddressed;
          else if (!name.empty())
            return bad("unknown flag \"" + name + "\"");
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
      if ((flags & (kWord | kPrefix | kInflect | kSubstring)) == 0) flags |= kWord;
      std::vector<std::string> variants;
      Expand(term, variants);
      if (variants.size() >= kMaxExpansions) return bad("template expands to too many terms");
      const size_t n = variants.size();
      for (size_t i = 0; i < n; ++i) {
        if (variants[i].find('\'') != std::string::npos ||
            variants[i].find("\xE2\x80\x99") != std::string::npos)
          variants.push_back(RemoveApostrophes(variants[i]));
      }
      const uint32_t rule_index = RuleIndex(rule);
      for (const std::string& v : variants) {
        Entry e;
        e.term = CollapseSpaces(Trim(v));
        e.norm = Normalise(e.term);
        if (e.norm.empty()) continue;
        e.rule = rule_index;
        e.weight = weight;
        e.flags = flags;
        add(std::move(e), rule_index);
      }
    }
  }
  lang.endings.push_back("");
  for (const std::string& raw : RawEndings(lang.code)) {
    std::string n = Normalise(raw);
    if (!n.empty()) lang.endings.push_back(n);
  }
  return Ok{};
}

Status LexiconDetector::Impl::Compile(Language& lang) {
  auto build = [&](bool collapsed, hs_database_t** db) -> Status {
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    std::vector<unsigned> ids, flags;
    for (size_t i = 0; i < lang.entries.size(); ++i) {
      const Entry& e = lang.entries[i];
      const std::string& s = collapsed ? e.collapsed : e.norm;
      // The collapsed pass skips terms that shrink below three characters: "ass" → "as" would
      // match everywhere, and "asss" already matches "ass" in the squeezed view.
      if (collapsed && CodePoints(s).size() < 3) continue;
      exprs.push_back(s.c_str());
      lens.push_back(s.size());
      ids.push_back(static_cast<unsigned>(i));
      flags.push_back(0);
    }
    if (exprs.empty()) return Ok{};
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, db,
                             &err) != HS_SUCCESS) {
      std::string msg = err && err->message ? err->message : "unknown error";
      if (err) hs_free_compile_error(err);
      return MakeError(ErrorCode::kInternal, "lexicon " + lang.code + ": Hyperscan compile failed: " + msg);
    }
    return Ok{};
  };
  TRIBUNE_TRY(build(false, &lang.db_squeezed));
  TRIBUNE_TRY(build(true, &lang.db_collapsed));
  return Ok{};
}

// Derived tables (never cached: cheap and free of ICU normalisation).
void LexiconDetector::Impl::Finish(Language& lang) {
  for (Entry& e : lang.entries)
    if (e.runs.empty()) Derive(e);
  lang.ending_set = {lang.endings.begin(), lang.endings.end()};
  lang.marker_set = {lang.markers.begin(), lang.markers.end()};
  lang.filler_set = {lang.fillers.begin(), lang.fillers.end()};
  lang.masked.clear();
  for (size_t i = 0; i < lang.entries.size(); ++i) {
    const Entry& e = lang.entries[i];
    if (e.flags & kAllow) continue;
    const std::string& rule = rules[e.rule];
    if (rule != "profanity" && rule != "hate") continue;
    if (e.norm.find(' ') != std::string::npos) continue;
    std::vector<UChar32> cps = CodePoints(e.norm);
    if (cps.size() < kMaskedMinLetters || cps.size() > kMaskedMaxLetters) continue;
    if (!std::all_of(cps.begin(), cps.end(), [](UChar32 c) { return IsWordChar(c); })) continue;
    lang.masked.emplace_back(static_cast<uint32_t>(i), std::move(cps));
  }
}

Status LexiconDetector::Impl::AllocScratch() {
  for (const Language& l : languages) {
    for (hs_database_t* db : {l.db_squeezed, l.db_collapsed}) {
      if (db && hs_alloc_scratch(db, &proto_scratch) != HS_SUCCESS)
        return MakeError(ErrorCode::kInternal, "lexicon: cannot allocate Hyperscan scratch");
    }
  }
  return Ok{};
}

std::string LexiconDetector::Impl::Serialise(uint64_t key) const {
  Writer w;
  w.buf().append("TRLEXDB", 8);
  w.U32(kCacheFormat);
  w.U64(key);
  w.U32(static_cast<uint32_t>(rules.size()));
  for (const auto& r : rules) w.Str(r);
  w.U32(static_cast<uint32_t>(languages.size()));
  for (const Language& l : languages) {
    w.Str(l.code);
    w.U32(static_cast<uint32_t>(l.entries.size()));
    for (const Entry& e : l.entries) {
      w.Str(e.term);
      w.Str(e.norm);
      w.U32(e.rule);
      w.F64(e.weight);
      w.U32(e.flags);
    }
    w.U32(static_cast<uint32_t>(l.endings.size()));
    for (const auto& s : l.endings) w.Str(s);
    w.U32(static_cast<uint32_t>(l.markers.size()));
    for (const auto& s : l.markers) w.Str(s);
    w.U32(static_cast<uint32_t>(l.fillers.size()));
    for (const auto& s : l.fillers) w.Str(s);
    for (hs_database_t* db : {l.db_squeezed, l.db_collapsed}) {
      if (!db) {
        w.Str("");
        continue;
      }
      char* bytes = nullptr;
      size_t len = 0;
      if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return {};
      w.Str(std::string_view(bytes, len));
      std::free(bytes);
    }
  }
  return std::move(w.buf());
}

bool LexiconDetector::Impl::Deserialise(std::string_view bytes, uint64_t key) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "TRLEXDB", 8) != 0) return false;
  Reader r(bytes.substr(8));
  uint32_t format, n;
  uint64_t k;
  if (!r.U32(format) || format != kCacheFormat || !r.U64(k) || k != key || !r.U32(n)) return false;
  std::vector<std::string> rs(n);
  for (auto& s : rs)
    if (!r.Str(s)) return false;
  if (!r.U32(n) || n != language_codes.size()) return false;
  std::vector<Language> ls(n);
  bool ok = true;
  for (Language& l : ls) {
    uint32_t m;
    if (!r.Str(l.code) || !r.U32(m)) {
      ok = false;
      break;
    }
    l.entries.resize(m);
    for (Entry& e : l.entries) {
      ok = ok && r.Str(e.term) && r.Str(e.norm) && r.U32(e.rule) && r.F64(e.weight) && r.U32(e.flags);
      ok = ok && e.rule < rs.size() + 1;
    }
    ok = ok && r.U32(m);
    if (!ok) break;
    l.endings.resize(m);
    for (auto& s : l.endings) ok = ok && r.Str(s);
    ok = ok && r.U32(m);
    if (!ok) break;
    l.markers.resize(m);
    for (auto& s : l.markers) ok = ok && r.Str(s);
    ok = ok && r.U32(m);
    if (!ok) break;
    l.fillers.resize(m);
    for (auto& s : l.fillers) ok = ok && r.Str(s);
    for (hs_database_t** db : {&l.db_squeezed, &l.db_collapsed}) {
      std::string blob;
      ok = ok && r.Str(blob);
      if (ok && !blob.empty()) ok = hs_deserialize_database(blob.data(), blob.size(), db) == HS_SUCCESS;
    }
    if (!ok) break;
  }
  if (!ok) {
    for (Language& l : ls) {
      if (l.db_squeezed) hs_free_database(l.db_squeezed);
      if (l.db_collapsed) hs_free_database(l.db_collapsed);
    }
    return false;
  }
  rules = std::move(rs);
  languages = std::move(ls);
  return true;
}

// True when [begin, end) is aimed at the reader: a second-person word of `lang` (or English) up to six
// words before it or three after it, with only filler words between, within the same sentence.
bool LexiconDetector::Impl::AddressedToReader(const Language& lang, std::string_view t, size_t begin,
                                              size_t end) const {
  const Language* en = nullptr;
  for (const Language& l : languages)
    if (l.code == "en") en = &l;
  auto in = [&](std::string_view w, bool marker) {
    std::string s(w);
    const Language* ls[2] = {&lang, en};
    for (const Language* l : ls) {
      if (l && (marker ? l->marker_set : l->filler_set).count(s)) return true;
    }
    return false;
  };
  auto sentence_end = [](UChar32 c) { return c == '.' || c == '!' || c == '?' || c == ';' || c == '\n'; };
  // Backwards.
  size_t pos = begin;
  for (int words = 0; words < kAddressWindowBefore && pos > 0;) {
    size_t i = pos;
    UChar32 c = PrevCp(t, i);
    if (sentence_end(c)) break;
    if (!IsWordChar(c)) {
      pos = i;
      continue;
    }
    const size_t we = pos, ws = ExtendLeft(t, pos);
    const std::string_view w = t.substr(ws, we - ws);
    if (in(w, true)) return true;
    if (!in(w, false)) break;
    pos = ws;
    ++words;
  }
  // Forwards.
  pos = end;
  for (int words = 0; words < kAddressWindowAfter && pos < t.size();) {
    size_t i = pos;
    UChar32 c = NextCp(t, i);
    if (sentence_end(c)) break;
    if (!IsWordChar(c)) {
      pos = i;
      continue;
    }
    const size_t ws = pos, we = ExtendRight(t, pos);
    const std::string_view w = t.substr(ws, we - ws);
    if (in(w, true)) return true;
    if (!in(w, false)) break;
    pos = we;
    ++words;
  }
  return false;
}

void LexiconDetector::Impl::MaskedPass(const text::TextViews& v, std::string_view edition,
                                       std::vector<Hit>& hits) const {
  const std::string& t = v.skeleton.text;
  if (std::none_of(t.begin(), t.end(), [](char ch) { return IsMaskChar(static_cast<unsigned char>(ch)); }))
    return;
  struct Tok {
    UChar32 c;  // 0 = wildcard
    size_t b, e;
    bool letter;
  };
  auto token_char = [](UChar32 c) { return IsWordChar(c) || IsMaskChar(c) || c == '$' || c == '!'; };
  std::vector<Tok> tok, w;
  for (size_t i = 0; i < t.size();) {
    size_t k = i;
    if (!token_char(NextCp(t, k))) {
      i = k;
      continue;
    }
    // A token: [i, j). Most tokens hold no mask character: skip them before decoding.
    size_t j = i;
    bool has_mask = false;
    while (j < t.size()) {
      size_t m = j;
      UChar32 c = NextCp(t, m);
      if (!token_char(c)) break;
      has_mask |= IsMaskChar(c);
      j = m;
    }
    if (!has_mask) {
      i = j;
      continue;
    }
    tok.clear();
    for (size_t q = i; q < j;) {
      const size_t b = q;
      UChar32 c = NextCp(t, q);
      if (IsMaskChar(c)) {
        tok.push_back({0, b, q, false});
      } else if (c < 0x80 && LeetLetter(c)) {
        tok.push_back({static_cast<UChar32>(LeetLetter(c)), b, q, false});
      } else {
        tok.push_back({c, b, q, IsLetter(c) || c >= 0x80});
      }
    }
    i = j;
    // Leading masks are a hashtag, a mention or emphasis ("#tag", "@name", "*word*"): drop them and as
    // many trailing ones; trailing "!" is punctuation.
    size_t lead = 0;
    while (lead < tok.size() && tok[lead].c == 0) ++lead;
    size_t stop = tok.size();
    while (stop > lead && t[tok[stop - 1].b] == '!') --stop;
    if (lead > 0) {
      size_t trail = 0;
      while (trail < lead && stop > lead && tok[stop - 1].c == 0) --stop, ++trail;
    }
    if (stop <= lead) continue;
    w.assign(tok.begin() + static_cast<std::ptrdiff_t>(lead),
             tok.begin() + static_cast<std::ptrdiff_t>(stop));
    const size_t wildcards = std::count_if(w.begin(), w.end(), [](const Tok& x) { return x.c == 0; });
    const size_t letters = std::count_if(w.begin(), w.end(), [](const Tok& x) { return x.letter; });
    if (wildcards == 0 || letters == 0 || w.size() < kMaskedMinLetters) continue;
    // Best candidate over every language.
    const Entry* best = nullptr;
    const Language* best_lang = nullptr;
    for (const Language& lang : languages) {
      const bool own = edition == lang.code;
      for (const auto& [index, cps] : lang.masked) {
        const Entry& e = lang.entries[index];
        if ((e.flags & kLocal) && !own) continue;
        const size_t p = cps.size();
        if (w.size() < p) continue;
        if (w.size() > p && (e.flags & kWord) && !(e.flags & (kPrefix | kInflect | kSubstring))) continue;
        size_t wild = 0, known = 0;
        bool ok = true;
        for (size_t q = 0; q < p && ok; ++q) {
          if (w[q].c == 0)
            ++wild;
          else if (w[q].c == cps[q])
            ++known;
          else
            ok = false;
        }
        if (!ok || wild == 0 || known == 0) continue;
        if (w.size() > p) {
          std::string rest;
          for (size_t q = p; q < w.size() && ok; ++q) {
            if (w[q].c == 0)
              ok = false;
            else {
              char buf[4];
              int32_t n = 0;
              U8_APPEND_UNSAFE(buf, n, w[q].c);
              rest.append(buf, static_cast<size_t>(n));
            }
          }
          if (!ok) continue;
          if (!(e.flags & (kPrefix | kSubstring)) && !lang.ending_set.count(rest)) continue;
        }
        // The strongest candidate; between equals, the one listed first ("s**t" reads "shit", not "slut").
        if (!best || e.weight > best->weight) {
          best = &e;
          best_lang = &lang;
        }
      }
    }
    if (!best) continue;
    auto span = v.skeleton.ToOriginal(w.front().b, w.back().e);
    hits.push_back(
        {best->rule, kMaskedFactor * best->weight, span.first, span.second, best_lang, best, true});
  }
}

void LexiconDetector::Impl::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  const text::TextViews& v = input.views;
  const std::string& sq = v.squeezed.text;
  if (sq.empty()) return;
  std::string_view edition = input.language.substr(0, input.language.find('-'));
  thread_local Collapsed col;  // reused: its buffers keep their capacity
  Collapse(sq, col);

  hs_scratch_t* scratch = Acquire();
  if (!scratch) return;
  struct Cand {
    const Language* lang;
    const Entry* entry;
    size_t b, e;  // in the squeezed view
  };
  std::vector<Cand> cands;
  std::vector<RawHit> raw;
  raw.reserve(64);
  for (const Language& lang : languages) {
    if (lang.db_squeezed) {
      raw.clear();
      ScanContext ctx{&raw};
      hs_scan(lang.db_squeezed, sq.data(), static_cast<unsigned>(sq.size()), 0, scratch, OnMatch, &ctx);
      for (const RawHit& h : raw) {
        const Entry& e = lang.entries[h.id];
        cands.push_back({&lang, &e, static_cast<size_t>(h.to) - e.norm.size(), static_cast<size_t>(h.to)});
      }
    }
    if (lang.db_collapsed && col.text.size() != sq.size()) {  // nothing collapsed: the first pass saw it all
      raw.clear();
      ScanContext ctx{&raw};
      hs_scan(lang.db_collapsed, col.text.data(), static_cast<unsigned>(col.text.size()), 0, scratch, OnMatch,
              &ctx);
      for (const RawHit& h : raw) {
        const Entry& e = lang.entries[h.id];
        const size_t cb = static_cast<size_t>(h.to) - e.collapsed.size(), ce = static_cast<size_t>(h.to);
        // Counts only where the text repeats a letter more than the term, never less, and the extra
        // repeats are an elongation (the squeezed view cut a run of three or more: "fuuuuck"), not a
        // spelling ("Shiite" is no "shite", "puttee" no "pute"); runs of spaces count as they are.
        bool longer = false, shorter = false;
        size_t q = 0;
        for (size_t i = cb; i < ce; ++q) {
          const uint8_t tr = col.run[i], er = e.runs[q];
          shorter |= tr < er;
          if (tr > er) longer |= col.text[i] == ' ' || Elongated(v.squeezed, col.src[i], tr);
          NextCp(col.text, i);
        }
        if (!longer || shorter) continue;
        auto [sb, se] = col.ToSource(cb, ce);
        cands.push_back({&lang, &e, sb, se});
      }
    }
  }
  Release(scratch);

  // Allow-listed words and phrases, in the squeezed view.
  std::vector<std::pair<size_t, size_t>> allowed;
  for (const Cand& c : cands) {
    if (!(c.entry->flags & kAllow)) continue;
    size_t b = c.b, e = c.e;
    if (c.entry->flags & kAllowOpenLeft)
      b = ExtendLeft(sq, b);
    else if (!LeftBoundary(sq, b))
      continue;
    if (c.entry->flags & kAllowOpenRight)
      e = ExtendRight(sq, e);
    else if (ExtendRight(sq, e) != e)
      continue;
    allowed.emplace_back(b, e);
  }

  std::vector<Hit> hits;
  for (const Cand& c : cands) {
    const Entry& e = *c.entry;
    if (e.flags & kAllow) continue;
    if ((e.flags & kLocal) && edition != c.lang->code) continue;
    size_t b = c.b, end = c.e;
    bool ok = false;
    if ((e.flags & kWord) && text::AtWordBoundaries(sq, c.b, c.e)) ok = true;
    if (!ok && (e.flags & (kPrefix | kInflect)) && LeftBoundary(sq, c.b)) {
      const size_t we = ExtendRight(sq, c.e);
      if (e.flags & kPrefix) {
        ok = true;
      } else {
        std::string rest = sq.substr(c.e, we - c.e);
        ok = c.lang->ending_set.count(rest) > 0;
      }
      if (ok) end = we;
    }
    if (!ok && (e.flags & kSubstring)) {
      ok = true;
      b = ExtendLeft(sq, c.b);
      end = ExtendRight(sq, c.e);
    }
    if (!ok) continue;
    // Inside an allow-listed word that is more than the match ("cunt" in "scunthorpe"); a match that is
    // the whole allow-listed word (a spelling that collapses onto it) still counts.
    if (std::any_of(allowed.begin(), allowed.end(), [&](const auto& a) {
          return a.first <= c.b && c.e <= a.second && a.second - a.first > c.e - c.b;
        }))
      continue;
    double confidence = e.weight;
    if (e.flags & kAddressed) {
      if (!AddressedToReader(*c.lang, sq, b, end)) continue;
    } else if (rules[e.rule] == "insult_threat" && AddressedToReader(*c.lang, sq, b, end)) {
      confidence = std::max(confidence, std::min(kBoostCeiling, confidence + kSecondPersonBoost));
    }
    auto span = v.squeezed.ToOriginal(b, end);
    hits.push_back({e.rule, confidence, span.first, span.second, c.lang, &e, false});
  }

  MaskedPass(v, edition, hits);
  if (hits.empty()) return;

  // One signal per rule and occurrence: overlapping hits of a rule merge, the strongest names it.
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  for (size_t i = 0; i < hits.size();) {
    Hit best = hits[i];
    size_t begin = hits[i].begin, end = hits[i].end, j = i + 1;
    while (j < hits.size() && hits[j].rule == hits[i].rule && hits[j].begin < end) {
      end = std::max(end, hits[j].end);
      if (hits[j].confidence > best.confidence) best = hits[j];
      ++j;
    }
    Signal s;
    s.rule = rules[best.rule];
    s.confidence = best.confidence;
    s.detail = "lexicon " + best.lang->code + "/" + s.rule + ": " + best.entry->term +
               (best.masked ? " (masked)" : "");
    s.spans.emplace_back(begin, end);
    out.push_back(std::move(s));
    i = j;
  }
}

// ---------------------------------------------------------------------------------------------

LexiconDetector::LexiconDetector(const std::string& lexicon_dir, std::vector<std::string> languages)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = lexicon_dir;
  impl_->language_codes = std::move(languages);
}

LexiconDetector::~LexiconDetector() = default;

Result<std::unique_ptr<LexiconDetector>> LexiconDetector::Load(const std::string& lexicon_dir,
                                                               std::vector<std::string> languages,
                                                               const std::string& cache_dir) {
  std::unique_ptr<LexiconDetector> d(new LexiconDetector(lexicon_dir, std::move(languages)));
  Impl& impl = *d->impl_;

  // Read every file first: the cache key hashes them.
  std::vector<std::vector<SourceFile>> sources;
  uint64_t key = 1469598103934665603ull;
  key = Fnv(key, "format " + std::to_string(kCacheFormat));
  key = Fnv(key, hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {  // a database is built for this CPU's features
    key = Fnv(key, std::to_string(platform.tune) + "/" + std::to_string(platform.cpu_features));
  }
  key = Fnv(key, NormalisationProbe());
  for (const std::string& code : impl.language_codes) {
    const fs::path dir = fs::path(lexicon_dir) / code;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return MakeError(ErrorCode::kUnavailable, "lexicon directory " + dir.string() + " not found");
    }
    std::vector<SourceFile> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".txt" || !entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      if (!in) return MakeError(ErrorCode::kUnavailable, "cannot read " + entry.path().string());
      std::ostringstream ss;
      ss << in.rdbuf();
      files.push_back({entry.path().filename().string(), ss.str()});
    }
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot list " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
    key = Fnv(key, code);
    for (const SourceFile& f : files) key = Fnv(Fnv(key, f.name), f.content);
    sources.push_back(std::move(files));
  }

  const fs::path cache_file =
      cache_dir.empty() ? fs::path() : fs::path(cache_dir) / ("lexicon-" + HexKey(key) + ".hsdb");
  if (!cache_file.empty()) {
    std::ifstream in(cache_file, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      impl.from_cache = impl.Deserialise(ss.str(), key);
    }
  }
  if (impl.from_cache) {
    for (Language& lang : impl.languages) impl.Finish(lang);
    if (!impl.AllocScratch().ok()) {  // a cache Hyperscan will not run here: rebuild it
      impl.from_cache = false;
      if (impl.proto_scratch) hs_free_scratch(impl.proto_scratch);
      impl.proto_scratch = nullptr;
      for (Language& l : impl.languages) {
        if (l.db_squeezed) hs_free_database(l.db_squeezed);
        if (l.db_collapsed) hs_free_database(l.db_collapsed);
      }
    }
  }
  if (!impl.from_cache) {
    impl.rules.clear();
    impl.languages.clear();
    impl.languages.resize(impl.language_codes.size());
    for (size_t i = 0; i < impl.language_codes.size(); ++i) {
      Language& lang = impl.languages[i];
      lang.code = impl.language_codes[i];
      TRIBUNE_TRY(impl.Parse(lang, sources[i]));
      for (Entry& e : lang.entries) Derive(e);
      TRIBUNE_TRY(impl.Compile(lang));
    }
  }
  if (!impl.from_cache) {
    for (Language& lang : impl.languages) impl.Finish(lang);
    TRIBUNE_TRY(impl.AllocScratch());
  }

  if (!impl.from_cache && !cache_file.empty()) {
    // Best effort: write a temporary file and rename it into place.
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    const std::string bytes = impl.Serialise(key);
    if (!bytes.empty()) {
      const fs::path tmp = cache_file.string() + ".tmp" + std::to_string(reinterpret_cast<uintptr_t>(&impl));
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      if (out)
        fs::rename(tmp, cache_file, ec);
      else
        fs::remove(tmp, ec);
      // Databases of earlier lexicon versions are dead weight (about 12 MB each): remove them.
      for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("lexicon-", 0) == 0 && entry.path().extension() == ".hsdb" &&
            entry.path() != cache_file)
          fs::remove(entry.path(), ec);
      }
    }
  }
  return d;
}

void LexiconDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    impl_->Detect(input, out);
  } catch (...) {
    // Must not throw (bad_alloc is the only candidate): the engine records nothing from us.
  }
}

std::vector<LexiconStats> LexiconDetector::Stats() const {
  std::vector<LexiconStats> out;
  for (const Language& l : impl_->languages) {
    std::map<std::string, size_t> counts;
    for (const Entry& e : l.entries) ++counts[(e.flags & kAllow) ? "allow" : impl_->rules[e.rule]];
    for (const auto& [rule, n] : counts) out.push_back({l.code, rule, n});
  }
  return out;
}

bool LexiconDetector::loaded_from_cache() const { return impl_->from_cache; }

}  // namespace tribune::moderation
