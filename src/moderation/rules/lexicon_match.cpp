// Lexicon matching: scanning views, boundaries, allow-lists, masked words, second-person boost, merging.
#include <algorithm>

#include "moderation/rules/lexicon_internal.hpp"

namespace tribune::moderation {
using namespace lexicon_internal;

namespace {

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

bool IsMaskChar(UChar32 c) { return c == '*' || c == '#' || c == '@' || c == '_'; }

}  // namespace

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
      } else if (const char l = text::LeetLetter(static_cast<char32_t>(c))) {
        tok.push_back({static_cast<UChar32>(l), b, q, false});
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
  std::vector<Cand> cands, exact, elongated;
  std::vector<RawHit> raw;
  raw.reserve(64);
  thread_local Collapsed term_col;
  thread_local std::vector<uint8_t> runs;
  const bool text_collapsed = col.text.size() != sq.size();
  for (const Language& lang : languages) {
    // Exact matches in the squeezed view: db_short's hits, and db_collapsed's hits whose runs agree.
    exact.clear();
    if (lang.db_short) {
      raw.clear();
      ScanContext ctx{&raw};
      hs_scan(lang.db_short, sq.data(), static_cast<unsigned>(sq.size()), 0, scratch, OnMatch, &ctx);
      for (const RawHit& h : raw) {
        const Entry& e = lang.entries[h.id];
        exact.push_back({&lang, &e, static_cast<size_t>(h.to) - e.norm_len, static_cast<size_t>(h.to)});
      }
    }
    elongated.clear();
    if (lang.db_collapsed) {
      raw.clear();
      ScanContext ctx{&raw};
      hs_scan(lang.db_collapsed, col.text.data(), static_cast<unsigned>(col.text.size()), 0, scratch, OnMatch,
              &ctx);
      for (const RawHit& h : raw) {
        const Entry& e = lang.entries[h.id];
        const std::string_view norm = lang.Norm(e);
        CollapsedRuns(norm, term_col, runs);
        const size_t cb = static_cast<size_t>(h.to) - term_col.text.size(), ce = static_cast<size_t>(h.to);
        // The squeezed view holds the term itself here when every inner run has the term's length and the
        // outer ones at least its length (the term starts and ends inside them: "kkill" holds "kill").
        // The term has three code points or more, so its first and last ones are distinct runs.
        bool inner_equal = true, ends_cover = true;
        size_t first_len = 0, second_at = 0, last_at = 0, last_len = 0;
        size_t q = 0;
        for (size_t i = cb; i < ce; ++q) {
          const size_t at = i;
          NextCp(col.text, i);
          const uint8_t tr = col.run[at], er = runs[q];
          const bool end = q == 0 || i >= ce;
          if (end)
            ends_cover &= tr >= er;
          else
            inner_equal &= tr == er;
          if (q == 0) first_len = (i - at) * er;
          if (q == 1) second_at = col.src[at];
          if (i >= ce) last_at = col.src[at], last_len = (i - at) * er;
        }
        if (inner_equal && ends_cover && second_at >= first_len) {
          const size_t b = second_at - first_len, end = last_at + last_len;
          if (end <= sq.size() && end - b == norm.size() && sq.compare(b, norm.size(), norm) == 0)
            exact.push_back({&lang, &e, b, end});
        }
        if (!text_collapsed) continue;  // nothing collapsed: no elongation to find
        // An elongation counts only where the text repeats a letter more than the term, never less, and
        // the extra repeats are an elongation (the squeezed view cut a run of three or more: "fuuuuck"),
        // not a spelling ("Shiite" is no "shite", "puttee" no "pute"); runs of spaces count as they are.
        bool longer = false, shorter = false;
        q = 0;
        for (size_t i = cb; i < ce; ++q) {
          const uint8_t tr = col.run[i], er = runs[q];
          shorter |= tr < er;
          if (tr > er) longer |= col.text[i] == ' ' || Elongated(v.squeezed, col.src[i], tr);
          NextCp(col.text, i);
        }
        if (!longer || shorter) continue;
        auto [sb, se] = col.ToSource(cb, ce);
        elongated.push_back({&lang, &e, sb, se});
      }
    }
    // Exact matches first, in the order a scan of the squeezed view reported them when it was one
    // database (by end, the longer match first, then by entry), then elongations: ties below (which term
    // or cue a signal names) are broken by this order.
    std::sort(exact.begin(), exact.end(), [](const Cand& x, const Cand& y) {
      return x.e != y.e ? x.e < y.e : x.b != y.b ? x.b < y.b : x.entry < y.entry;
    });
    cands.insert(cands.end(), exact.begin(), exact.end());
    cands.insert(cands.end(), elongated.begin(), elongated.end());
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
  std::vector<Hit> cues, needs_cue;  // spans here are in the squeezed view
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
    if (e.flags & (kCue | kNeedsCue)) {
      ((e.flags & kCue) ? cues : needs_cue).push_back({e.rule, e.weight, b, end, c.lang, &e, false});
      continue;
    }
    double confidence = e.weight;
    if (e.flags & kAddressed) {
      if (!AddressedToReader(*c.lang, sq, b, end)) continue;
    } else if (rules[e.rule] == "insult_threat" && AddressedToReader(*c.lang, sq, b, end)) {
      confidence = std::max(confidence, std::min(kBoostCeiling, confidence + kSecondPersonBoost));
    }
    auto span = v.squeezed.ToOriginal(b, end);
    hits.push_back({e.rule, confidence, span.first, span.second, c.lang, &e, false});
  }

  // Entries that need context count when a cue of their rule stands near them, outside their own span.
  for (const Hit& n : needs_cue) {
    const Hit* near = nullptr;
    for (const Hit& q : cues) {
      if (q.rule != n.rule) continue;
      const bool before = q.end <= n.begin && n.begin - q.end <= kCueWindow;
      const bool after = q.begin >= n.end && q.begin - n.end <= kCueWindow;
      if (before || after) {
        near = &q;
        break;
      }
    }
    if (!near) continue;
    auto span = v.squeezed.ToOriginal(n.begin, n.end);
    hits.push_back({n.rule, n.confidence, span.first, span.second, n.lang, n.entry, false, near->entry, near->lang});
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
    s.detail = "lexicon " + best.lang->code + "/" + s.rule + ": " + std::string(best.lang->Term(*best.entry)) +
               (best.masked ? " (masked)" : "") +
               (best.cue ? " (with \"" + std::string(best.cue_lang->Term(*best.cue)) + "\")" : "") +
               ((best.entry->flags & kThreat) ? " [threat]" : "");
    s.spans.emplace_back(begin, end);
    out.push_back(std::move(s));
    i = j;
  }
}

}  // namespace tribune::moderation
