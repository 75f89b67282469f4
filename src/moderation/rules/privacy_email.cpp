// E-mail addresses: plain "john@doe.com" and obfuscated "john[at]mail.ru", "john dot doe at gmail dot com".
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "moderation/rules/privacy.hpp"
#include "moderation/rules/privacy_scan.hpp"

namespace tribune::moderation::privacy_internal {
namespace {

constexpr double kEmailConfidence = 0.9;
constexpr double kEmailMarkedConfidence = 0.9;   // "john[at]mail.ru", "john @ gmail.com"
constexpr double kEmailSpelledConfidence = 0.8;  // "john dot doe at gmail dot com"

// Words before a spelled-out address that say it is an e-mail address.
constexpr TermSet kEmailWords{std::array{
    Term{"mail", true}, Term{"email", true}, Term{"e-mail", true}, Term{"почт", true}, Term{"мейл", true},
    Term{"имейл", true}, Term{"емейл", true}, Term{"courriel", true}, Term{"correo", true},
}};

// ---------------------------------------------------------------------------------------------------
// E-mail addresses

bool IsLocalChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomainChar(char c) { return IsAlnum(c) || c == '-'; }

constexpr std::array<std::string_view, 14> kFileExtensions{"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp",
                                                            "ico", "tif", "tiff", "avif", "heic", "pdf", "js"};

bool TldOk(std::string_view tld) {
  if (tld.size() < 2 || tld.size() > 24) return false;
  for (char c : tld) {
    if (!IsAlpha(c)) return false;
  }
  std::string lower(tld);
  for (char& c : lower) c = static_cast<char>(c | 0x20);
  return std::find(kFileExtensions.begin(), kFileExtensions.end(), lower) == kFileExtensions.end();
}

// Obfuscated e-mails, scanned on the lower-cased text.

constexpr std::array<std::string_view, 40> kTlds{
    "com", "net", "org", "ru", "de", "fr", "es", "it", "uk", "co", "io", "info", "biz", "edu",
    "gov", "us", "ca", "au", "ch", "nl", "be", "at", "pl", "ua", "by", "kz", "me", "eu",
    "mx", "ar", "br", "jp", "se", "no", "fi", "dk", "pt", "cz", "su", "email"};

constexpr std::array<std::string_view, 32> kMailProviders{
    "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "aol", "icloud", "me",
    "mail", "yandex", "ya", "rambler", "bk", "inbox", "list", "protonmail", "proton", "pm", "gmx", "web",
    "t-online", "orange", "free", "laposte", "wanadoo", "sfr", "libero", "zoho", "tutanota"};

bool LowerLocalChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_' || c == '%' || c == '+' || c == '-' || c == '.'; }
bool LowerLabelChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-'; }

size_t SkipSpacesFwd(std::string_view t, size_t p, size_t max = 2) {
  size_t k = 0;
  while (p < t.size() && t[p] == ' ' && k < max) ++p, ++k;
  return p;
}
size_t SkipSpacesBack(std::string_view t, size_t p, size_t max = 2) {
  size_t k = 0;
  while (p > 0 && t[p - 1] == ' ' && k < max) --p, ++k;
  return p;
}

// A "dot" join starting at p: ".", " . ", " dot ", "[dot]", " (dot) ", " точка ". Returns its end or npos.
size_t JoinFwd(std::string_view t, size_t p, bool* spelled) {
  size_t q = SkipSpacesFwd(t, p);
  for (std::string_view tok : {"[dot]", "(dot)", "{dot}", "<dot>", "dot", "точка", "."}) {
    if (t.compare(q, tok.size(), tok) != 0) continue;
    bool bare_word = tok == "dot" || tok == "точка";
    size_t r = q + tok.size();
    size_t after = SkipSpacesFwd(t, r);
    if (bare_word && (q == p || after == r)) return std::string_view::npos;
    *spelled = tok != ".";
    return after;
  }
  return std::string_view::npos;
}
// The same, ending at p (going backwards). Returns the join's start or npos.
size_t JoinBack(std::string_view t, size_t p, bool* spelled) {
  size_t q = SkipSpacesBack(t, p);
  for (std::string_view tok : {"[dot]", "(dot)", "{dot}", "<dot>", "dot", "точка"}) {
    if (q < tok.size() || t.compare(q - tok.size(), tok.size(), tok) != 0) continue;
    size_t r = q - tok.size();
    size_t before = SkipSpacesBack(t, r);
    bool bare_word = tok == "dot" || tok == "точка";
    if (bare_word && (q == p || before == r)) return std::string_view::npos;
    *spelled = true;
    return before;
  }
  return std::string_view::npos;
}

enum class Marker { kNone, kBracket, kAtSign, kSpelled };

// An "at" marker at p: "[at]", "(at)", "{at}", "<at>", "[@]", "(@)", "@", " at ", " собака ", "(собака)".
Marker MarkerAt(std::string_view t, size_t p, size_t* end) {
  if (t[p] == 'a' && !(p > 0 && t[p - 1] == ' ' && t.compare(p, 3, "at ") == 0)) return Marker::kNone;
  for (std::string_view tok : {"[at]", "(at)", "{at}", "<at>", "[@]", "(@)", "(собака)", "[собака]"}) {
    if (t.compare(p, tok.size(), tok) == 0) {
      *end = p + tok.size();
      return Marker::kBracket;
    }
  }
  if (t[p] == '@') {
    *end = p + 1;
    return Marker::kAtSign;
  }
  for (std::string_view tok : {"at", "собака"}) {
    if (t.compare(p, tok.size(), tok) == 0 && p > 0 && t[p - 1] == ' ' && p + tok.size() < t.size() &&
        t[p + tok.size()] == ' ') {
      *end = p + tok.size();
      return tok == "at" ? Marker::kSpelled : Marker::kBracket;
    }
  }
  return Marker::kNone;
}

// The bytes MarkerAt can start at: '[', '(', '{', '<', '@'; and 'a' or the first byte of "собака", which
// MarkerAt takes only after a space.
constexpr uint8_t kBracketMarker = 1, kSpacedMarker = 2;
constexpr std::array<uint8_t, 256> kMarkerStart = [] {
  std::array<uint8_t, 256> table{};
  for (char c : {'[', '(', '{', '<', '@'}) table[static_cast<uint8_t>(c)] = kBracketMarker;
  table['a'] = kSpacedMarker;
  table[0xD1] = kSpacedMarker;  // "с" of "собака"
  return table;
}();

}  // namespace

void ScanEmails(Scan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  for (size_t at = s.find('@'); at != std::string_view::npos && at < n; at = s.find('@', at + 1)) {
    size_t l = at;
    while (l > 0 && IsLocalChar(s[l - 1]) && at - l <= 64) --l;
    if (l > 0 && IsLocalChar(s[l - 1])) continue;  // longer than 64: not an address
    while (l < at && (s[l] == '.' || s[l] == '-' || s[l] == '+')) ++l;
    if (l == at || s[at - 1] == '.' || WordBefore(s, l)) continue;
    // Domain: labels joined by '.', ending in an alphabetic TLD (a trailing '.' ends the sentence).
    size_t p = at + 1, last_dot = 0, labels = 0;
    bool ok = true;
    while (p < n && p - at < 255) {
      size_t label = p;
      while (p < n && IsDomainChar(s[p])) ++p;
      if (p == label || s[label] == '-' || s[p - 1] == '-') {
        ok = false;
        break;
      }
      ++labels;
      if (p + 1 < n && s[p] == '.' && IsDomainChar(s[p + 1])) {
        last_dot = p;
        ++p;
        continue;
      }
      break;
    }
    if (!ok || labels < 2 || last_dot == 0) continue;
    size_t end = p;
    if (!TldOk(s.substr(last_dot + 1, end - last_dot - 1)) || WordAt(s, end)) continue;
    if (!scan.Free(l, end)) continue;
    scan.Add({PersonalDataKind::kEmail, l, end, kEmailConfidence});
    at = end - 1;
  }
}

void ScanObfuscatedEmails(Scan& scan) {
  std::string_view t = scan.lower;
  const size_t n = t.size();
  for (size_t m = 0; m < n; ++m) {
    // Only a few bytes can start a marker; one table look-up rejects the rest.
    const uint8_t start = kMarkerStart[static_cast<uint8_t>(t[m])];
    if (start == 0) continue;
    if (start == kSpacedMarker && (m == 0 || t[m - 1] != ' ')) continue;  // " at ", " собака "
    size_t marker_end = 0;
    Marker marker = MarkerAt(t, m, &marker_end);
    if (marker == Marker::kNone || scan.claimed[m]) continue;
    bool spaced = m > 0 && t[m - 1] == ' ';

    // Local part, backwards: word (dot-join word){0,3}.
    size_t p = SkipSpacesBack(t, m);
    spaced = spaced || p != m;
    size_t word_end = p;
    while (p > 0 && LowerLocalChar(t[p - 1]) && word_end - p < 64) --p;
    while (p < word_end && (t[p] == '.' || t[p] == '-')) ++p;
    if (p == word_end) continue;
    size_t local_begin = p;
    bool local_join = false, local_marks = false;
    for (size_t k = local_begin; k < word_end; ++k) local_marks |= IsDigit(t[k]) || t[k] == '_' || t[k] == '.';
    for (int parts = 1; parts < 4; ++parts) {
      bool spelled = false;
      size_t j = JoinBack(t, local_begin, &spelled);
      if (j == std::string_view::npos) break;
      size_t q = j;
      while (q > 0 && LowerLocalChar(t[q - 1]) && j - q < 64) --q;
      if (q == j) break;
      local_begin = q;
      local_join = true;
    }
    if (WordBefore(t, local_begin)) continue;

    // Domain, forwards: label (join label){1,4}, last label a known TLD.
    size_t d = SkipSpacesFwd(t, marker_end);
    spaced = spaced || d != marker_end;
    size_t label_begin = d, first_label_end = 0, last_label_begin = d, end = d;
    int joins = 0;
    bool spelled_join = false;
    while (true) {
      size_t q = label_begin;
      while (q < n && LowerLabelChar(t[q]) && q - label_begin < 63) ++q;
      if (q == label_begin) break;
      if (first_label_end == 0) first_label_end = q;
      last_label_begin = label_begin;
      end = q;
      if (joins >= 4) break;
      bool spelled = false;
      size_t next = JoinFwd(t, q, &spelled);
      if (next == std::string_view::npos || next >= n || !LowerLabelChar(t[next])) break;
      ++joins;
      spelled_join |= spelled;
      label_begin = next;
    }
    if (joins == 0 || WordAt(t, end)) continue;
    std::string_view tld = t.substr(last_label_begin, end - last_label_begin);
    if (std::find(kTlds.begin(), kTlds.end(), tld) == kTlds.end()) continue;
    std::string_view first_label = t.substr(d, first_label_end - d);
    bool provider = std::find(kMailProviders.begin(), kMailProviders.end(), first_label) != kMailProviders.end();

    double confidence = 0;
    switch (marker) {
      case Marker::kBracket:
        confidence = kEmailMarkedConfidence;
        break;
      case Marker::kAtSign:  // a plain '@' the e-mail scanner did not take: needs spaces or a spelled dot
        if (spaced || spelled_join || local_join) confidence = kEmailMarkedConfidence;
        break;
      case Marker::kSpelled:
        // "look at example.com", "I work at yandex.ru" are not addresses; "john.doe at gmail.com",
        // "johndoe at gmail dot com" and "jd77 at example dot org" are.
        if ((spelled_join || provider) && (local_join || local_marks || (provider && spelled_join)))
          confidence = kEmailSpelledConfidence;
        // "my email is john at doe dot com"
        if (spelled_join) {
          auto [wb, we] = WindowBefore(t, local_begin);
          if (FindTerm(t, wb, we, kEmailWords, true).found()) confidence = kEmailSpelledConfidence;
        }
        break;
      case Marker::kNone:
        break;
    }
    if (confidence == 0 || !scan.Free(local_begin, end)) continue;
    PersonalDataMatch match{PersonalDataKind::kEmail, local_begin, end, confidence};
    match.obfuscated = true;
    scan.Add(match);
    m = end - 1;
  }
}

}  // namespace tribune::moderation::privacy_internal
