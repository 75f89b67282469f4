// The excerpt under a search result: the window of words of the best-matching field that holds the most
// distinct query terms, HTML-escaped, the matched words in <mark>.
#include <algorithm>

#include "news/search.hpp"
#include "text/utf8.hpp"

namespace tribune::news {

namespace {

constexpr size_t kMaxFieldBytes = 64 * 1024;  // a snippet looks at the start of a long body only

// `s` cut to at most `max` bytes at a UTF-8 character boundary.
std::string_view Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

struct Wanted {
  std::vector<std::pair<std::string, bool>> words;  // term, prefix
  bool Matches(const std::string& tok) const {
    for (const auto& [w, prefix] : words) {
      if (prefix ? tok.compare(0, w.size(), w) == 0 : tok == w) return true;
    }
    return false;
  }
};

struct Window {
  size_t begin = 0, end = 0;  // token indexes
  int distinct = 0;
};

// The window of at most `width` tokens with the most distinct terms; hits[i] is the term token i matches, or -1.
Window BestWindow(const std::vector<int>& hits, size_t terms, size_t width) {
  Window best;
  best.end = std::min(hits.size(), width);
  std::vector<int> count(terms, 0);
  int distinct = 0;
  size_t first_hit = SIZE_MAX;
  for (size_t e = 0; e < hits.size(); ++e) {
    if (hits[e] >= 0 && count[hits[e]]++ == 0) ++distinct;
    if (e >= width) {
      const int out = hits[e - width];
      if (out >= 0 && --count[out] == 0) --distinct;
    }
    if (distinct > best.distinct) {
      best.distinct = distinct;
      first_hit = e;  // the window ending here; its first hit is found below
      best.begin = e + 1 >= width ? e + 1 - width : 0;
    }
  }
  if (best.distinct > 0 && hits.size() > width) {
    // Start a few words before the window's first hit, so the match has context on the left (a field that fits
    // in the window is shown whole).
    size_t h = best.begin;
    while (h <= first_hit && hits[h] < 0) ++h;
    best.begin = h > 5 ? h - 5 : 0;
    best.end = std::min(hits.size(), best.begin + width);
  }
  return best;
}

void AppendText(std::string& out, std::string_view s) {
  std::string squeezed;
  bool space = false;
  for (char c : s) {
    const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = true;
      continue;
    }
    if (space) squeezed += ' ';
    space = false;
    squeezed += c;
  }
  if (space) squeezed += ' ';
  out += text::HtmlEscape(squeezed);
}

}  // namespace

std::string Snippet(const SnippetFields& f, const CompiledQuery& query, size_t max_words) {
  std::vector<Wanted> wanted;
  for (const auto& t : query.terms) {
    if (t.exclude) continue;
    Wanted w;
    for (const auto& v : t.variants)
      for (size_t i = 0; i < v.size(); ++i) w.words.emplace_back(v[i], t.prefix && i + 1 == v.size());
    wanted.push_back(std::move(w));
  }
  const std::string_view fields[] = {Prefix(f.lead, kMaxFieldBytes), Prefix(f.body, kMaxFieldBytes),
                                     Prefix(f.title, kMaxFieldBytes)};
  struct Candidate {
    std::vector<SearchToken> tokens;
    std::vector<int> hits;
    Window window;
  };
  Candidate best;
  int best_field = -1;
  for (int fi = 0; fi < 3; ++fi) {
    if (fields[fi].empty()) continue;
    Candidate c;
    c.tokens = Tokenize(fields[fi], f.language);
    c.hits.assign(c.tokens.size(), -1);
    for (size_t i = 0; i < c.tokens.size(); ++i) {
      for (size_t t = 0; t < wanted.size(); ++t) {
        if (wanted[t].Matches(c.tokens[i].term)) {
          c.hits[i] = static_cast<int>(t);
          break;
        }
      }
    }
    c.window = BestWindow(c.hits, wanted.size(), max_words);
    if (best_field < 0 || c.window.distinct > best.window.distinct) {
      if (best_field < 0 || c.window.distinct > 0) {
        best = std::move(c);
        best_field = fi;
      }
    }
  }
  if (best_field < 0 || best.tokens.empty()) return "";
  const std::string_view text = fields[best_field];
  const Window& w = best.window;
  const size_t from = w.begin == 0 ? 0 : best.tokens[w.begin].begin;
  const size_t to = w.end >= best.tokens.size() ? text.size() : best.tokens[w.end - 1].end;
  std::string out;
  if (w.begin > 0) out += "… ";
  size_t pos = from;
  for (size_t i = w.begin; i < w.end; ++i) {
    if (best.hits[i] < 0 || best.tokens[i].begin < pos) continue;
    AppendText(out, text.substr(pos, best.tokens[i].begin - pos));
    out += "<mark>";
    out += text::HtmlEscape(text.substr(best.tokens[i].begin, best.tokens[i].end - best.tokens[i].begin));
    out += "</mark>";
    pos = best.tokens[i].end;
  }
  if (to > pos) AppendText(out, text.substr(pos, to - pos));
  // Leading and trailing spaces of the field are not worth showing.
  while (!out.empty() && out.back() == ' ') out.pop_back();
  const size_t lead = out.rfind("… ", 0) == 0 ? std::string("… ").size() : 0;
  if (out.size() > lead && out[lead] == ' ') out.erase(lead, 1);
  if (w.end < best.tokens.size() || to < text.size()) out += " …";
  return out;
}

}  // namespace tribune::news
