// The public suffix list, IDNA conversions (ICU UTS #46), IP address classes and URL keys for links_urls.
//
// The list is parsed here rather than through libpsl: the format is a few lines of rules, the lookup is
// a handful of hash probes, and parsing the text file ourselves keeps the path configurable
// (moderation.public_suffix_list) without another -dev package or libpsl's DAFSA build step. Debian's
// publicsuffix package ships the text file.
#include <unicode/uidna.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "moderation/rules/links_urls.hpp"

namespace tribune::moderation {
namespace {

constexpr std::array<std::string_view, 4> kReservedTlds{"test", "example", "invalid", "localhost"};

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool HasPunycodeLabel(std::string_view lower) {
  return lower.rfind("xn--", 0) == 0 || lower.find(".xn--") != std::string_view::npos;
}

// One UTS #46 converter for the process; ICU's IDNA functions are thread-safe on a const UIDNA.
const UIDNA* Idna() {
  static const UIDNA* idna = [] {
    UErrorCode status = U_ZERO_ERROR;
    UIDNA* p = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE, &status);
    return U_SUCCESS(status) ? p : nullptr;
  }();
  return idna;
}

std::string IdnaConvert(std::string_view host, bool to_ascii) {
  const UIDNA* idna = Idna();
  if (idna == nullptr || host.empty() || host.size() > 1024) return AsciiLower(host);
  std::string out(host.size() * 4 + 64, '\0');
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode status = U_ZERO_ERROR;
  const int32_t n =
      to_ascii ? uidna_nameToASCII_UTF8(idna, host.data(), static_cast<int32_t>(host.size()), out.data(),
                                        static_cast<int32_t>(out.size()), &info, &status)
               : uidna_nameToUnicodeUTF8(idna, host.data(), static_cast<int32_t>(host.size()), out.data(),
                                         static_cast<int32_t>(out.size()), &info, &status);
  if (U_FAILURE(status) || info.errors != 0 || n <= 0 || static_cast<size_t>(n) > out.size()) {
    return AsciiLower(host);
  }
  out.resize(static_cast<size_t>(n));
  return out;
}

bool ParseIpv4(std::string_view s, std::array<unsigned, 4>& out) {
  size_t part = 0, i = 0;
  while (part < 4) {
    size_t start = i;
    unsigned value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) value = value * 10 + unsigned(s[i++] - '0');
    if (i == start || value > 255) return false;
    out[part++] = value;
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

std::string DefaultPublicSuffixListPath() { return "/usr/share/publicsuffix/public_suffix_list.dat"; }

std::shared_ptr<const PublicSuffixList> PublicSuffixList::Parse(std::string_view contents) {
  auto list = std::make_shared<PublicSuffixList>();
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t eol = contents.find('\n', pos);
    if (eol == std::string_view::npos) eol = contents.size();
    std::string_view line = contents.substr(pos, eol - pos);
    pos = eol + 1;
    // A rule is the line's first white-space-free run; "//" starts a comment line.
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos || line.compare(b, 2, "//") == 0) continue;
    size_t e = line.find_first_of(" \t\r", b);
    std::string rule = AsciiLower(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    Set* target = &list->rules_;
    if (rule.rfind("!", 0) == 0) {
      rule.erase(0, 1);
      target = &list->exceptions_;
    } else if (rule.rfind("*.", 0) == 0) {
      rule.erase(0, 2);
      target = &list->wildcards_;
    }
    if (rule.empty() || rule.find('*') != std::string::npos || rule.front() == '.' || rule.back() == '.') continue;
    size_t dot = rule.rfind('.');
    list->tlds_.insert(dot == std::string::npos ? rule : rule.substr(dot + 1));
    target->insert(std::move(rule));
  }
  return list;
}

Result<std::shared_ptr<const PublicSuffixList>> PublicSuffixList::Load(const std::string& path_in) {
  const std::string path = path_in.empty() ? DefaultPublicSuffixListPath() : path_in;
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const PublicSuffixList>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    return MakeError(ErrorCode::kUnavailable, "public suffix list " + path +
                                                  " cannot be read (install Debian's publicsuffix package, or set "
                                                  "moderation.public_suffix_list)");
  }
  auto list = Parse(text.str());
  if (list->rules_.empty()) {
    return MakeError(ErrorCode::kUnavailable, "public suffix list " + path + " has no rules");
  }
  cache.emplace(path, list);
  return list;
}

size_t PublicSuffixList::SuffixLabels(std::string_view host) const {
  if (host.empty()) return 0;
  std::array<size_t, 128> starts{};
  size_t k = 0;
  starts[k++] = 0;
  for (size_t i = 0; i < host.size() && k < starts.size(); ++i) {
    if (host[i] == '.') starts[k++] = i + 1;
  }
  // Longest suffix first: the first rule that matches is the prevailing one; an exception at the same
  // length beats a wildcard and removes the rule's leftmost label.
  for (size_t j = 0; j < k; ++j) {
    std::string_view suffix = host.substr(starts[j]);
    if (exceptions_.find(suffix) != exceptions_.end()) return k - j - 1;
    if (rules_.find(suffix) != rules_.end()) return k - j;
    if (j + 1 < k && wildcards_.find(host.substr(starts[j + 1])) != wildcards_.end()) return k - j;
  }
  return 1;
}

std::string_view PublicSuffixList::RegistrableDomain(std::string_view host) const {
  const size_t suffix = SuffixLabels(host);
  size_t labels = host.empty() ? 0 : 1 + static_cast<size_t>(std::count(host.begin(), host.end(), '.'));
  if (suffix >= labels) return {};
  // Start of the label before the suffix: skip (labels - suffix - 1) dots from the left.
  size_t start = 0;
  for (size_t skip = labels - suffix - 1; skip > 0; --skip) start = host.find('.', start) + 1;
  return host.substr(start);
}

bool PublicSuffixList::IsKnownTld(std::string_view label) const {
  if (tlds_.find(label) != tlds_.end()) return true;
  return std::find(kReservedTlds.begin(), kReservedTlds.end(), label) != kReservedTlds.end();
}

std::string HostToAscii(std::string_view host) {
  if (IsAscii(host)) return AsciiLower(host);
  return IdnaConvert(host, /*to_ascii=*/true);
}

std::string HostToUnicode(std::string_view host) {
  std::string lower = AsciiLower(host);
  if (IsAscii(host) && !HasPunycodeLabel(lower)) return lower;
  return IdnaConvert(host, /*to_ascii=*/false);
}

bool IsNonPublicIp(std::string_view ip) {
  std::array<unsigned, 4> a{};
  if (ParseIpv4(ip, a)) {
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 || (a[0] == 100 && (a[1] & 0xC0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168);
  }
  if (ip.find(':') == std::string_view::npos) return false;
  std::string v6 = AsciiLower(ip);
  if (v6 == "::" || v6 == "::1") return true;
  if (v6.rfind("::ffff:", 0) == 0) return IsNonPublicIp(std::string_view(v6).substr(7));
  if (v6.size() >= 2 && (v6.compare(0, 2, "fc") == 0 || v6.compare(0, 2, "fd") == 0 || v6.compare(0, 2, "ff") == 0))
    return true;
  return v6.size() >= 3 && v6.compare(0, 2, "fe") == 0 && v6[2] >= '8' && v6[2] <= 'b';
}

std::string UrlKey(const Url& url) {
  std::string key = url.host_ascii.find(':') != std::string::npos ? "[" + url.host_ascii + "]" : url.host_ascii;
  const bool default_port = url.port.empty() || (url.port == "80" && (url.scheme == "http" || url.scheme.empty())) ||
                            (url.port == "443" && url.scheme == "https") || (url.port == "21" && url.scheme == "ftp");
  if (!default_port) key += ":" + url.port;
  std::string_view path = url.path;
  path = path.substr(0, path.find('#'));
  if (path.empty() || path.front() != '/') key += '/';
  key += path;
  return key;
}

}  // namespace tribune::moderation
