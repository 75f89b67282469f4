// Lexicon entries: reading data/lexicons files: entry format, flags, templates, apostrophes, allow-lists.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "moderation/rules/lexicon_internal.hpp"

namespace tribune::moderation {
using namespace lexicon_internal;
namespace fs = std::filesystem;

namespace {

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

}  // namespace

std::string lexicon_internal::Normalise(std::string_view term) {
  text::TextViews v = text::BuildViews(term);
  std::string s = std::move(v.squeezed.text);
  // Trim spaces.
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return s.substr(b, e - b);
}

void lexicon_internal::CollapsedRuns(std::string_view norm, Collapsed& c, std::vector<uint8_t>& runs) {
  Collapse(norm, c);
  runs.clear();
  for (size_t i = 0; i < c.text.size();) {
    runs.push_back(c.run[i]);
    NextCp(c.text, i);
  }
}

Result<std::vector<SourceFile>> lexicon_internal::ReadSources(const fs::path& dir) {
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
  return files;
}

// ---------------------------------------------------------------------------------------------

uint32_t LexiconDetector::Impl::RuleIndex(const std::string& rule) {
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i] == rule) return static_cast<uint32_t>(i);
  rules.push_back(rule);
  return static_cast<uint32_t>(rules.size() - 1);
}

Status LexiconDetector::Impl::Parse(Language& lang, const std::vector<SourceFile>& files) {
  // Entries with their own strings while parsing (a duplicate may replace one); packed at the end.
  struct Parsed {
    std::string term, norm;
    uint32_t rule = 0;
    double weight = 0;
    uint32_t flags = 0;
  };
  std::vector<Parsed> parsed;
  // (norm, rule or allow) → entry index, to merge duplicates (the stronger weight wins).
  std::map<std::pair<std::string, int64_t>, size_t> seen;
  auto add = [&](Parsed e, int64_t key_rule) {
    auto key = std::make_pair(e.norm, key_rule);
    auto it = seen.find(key);
    if (it == seen.end()) {
      seen.emplace(key, parsed.size());
      parsed.push_back(std::move(e));
    } else if (e.weight > parsed[it->second].weight) {
      parsed[it->second] = std::move(e);
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
          Parsed e;
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
          else if (name == "cue")
            flags |= kCue;
          else if (name == "needs_cue")
            flags |= kNeedsCue;
          else if (name == "threat")
            flags |= kThreat;
          else if (!name.empty())
            return bad("unknown flag \"" + name + "\"");
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
      if ((flags & (kWord | kPrefix | kInflect | kSubstring)) == 0) flags |= kWord;
      if ((flags & kCue) && (flags & (kNeedsCue | kAddressed))) return bad("a cue cannot need a cue or an address");
      if ((flags & kCue) && (flags & kThreat)) return bad("a cue is not evidence: it cannot be a threat");
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
        Parsed e;
        e.term = CollapseSpaces(Trim(v));
        e.norm = Normalise(e.term);
        if (e.norm.empty()) continue;
        e.rule = rule_index;
        e.weight = weight;
        e.flags = flags;
        // A cue and a finding may share a spelling ("sell" as a cue and in "sell weed"): key them apart.
        add(std::move(e), (flags & kCue) ? int64_t{rule_index} + (int64_t{1} << 32) : int64_t{rule_index});
      }
    }
  }
  // Pack: one pool for every string, `term` sharing `norm`'s bytes when equal.
  if (rules.size() > 0xFFFF) return MakeError(ErrorCode::kBadRequest, "lexicon " + lang.code + ": too many rules");
  lang.entries.clear();
  lang.entries.reserve(parsed.size());
  lang.pool.clear();
  for (const Parsed& p : parsed) {
    if (p.term.size() > 0xFFFF || p.norm.size() > 0xFFFF || lang.pool.size() > 0xFFFF0000u)
      return MakeError(ErrorCode::kBadRequest, "lexicon " + lang.code + ": term too long: " + p.term.substr(0, 60));
    Entry e;
    e.norm_off = static_cast<uint32_t>(lang.pool.size());
    e.norm_len = static_cast<uint16_t>(p.norm.size());
    lang.pool += p.norm;
    e.term_off = e.norm_off;
    e.term_len = e.norm_len;
    if (p.term != p.norm) {
      e.term_off = static_cast<uint32_t>(lang.pool.size());
      e.term_len = static_cast<uint16_t>(p.term.size());
      lang.pool += p.term;
    }
    e.rule = static_cast<uint16_t>(p.rule);
    e.flags = static_cast<uint16_t>(p.flags);
    e.weight = p.weight;
    lang.entries.push_back(e);
  }
  lang.pool.shrink_to_fit();
  lang.endings.push_back("");
  for (const std::string& raw : RawEndings(lang.code)) {
    std::string n = Normalise(raw);
    if (!n.empty()) lang.endings.push_back(n);
  }
  return Ok{};
}

// Derived tables (never cached: cheap and free of ICU normalisation).
void LexiconDetector::Impl::Finish(Language& lang) {
  lang.ending_set = {lang.endings.begin(), lang.endings.end()};
  lang.marker_set = {lang.markers.begin(), lang.markers.end()};
  lang.filler_set = {lang.fillers.begin(), lang.fillers.end()};
  lang.masked.clear();
  for (size_t i = 0; i < lang.entries.size(); ++i) {
    const Entry& e = lang.entries[i];
    if (e.flags & (kAllow | kCue | kNeedsCue)) continue;
    const std::string& rule = rules[e.rule];
    if (rule != "profanity" && rule != "hate") continue;
    const std::string_view norm = lang.Norm(e);
    if (norm.find(' ') != std::string_view::npos) continue;
    std::vector<UChar32> cps = CodePoints(norm);
    if (cps.size() < kMaskedMinLetters || cps.size() > kMaskedMaxLetters) continue;
    if (!std::all_of(cps.begin(), cps.end(), [](UChar32 c) { return IsWordChar(c); })) continue;
    lang.masked.emplace_back(static_cast<uint32_t>(i), std::move(cps));
  }
}

}  // namespace tribune::moderation
