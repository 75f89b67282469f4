// The URL scanner (links_urls.hpp): one forward pass over the original text. At each position it tries a
// scheme ("http://", "hxxp[:]//"), then a host run: the maximal stretch of host characters and label
// separators. A run that yields no URL is skipped whole, and a URL's path is only searched for embedded
// scheme URLs, so every byte is looked at a bounded number of times.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>

#include "moderation/rules/form.hpp"  // casing
#include "moderation/rules/links_urls.hpp"

namespace tribune::moderation {
namespace {

constexpr size_t kMaxLabels = 127;
constexpr size_t kMaxHostBytes = 253;
constexpr size_t kMaxLabelBytes = 63;
constexpr size_t kMaxRawLabelBytes = 252;  // a Unicode label of up to 63 code points, before punycode
constexpr size_t kMaxAuthorityScan = 256;  // how far "user:pass@" is looked for after a scheme

// Usually a file extension when written bare: "notes.md" is a file, "evil.zip/x" still a link.
constexpr std::array<std::string_view, 14> kFileLikeTlds{"zip", "mov", "py", "sh", "md", "rs", "cc",
                                                         "so",  "ps",  "ai", "pm", "ml", "mk", "tf"};

bool IsAsciiAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(unsigned char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Case-insensitive ASCII match of the lower-case literal `lit` at s[i].
bool MatchAt(std::string_view s, size_t i, std::string_view lit) {
  if (i > s.size() || s.size() - i < lit.size()) return false;
  for (size_t k = 0; k < lit.size(); ++k) {
    if (LowerAscii(s[i + k]) != lit[k]) return false;
  }
  return true;
}

// Byte length of the host character at s[i] (ASCII letter, digit, '-', '_', or a non-ASCII letter,
// mark or digit), 0 when there is none.
size_t HostCharLen(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return IsAsciiAlnum(c) || c == '-' || c == '_' ? 1 : 0;
  casing::Decoded d = casing::Decode(s, i);
  if (d.cp == 0xFFFD) return 0;
  return casing::Classify(d.cp) != casing::Kind::kOther ? d.length : 0;
}

// A label separator at s[i]: '.' or a defanged "[.]", "(dot)"… with an optional space either side.
// Returns its byte length (0 when none) and sets *defanged for the bracketed forms.
size_t SeparatorAt(std::string_view s, size_t i, bool* defanged) {
  if (i >= s.size()) return 0;
  if (s[i] == '.') return 1;
  size_t p = i + (s[i] == ' ' ? 1 : 0);
  static constexpr std::array<std::string_view, 6> kTokens{"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}"};
  for (std::string_view token : kTokens) {
    if (!MatchAt(s, p, token)) continue;
    size_t q = p + token.size();
    if (q < s.size() && s[q] == ' ') ++q;
    *defanged = true;
    return q - i;
  }
  return 0;
}

struct Label {
  size_t begin, end;
  bool defanged_before;  // the separator before this label was "[.]" and the like
};

struct Scheme {
  std::string_view written, name;
  bool defanged;
};
constexpr std::array<Scheme, 6> kSchemes{{{"https", "https", false},
                                          {"http", "http", false},
                                          {"hxxps", "https", true},
                                          {"hxxp", "http", true},
                                          {"ftp", "ftp", false},
                                          {"fxp", "ftp", true}}};

bool AllDigits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsAsciiDigit(c); }); }
bool AllAsciiLetters(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsAsciiAlpha(c); }); }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), LowerAscii);
  return out;
}

class Scanner {
 public:
  Scanner(std::string_view s, const PublicSuffixList& psl, const UrlFinderOptions& options)
      : s_(s), n_(s.size()), psl_(psl), options_(options) {}

  std::vector<Url> Run() {
    std::vector<Url> out;
    size_t i = 0, zone_end = 0;  // inside [.., zone_end) a found URL's path runs: only schemes start there
    while (i < n_ && out.size() < options_.max_urls) {
      const auto c = static_cast<unsigned char>(s_[i]);
      if (IsAsciiAlpha(c) && (i == 0 || !IsAsciiAlnum(static_cast<unsigned char>(s_[i - 1])))) {
        if (const Scheme* scheme = nullptr; size_t after = SchemeAt(i, &scheme)) {
          Url url;
          size_t authority_end = 0;
          if (ParseSchemeUrl(i, after, *scheme, url, authority_end)) {
            zone_end = std::max(zone_end, url.end);
            out.push_back(std::move(url));
            i = authority_end;
          } else {
            i = after;
          }
          continue;
        }
      }
      if (i >= zone_end && c != '-' && c != '_' && HostCharLen(s_, i) > 0) {
        Url url;
        size_t authority_end = 0, run_end = i;
        if (ParseBareUrl(i, url, authority_end, run_end)) {
          zone_end = url.end;
          out.push_back(std::move(url));
          i = authority_end;
        } else {
          i = std::max(run_end, i + 1);
        }
        continue;
      }
      ++i;
    }
    return out;
  }

 private:
  // A scheme and its separator at i: returns the offset after "://" (0 when none).
  size_t SchemeAt(size_t i, const Scheme** scheme) {
    for (const Scheme& candidate : kSchemes) {
      if (!MatchAt(s_, i, candidate.written)) continue;
      size_t p = i + candidate.written.size();
      for (std::string_view sep : {std::string_view("://"), std::string_view("[:]//"), std::string_view("[://]")}) {
        if (MatchAt(s_, p, sep)) {
          *scheme = &candidate;
          sep_defanged_ = sep != "://";
          return p + sep.size();
        }
      }
      return 0;
    }
    return 0;
  }

  // Collects the host run at i into labels_ (at most kMaxLabels; a longer run sets too_long_). Returns
  // the end of the run's last label.
  size_t CollectRun(size_t i) {
    labels_.clear();
    too_long_ = false;
    size_t p = i, end = i;
    bool defanged = false;
    while (p < n_) {
      size_t label_begin = p;
      while (p < n_) {
        size_t k = HostCharLen(s_, p);
        if (k == 0) break;
        p += k;
      }
      if (p == label_begin) break;
      if (labels_.size() < kMaxLabels && p - label_begin <= kMaxRawLabelBytes) {
        labels_.push_back({label_begin, p, defanged});
      } else {
        too_long_ = true;
      }
      end = p;
      bool sep_defanged = false;
      size_t sep = SeparatorAt(s_, p, &sep_defanged);
      if (sep == 0 || p + sep >= n_ || HostCharLen(s_, p + sep) == 0) break;
      defanged = sep_defanged;
      p += sep;
    }
    return end;
  }

  std::string_view LabelText(size_t k) const { return s_.substr(labels_[k].begin, labels_[k].end - labels_[k].begin); }

  bool LabelValid(size_t k, bool last) const {
    std::string_view label = LabelText(k);
    if (label.front() == '-' || label.back() == '-') return false;
    if (last && label.find('_') != std::string_view::npos) return false;
    const bool ascii = std::all_of(label.begin(), label.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    return !ascii || label.size() <= kMaxLabelBytes;
  }

  // The lower-case Unicode form of label k, for suffix look-ups.
  std::string UnicodeLabel(size_t k) const {
    std::string lower = Lower(LabelText(k));
    const bool ascii = std::all_of(lower.begin(), lower.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    return ascii && lower.rfind("xn--", 0) != 0 ? lower : HostToUnicode(lower);
  }

  // Title case ("Then", "Москва"): an upper-case first letter followed by a lower-case one.
  bool TitleCase(size_t k) const {
    std::string_view label = LabelText(k);
    casing::Decoded first = casing::Decode(label, 0);
    if (casing::Classify(first.cp) != casing::Kind::kUpper) return false;
    for (size_t p = first.length; p < label.size();) {
      casing::Decoded d = casing::Decode(label, p);
      if (casing::Classify(d.cp) == casing::Kind::kLower) return true;
      p += d.length;
    }
    return false;
  }

  // Whether label k can end a host written after a scheme: a known TLD, or any name of letters (new
  // TLDs appear faster than the list is updated; look-alike TLDs must still be seen).
  bool SchemeTldOk(size_t k) const {
    std::string_view label = LabelText(k);
    if (AllAsciiLetters(label) || MatchAt(label, 0, "xn--")) return true;
    std::string unicode = UnicodeLabel(k);
    if (psl_.IsKnownTld(unicode)) return true;
    for (size_t p = 0; p < label.size();) {
      casing::Decoded d = casing::Decode(label, p);
      if (!casing::IsLetter(d.cp)) return false;
      p += d.length;
    }
    return true;
  }

  bool BareTldOk(size_t k, bool www, bool path_follows) const {
    if (!www && TitleCase(k)) return false;
    std::string unicode = UnicodeLabel(k);
    if (!psl_.IsKnownTld(unicode)) return false;
    if (www || path_follows) return true;
    return std::find(kFileLikeTlds.begin(), kFileLikeTlds.end(), unicode) == kFileLikeTlds.end();
  }

  // Fills url's host fields from labels 0..k. False when the host is not a valid name.
  bool SetHost(size_t k, Url& url) const {
    std::string raw;
    for (size_t j = 0; j <= k; ++j) {
      if (!LabelValid(j, j == k)) return false;
      if (j > 0) raw += '.';
      raw += LabelText(j);
      url.obfuscated |= labels_[j].defanged_before;
    }
    const bool ascii = std::all_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    url.host = ascii ? Lower(raw) : HostToUnicode(raw);
    url.host_unicode = ascii ? HostToUnicode(url.host) : url.host;
    url.host_ascii = ascii ? url.host : HostToAscii(url.host);
    if (url.host_ascii.size() > kMaxHostBytes) return false;
    // The suffix is found on the Unicode form (the list is written in Unicode); its label count carries
    // over to `host`, which has the same labels.
    const size_t suffix = psl_.SuffixLabels(url.host_unicode);
    const size_t labels = static_cast<size_t>(std::count(url.host.begin(), url.host.end(), '.')) + 1;
    if (suffix < labels) {
      size_t start = 0;
      for (size_t skip = labels - suffix - 1; skip > 0; --skip) start = url.host.find('.', start) + 1;
      url.registrable_domain = url.host.substr(start);
    }
    return true;
  }

  bool SetIpv4FromLabels(size_t count, Url& url) const {
    if (count != 4) return false;
    std::string host;
    for (size_t j = 0; j < 4; ++j) {
      std::string_view label = LabelText(j);
      if (!AllDigits(label) || label.size() > 3 || std::stoi(std::string(label)) > 255) return false;
      if (j > 0) host += '.';
      host += label;
      url.obfuscated |= labels_[j].defanged_before;
    }
    url.host = url.host_ascii = url.host_unicode = host;
    url.is_ip = true;
    return true;
  }

  // ":port" then a path/query/fragment from p. Returns the end of the URL; sets authority_end.
  size_t ParseTail(size_t p, Url& url, size_t& authority_end) const {
    if (p + 1 < n_ && s_[p] == ':' && IsAsciiDigit(static_cast<unsigned char>(s_[p + 1]))) {
      size_t q = p + 1;
      while (q < n_ && IsAsciiDigit(static_cast<unsigned char>(s_[q])) && q - p <= 6) ++q;
      const bool word_follows = q < n_ && (IsAsciiAlnum(static_cast<unsigned char>(s_[q])) || s_[q] == '_');
      if (q - p - 1 <= 5 && std::stoul(std::string(s_.substr(p + 1, q - p - 1))) <= 65535 && !word_follows) {
        url.port = std::string(s_.substr(p + 1, q - p - 1));
        p = q;
      }
    }
    authority_end = p;
    if (p >= n_ || (s_[p] != '/' && s_[p] != '?' && s_[p] != '#')) return p;
    size_t q = p;
    // Bracket balance over the path, kept up to date while trimming (no rescans).
    int open[3] = {0, 0, 0}, close[3] = {0, 0, 0};
    auto bracket = [](char c, bool opening) { return std::string_view(opening ? "([{" : ")]}").find(c); };
    while (q < n_ && q - p < options_.max_path_bytes) {
      const auto c = static_cast<unsigned char>(s_[q]);
      if (c < 0x80) {
        if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '`') break;
        if (size_t b = bracket(static_cast<char>(c), true); b != std::string_view::npos) ++open[b];
        if (size_t b = bracket(static_cast<char>(c), false); b != std::string_view::npos) ++close[b];
        ++q;
        continue;
      }
      casing::Decoded d = casing::Decode(s_, q);
      if (d.cp == 0xFFFD || casing::Classify(d.cp) == casing::Kind::kOther) break;
      q += d.length;
    }
    while (q > p) {
      const char last = s_[q - 1];
      size_t b = bracket(last, false);
      if (std::string_view(".,:;!?'*").find(last) != std::string_view::npos) {
        --q;
      } else if (b != std::string_view::npos && close[b] > open[b]) {
        --close[b];
        --q;
      } else {
        break;
      }
    }
    url.path = std::string(s_.substr(p, q - p));
    return q;
  }

  bool ParseSchemeUrl(size_t start, size_t after, const Scheme& scheme, Url& url, size_t& authority_end) {
    url.begin = start;
    url.scheme = std::string(scheme.name);
    url.obfuscated = scheme.defanged || sep_defanged_;
    // User-info: the last '@' before the end of the authority.
    size_t h = after, at = std::string_view::npos;
    for (size_t q = after; q < n_ && q - after < kMaxAuthorityScan; ++q) {
      const auto c = static_cast<unsigned char>(s_[q]);
      if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '<' || c == '>' || c == '"' || c == '`') break;
      if (c == '@') at = q;
    }
    if (at != std::string_view::npos && at > after && at + 1 < n_ &&
        (s_[at + 1] == '[' || HostCharLen(s_, at + 1) > 0)) {
      url.userinfo = std::string(s_.substr(after, at - after));
      url.has_userinfo = true;
      h = at + 1;
    }
    if (h >= n_) return false;
    size_t p = 0;
    if (s_[h] == '[') {  // IPv6
      size_t close = s_.substr(h, 66).find(']');  // bounded: an IPv6 literal is at most 45 bytes
      if (close == std::string_view::npos) return false;
      close += h;
      std::string_view inner = s_.substr(h + 1, close - h - 1);
      if (std::count(inner.begin(), inner.end(), ':') < 2 ||
          !std::all_of(inner.begin(), inner.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }))
        return false;
      url.host = url.host_ascii = url.host_unicode = Lower(inner);
      url.is_ip = true;
      p = close + 1;
    } else {
      const size_t run_end = CollectRun(h);
      if (labels_.empty() || too_long_) return false;
      const size_t count = labels_.size();
      if (count == 1 && AllDigits(LabelText(0)) && LabelText(0).size() <= 10) {  // "http://3232235777/"
        const uint64_t v = std::stoull(std::string(LabelText(0)));
        if (v > 0xFFFFFFFFull) return false;
        url.host = std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) +
                   "." + std::to_string(v & 255);
        url.host_ascii = url.host_unicode = url.host;
        url.is_ip = true;
        p = run_end;
      } else if (AllDigits(LabelText(count - 1))) {
        if (!SetIpv4FromLabels(count, url)) return false;
        p = run_end;
      } else {
        size_t k = count;
        while (k-- > 0 && !SchemeTldOk(k)) {}
        if (k >= count || !SetHost(k, url)) return false;
        p = labels_[k].end;
        if (k + 1 < count) {  // shortened: what follows is a separator, not a port or path
          authority_end = url.end = p;
          return true;
        }
      }
    }
    url.end = ParseTail(p, url, authority_end);
    return true;
  }

  // '@', "[at]", "(at)", "{at}" or "<at>" right before i, up to two spaces between.
  bool AfterAtMarker(size_t i) const {
    size_t p = i;
    for (int k = 0; k < 2 && p > 0 && s_[p - 1] == ' '; ++k) --p;
    if (p > 0 && s_[p - 1] == '@') return true;
    if (p < 4) return false;
    for (std::string_view marker : {"[at]", "(at)", "{at}", "<at>"}) {
      if (MatchAt(s_, p - 4, marker)) return true;
    }
    return false;
  }

  bool ParseBareUrl(size_t i, Url& url, size_t& authority_end, size_t& run_end) {
    run_end = CollectRun(i);
    if (labels_.size() < 2 || too_long_) return false;
    if (i > 0 && (s_[i - 1] == '/' || s_[i - 1] == '\\')) return false;  // a file path
    if (AfterAtMarker(i)) return false;  // the domain of an e-mail address, also "anna (at) gmail (dot) com"
    if (run_end < n_ && s_[run_end] == '@') return false;  // the local part of an e-mail address
    url.begin = i;
    const size_t count = labels_.size();
    if (AllDigits(LabelText(count - 1))) {  // IPv4 needs a port or a path to be more than a version number
      if (!SetIpv4FromLabels(count, url)) return false;
      url.bare = true;
      url.end = ParseTail(run_end, url, authority_end);
      return !url.port.empty() || !url.path.empty();
    }
    const bool www = count >= 3 && MatchAt(LabelText(0), 0, "www") && labels_[0].end - labels_[0].begin == 3;
    const bool path_follows = run_end < n_ && s_[run_end] == '/';
    size_t k = count;
    while (k-- > (www ? 2 : 1) && !BareTldOk(k, www, path_follows && k == count - 1)) {}
    if (k >= count || k < (www ? 2u : 1u) || !SetHost(k, url)) return false;
    url.bare = !www;
    if (k + 1 < count) {
      authority_end = url.end = labels_[k].end;
      return true;
    }
    url.end = ParseTail(run_end, url, authority_end);
    return true;
  }

  std::string_view s_;
  size_t n_;
  const PublicSuffixList& psl_;
  const UrlFinderOptions& options_;
  std::vector<Label> labels_;
  bool too_long_ = false;
  bool sep_defanged_ = false;
};

}  // namespace

UrlFinder::UrlFinder(std::shared_ptr<const PublicSuffixList> psl, UrlFinderOptions options)
    : psl_(std::move(psl)), options_(options) {}

namespace {

// Whether `text` may hold a URL at all: a scheme needs its ':' ("://", "[:]//"), a host without one needs
// a label separator, which is a '.' or a defanged token holding a '.' or "dot" ("[.]", "(dot)"). Two
// memchr-speed searches then spare the scanner's per-character work on texts without either.
bool MayHoldUrl(std::string_view text) {
  if (text.find_first_of(".:") != std::string_view::npos) return true;
  for (size_t i = text.find_first_of("dD"); i != std::string_view::npos; i = text.find_first_of("dD", i + 1)) {
    if (i + 2 < text.size() && LowerAscii(text[i + 1]) == 'o' && LowerAscii(text[i + 2]) == 't') return true;
  }
  return false;
}

}  // namespace

std::vector<Url> UrlFinder::Find(std::string_view text) const {
  if (!MayHoldUrl(text)) return {};
  std::vector<Url> urls = Scanner(text, *psl_, options_).Run();
  // Embedded URLs start inside an earlier URL's path; the scan found them in order, so they are sorted.
  return urls;
}

}  // namespace tribune::moderation
