// The campaign corpus's text machinery (included by campaign_corpus.cpp only): its PRNG, the template file
// bench/campaign_templates.txt, spintax expansion, per-campaign slot freezing and the per-post paraphrase
// (clause order, greeting and sign-off, typos, leet, case, emoji; the heavy rewording of the harder
// families).
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::bench::campaign_text {

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_campaign_eval: %s\n", what.c_str());
  std::exit(1);
}

// xoshiro256** seeded through splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3], s_[2] ^= t, s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Real() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Real() * static_cast<double>(n)); }
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<size_t>(hi - lo + 1)));
  }
  bool Chance(double p) { return Real() < p; }
  double Exp(double mean) { return -mean * std::log(1.0 - Real()); }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  template <class T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// ---------------------------------------------------------------------------------------------------------
// Campaign templates (bench/campaign_templates.txt).

struct Family {
  std::string name, language, kind;
  bool paper = false;
  std::vector<std::pair<bool, std::string>> clauses;  // (required, spintax)
};

struct Templates {
  std::vector<Family> families;
  std::map<std::string, std::string> greet, sign;  // language → spintax
  std::vector<std::string> emoji, stock;
  std::map<std::string, std::vector<std::string>> synonyms;  // word → its group
};

inline Templates ReadTemplates(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path.string());
  Templates t;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string head;
    ls >> head;
    std::string rest;
    std::getline(ls, rest);
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    if (head == "@family" || head == "@paper") {
      Family f;
      std::istringstream fs(rest);
      fs >> f.name >> f.language >> f.kind;
      f.paper = head == "@paper";
      t.families.push_back(std::move(f));
    } else if (head == "+" || head == "?") {
      if (t.families.empty()) Die(path.string() + ":" + std::to_string(n) + ": clause outside a family");
      t.families.back().clauses.emplace_back(head == "+", rest);
    } else if (head == "@greet" || head == "@sign") {
      std::istringstream fs(rest);
      std::string lang;
      fs >> lang;
      std::string spin;
      std::getline(fs, spin);
      (head == "@greet" ? t.greet : t.sign)[lang] = spin.substr(spin.find_first_not_of(' '));
    } else if (head == "@emoji") {
      std::istringstream fs(rest);
      for (std::string e; fs >> e;) t.emoji.push_back(e);
    } else if (head == "@stock") {
      t.stock.push_back(rest);
    } else if (head == "@syn") {
      std::vector<std::string> group;
      std::istringstream fs(rest);
      for (std::string w; std::getline(fs, w, '|');) group.push_back(w);
      for (const std::string& w : group) t.synonyms[w] = group;
    } else {
      Die(path.string() + ":" + std::to_string(n) + ": unknown line");
    }
  }
  return t;
}

// {a|b|{c|d} e} → one choice per group, nested; `first` takes the first option everywhere (the plain
// rendering).
inline std::string Expand(std::string_view s, Rng& rng, bool first) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '{') {
      out += s[i];
      continue;
    }
    std::vector<std::string_view> options;
    size_t depth = 1, start = i + 1, j = i + 1;
    for (; j < s.size() && depth > 0; ++j) {
      if (s[j] == '{')
        ++depth;
      else if (s[j] == '}' && --depth == 0)
        options.push_back(s.substr(start, j - start));
      else if (s[j] == '|' && depth == 1)
        options.push_back(s.substr(start, j - start)), start = j + 1;
    }
    if (options.empty()) Die("unbalanced spintax: " + std::string(s));
    out += Expand(first ? options[0] : options[rng.Below(options.size())], rng, first);
    i = j - 1;
  }
  return out;
}

inline std::string CollapseSpaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  // " ," and " ." left by empty options
  std::string fixed;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == ' ' && i + 1 < out.size() && (out[i + 1] == ',' || out[i + 1] == '.')) continue;
    fixed += out[i];
  }
  return fixed;
}

inline std::vector<std::string> Codepoints(const std::string& s) {
  std::vector<std::string> cps;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cps.push_back(s.substr(i, len));
    i += len;
  }
  return cps;
}

inline bool IsLetterCp(const std::string& cp) {
  if (cp.size() == 1) return IsAsciiLetter(cp[0]);
  const unsigned char c = static_cast<unsigned char>(cp[0]);
  return cp.size() == 2 && (c == 0xC3 || c == 0xD0 || c == 0xD1);  // Latin-1 accents, Cyrillic
}

// One typo: swap two neighbouring letters, drop one, double one or hit a neighbouring key.
inline void Typo(std::vector<std::string>& cps, Rng& rng) {
  static const std::string kRows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
  for (int attempt = 0; attempt < 20; ++attempt) {
    const size_t i = rng.Below(cps.size());
    if (i + 1 >= cps.size() || !IsLetterCp(cps[i]) || !IsLetterCp(cps[i + 1]) || i == 0) continue;
    switch (rng.Below(4)) {
      case 0:
        std::swap(cps[i], cps[i + 1]);
        return;
      case 1:
        cps.erase(cps.begin() + static_cast<ptrdiff_t>(i));
        return;
      case 2:
        cps.insert(cps.begin() + static_cast<ptrdiff_t>(i), cps[i]);
        return;
      default:
        if (cps[i].size() != 1) continue;
        for (const std::string& row : kRows) {
          const size_t p = row.find(static_cast<char>(std::tolower(cps[i][0])));
          if (p == std::string::npos) continue;
          cps[i] = std::string(1, row[p == 0 ? 1 : p + 1 < row.size() && rng.Chance(0.5) ? p + 1 : p - 1]);
          return;
        }
    }
  }
}

inline std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

inline std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (IsAsciiLetter(c) || (c >= '0' && c <= '9') || (c & 0x80) || c == '\'')
      w += static_cast<char>(std::tolower(c));
    else if (!w.empty())
      out.push_back(std::move(w)), w.clear();
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

// Share of words of `text` not matched (as a multiset) by words of `plain`.
inline double WordsChanged(const std::string& text, const std::string& plain) {
  std::vector<std::string> a = Words(text), b = Words(plain);
  std::multiset<std::string> bag(b.begin(), b.end());
  size_t same = 0;
  for (const std::string& w : a)
    if (auto it = bag.find(w); it != bag.end()) ++same, bag.erase(it);
  const size_t n = std::max(a.size(), b.size());
  return n == 0 ? 0 : 1.0 - static_cast<double>(same) / static_cast<double>(n);
}

inline double WordJaccard(const std::string& x, const std::string& y) {
  std::vector<std::string> a = Words(x), b = Words(y);
  std::set<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  size_t inter = 0;
  for (const std::string& w : sa) inter += sb.count(w);
  const size_t uni = sa.size() + sb.size() - inter;
  return uni == 0 ? 1 : static_cast<double>(inter) / static_cast<double>(uni);
}

inline const std::vector<std::string> kFillers = {"really",    "honestly", "just",   "actually", "basically",
                                                  "literally", "totally",  "simply", "frankly",  "truly"};
inline const std::set<std::string> kDroppable = {"the",  "a",   "an",  "really", "very", "just", "so",
                                                 "that", "all", "now", "this",   "is",   "are",  "of",
                                                 "to",   "and", "it",  "we",     "you"};

// Rewords beyond the template's slots until at least half of the words differ from its plain rendering:
// synonyms first, then a few fillers and dropped function words.
inline std::string HeavyParaphrase(std::string text, const std::string& plain, const Templates& t, Rng& rng) {
  auto tokens_of = [](const std::string& s) {
    std::vector<std::string> out;
    std::istringstream ts(s);
    for (std::string w; ts >> w;) out.push_back(w);
    return out;
  };
  auto synonym = [&](std::string& tok) {
    size_t b = 0, e = tok.size();
    while (b < e && !IsAsciiLetter(tok[b])) ++b;
    while (e > b && !IsAsciiLetter(tok[e - 1])) --e;
    std::string core = tok.substr(b, e - b), lower = core;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = t.synonyms.find(lower);
    if (it == t.synonyms.end()) return false;
    std::string repl = rng.Pick(it->second);
    if (repl == lower) repl = rng.Pick(it->second);
    if (std::isupper(static_cast<unsigned char>(core[0]))) repl[0] = static_cast<char>(std::toupper(repl[0]));
    tok = tok.substr(0, b) + repl + tok.substr(e);
    return true;
  };
  std::vector<std::string> tokens = tokens_of(text);
  for (std::string& tok : tokens)
    if (rng.Chance(0.6)) synonym(tok);
  text = Join(tokens, " ");
  int fillers = 0;
  for (int round = 0; round < 200 && WordsChanged(text, plain) < 0.5 && !tokens.empty(); ++round) {
    const size_t i = rng.Below(tokens.size());
    std::string lower = tokens[i];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (synonym(tokens[i])) {
    } else if (kDroppable.count(lower) && rng.Chance(0.4)) {
      tokens.erase(tokens.begin() + static_cast<ptrdiff_t>(i));
    } else if (fillers < 3 && rng.Chance(0.2)) {
      tokens.insert(tokens.begin() + static_cast<ptrdiff_t>(i), rng.Pick(kFillers)), ++fillers;
    }
    text = Join(tokens, " ");
  }
  return text;
}

// A campaign's own version of a family: all but 3–8 of the top-level slots fixed to one option (an operator
// spins a few slots, not every word); `all_free` keeps every slot.
inline Family Freeze(const Family& f, bool all_free, Rng& rng) {
  size_t groups = 0;
  for (const auto& [required, spin] : f.clauses) {
    int depth = 0;
    for (char c : spin) {
      if (c == '{' && depth++ == 0)
        ++groups;
      else if (c == '}')
        --depth;
    }
  }
  std::vector<bool> free(groups, all_free);
  std::vector<size_t> order(groups);
  for (size_t i = 0; i < groups; ++i) order[i] = i;
  rng.Shuffle(order);
  for (size_t k = 0, n = static_cast<size_t>(rng.Range(3, 8)); k < n && k < groups; ++k)
    free[order[k]] = true;
  Family out = f;
  size_t g = 0;
  for (auto& [required, spin] : out.clauses) {
    std::string fixed;
    for (size_t i = 0; i < spin.size(); ++i) {
      if (spin[i] != '{') {
        fixed += spin[i];
        continue;
      }
      size_t depth = 0, j = i;
      for (; j < spin.size(); ++j) {
        if (spin[j] == '{')
          ++depth;
        else if (spin[j] == '}' && --depth == 0)
          break;
      }
      const std::string group = spin.substr(i, j - i + 1);
      fixed += free[g++] ? group : Expand(group, rng, false);
      i = j;
    }
    spin = fixed;
  }
  return out;
}

struct Paraphrase {
  std::string text, plain;
};

inline Paraphrase MakeParaphrase(const Family& f, const Templates& t, Rng& rng) {
  std::vector<std::string> sentences, plain;
  const double optional = f.paper ? 0.5 : 0.55;
  for (const auto& [required, spin] : f.clauses) {
    if (!required && !rng.Chance(optional)) continue;
    sentences.push_back(CollapseSpaces(Expand(spin, rng, false)));
    plain.push_back(CollapseSpaces(Expand(spin, rng, true)));
  }
  if (sentences.size() > 1 && rng.Chance(f.paper ? 0.8 : 0.45)) rng.Shuffle(sentences);  // clause order
  std::string text = Join(sentences, " ");
  if (f.paper && f.language == "en") text = HeavyParaphrase(text, Join(plain, " "), t, rng);
  if (auto g = t.greet.find(f.language); g != t.greet.end() && rng.Chance(0.3))
    text = CollapseSpaces(Expand(g->second, rng, false)) + " " + text;
  if (auto s = t.sign.find(f.language); s != t.sign.end() && rng.Chance(0.3))
    text += " " + CollapseSpaces(Expand(s->second, rng, false));
  // punctuation
  if (rng.Chance(0.3) && !text.empty() && (text.back() == '.' || text.back() == '!')) {
    static const std::vector<std::string> kEnds = {"!", "!!", "!!!", "...", "", "?!"};
    text.pop_back();
    text += rng.Pick(kEnds);
  }
  std::vector<std::string> cps = Codepoints(text);
  const int typos = rng.Chance(f.paper ? 0.6 : 0.45) ? 1 + static_cast<int>(rng.Below(2)) : 0;
  for (int i = 0; i < typos; ++i) Typo(cps, rng);
  text = Join(cps, "");
  if (rng.Chance(0.08)) {  // leet in 1–3 words
    std::vector<std::string> tokens;
    std::istringstream ts(text);
    for (std::string w; ts >> w;) tokens.push_back(w);
    for (int k = 1 + static_cast<int>(rng.Below(3)); k > 0 && !tokens.empty(); --k)
      for (char& c : tokens[rng.Below(tokens.size())]) {
        static const std::map<char, char> kLeet = {
            {'a', '4'}, {'e', '3'}, {'o', '0'}, {'i', '1'}, {'s', '5'}};
        if (auto it = kLeet.find(c); it != kLeet.end()) c = it->second;
      }
    text = Join(tokens, " ");
  }
  const double casing = rng.Real();
  if (casing < 0.10) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else if (casing < 0.16) {  // one word shouted
    std::vector<std::string> tokens;
    std::istringstream ts(text);
    for (std::string w; ts >> w;) tokens.push_back(w);
    if (!tokens.empty())
      for (char& c : tokens[rng.Below(tokens.size())])
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    text = Join(tokens, " ");
  }
  if (!t.emoji.empty() && rng.Chance(0.35)) {
    std::string e;
    const std::string& pick = rng.Pick(t.emoji);
    for (size_t k = 1 + rng.Below(3); k > 0; --k) e += rng.Chance(0.7) ? pick : rng.Pick(t.emoji);
    if (rng.Chance(0.8))
      text += " " + e;
    else
      text = e + " " + text;
  }
  return {text, Join(plain, " ")};
}

}  // namespace tribune::bench::campaign_text
