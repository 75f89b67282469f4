// Lexicon text helpers: code points, word boundaries and the letter-run–collapsed view of a text.
#include <algorithm>

#include "moderation/rules/lexicon_internal.hpp"

namespace tribune::moderation::lexicon_internal {

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

}  // namespace tribune::moderation::lexicon_internal
