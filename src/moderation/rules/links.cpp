// Rule "malware_links": LinksDetector (see links.hpp for the evidence and its confidences).
#include "moderation/rules/links.hpp"

#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "common/log.hpp"
#include "moderation/rules/form.hpp"  // casing

namespace tribune::moderation {
namespace {

constexpr double kListed = 1.0;
constexpr double kUserinfoTrick = 0.6;
constexpr double kFtpUserinfo = 0.2;
constexpr double kMixedScript = 0.6;
constexpr double kWholeScriptLookAlike = 0.5;
constexpr double kExecutable = 0.5;
constexpr double kRawIp = 0.45;
constexpr double kShortener = 0.25;
constexpr size_t kHintWindow = 80;  // bytes before a link searched for "download" and the like

constexpr std::array<std::string_view, 17> kExecutableExtensions{
    "exe", "scr", "msi", "apk", "bat", "cmd", "ps1", "vbs", "vbe", "jar", "dmg", "hta", "pif", "wsf", "cpl", "msix", "appx"};
// Archives and scripts are ordinary downloads too; they count only with a hint of a download.
constexpr std::array<std::string_view, 5> kWeakExtensions{"js", "zip", "rar", "7z", "iso"};
constexpr std::array<std::string_view, 10> kPathHints{"download", "dl=", "/dl/", "attachment", "crack", "keygen",
                                                      "setup", "install", "payload", "/get/"};
constexpr std::array<std::string_view, 12> kTextHints{"download", "install", "run this", "run it", "unzip", "extract",
                                                      "crack", "keygen", "скача", "установ", "télécharg", "descarg"};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

template <size_t N>
bool ContainsAny(std::string_view haystack, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return haystack.find(n) != std::string_view::npos; });
}

// "setup.exe" when the last path segment is an executable (or, with a download hint, an archive or
// script); "" otherwise.
std::string ExecutableFile(const Url& url, std::string_view text) {
  std::string_view path = url.path;
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  std::string_view file = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  const size_t dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == file.size()) return {};
  const std::string ext = AsciiLower(file.substr(dot + 1));
  if (std::find(kExecutableExtensions.begin(), kExecutableExtensions.end(), ext) != kExecutableExtensions.end()) {
    return std::string(file);
  }
  if (std::find(kWeakExtensions.begin(), kWeakExtensions.end(), ext) == kWeakExtensions.end()) return {};
  const size_t from = url.begin > kHintWindow ? url.begin - kHintWindow : 0;
  if (ContainsAny(AsciiLower(url.path), kPathHints) || ContainsAny(AsciiLower(text.substr(from, url.begin - from)), kTextHints)) {
    return std::string(file);
  }
  return {};
}

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  *ok = static_cast<bool>(in) && static_cast<bool>(text << in.rdbuf());
  return text.str();
}

// One domain a line, '#' comments, lower-cased and in ASCII form.
std::vector<std::string> ReadDomainList(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    out.push_back(HostToAscii(line.substr(b, e - b + 1)));
  }
  return out;
}

}  // namespace

std::string DefaultBlocklistDir() { return std::string(TRIBUNE_SOURCE_DIR) + "/data/blocklists"; }
std::string DefaultLinksDataDir() { return std::string(TRIBUNE_SOURCE_DIR) + "/data/links"; }

// The ICU spoof checker: skeletons per code point tell which Cyrillic or Greek letters read as Latin.
// uspoof_getSkeleton on a const checker is thread-safe (ICU's documented rule for USpoofChecker).
struct LinksDetector::Skeleton {
  USpoofChecker* checker = nullptr;
  Skeleton() {
    UErrorCode status = U_ZERO_ERROR;
    checker = uspoof_open(&status);
    if (U_FAILURE(status)) checker = nullptr;
  }
  ~Skeleton() {
    if (checker != nullptr) uspoof_close(checker);
  }
  // The skeleton of one UTF-8 code point, or "" when ICU has none.
  std::string Of(std::string_view cp) const {
    if (checker == nullptr) return {};
    char buf[64];
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = uspoof_getSkeletonUTF8(checker, 0, cp.data(), static_cast<int32_t>(cp.size()), buf, sizeof buf, &status);
    if (U_FAILURE(status) || n <= 0 || n > static_cast<int32_t>(sizeof buf)) return {};
    return std::string(buf, static_cast<size_t>(n));
  }
};

LinksDetector::LinksDetector(UrlFinder finder, Blocklist blocklist, std::vector<std::string> shorteners)
    : finder_(std::move(finder)), blocklist_(std::move(blocklist)), skeleton_(std::make_unique<Skeleton>()) {
  for (std::string& s : shorteners) shorteners_.insert(HostToAscii(s));
}

LinksDetector::~LinksDetector() = default;

Result<std::unique_ptr<LinksDetector>> LinksDetector::Load(const LinksOptions& options) {
  auto psl = PublicSuffixList::Load(options.public_suffix_list);
  if (!psl.ok()) return std::move(psl).error();
  UrlFinder finder(std::move(psl).value());

  const std::string data_dir = options.links_data_dir.empty() ? DefaultLinksDataDir() : options.links_data_dir;
  std::vector<std::string> lists[2];
  const char* names[2] = {"shorteners.txt", "shared_hosts.txt"};
  for (int k = 0; k < 2; ++k) {
    const std::string path = data_dir + "/" + names[k];
    bool ok = false;
    std::string text = ReadFile(path, &ok);
    if (!ok) return MakeError(ErrorCode::kUnavailable, "link data file " + path + " cannot be read");
    lists[k] = ReadDomainList(text);
  }

  std::string dir = options.blocklist_dir.empty() ? DefaultBlocklistDir() : options.blocklist_dir;
  if (dir == "none") dir.clear();
  auto blocklist = Blocklist::Load(dir, options.blocklists, finder, std::move(lists[1]));
  if (!blocklist.ok()) return std::move(blocklist).error();
  for (const BlocklistFileStats& s : blocklist->stats()) {
    std::string fields = "\"file\":\"" + log::JsonEscape(s.source) + "\",\"format\":\"" + s.format +
                         "\",\"urls\":" + std::to_string(s.urls) + ",\"hosts\":" + std::to_string(s.hosts) +
                         ",\"malformed\":" + std::to_string(s.malformed);
    if (s.malformed > 0) {
      log::Warn("blocklist has malformed lines (skipped)", fields);
    } else {
      log::Info("blocklist loaded", fields);
    }
  }
  return std::make_unique<LinksDetector>(std::move(finder), std::move(blocklist).value(), std::move(lists[0]));
}

bool LinksDetector::IsShortener(std::string_view host) const {
  for (size_t p = 0; p != std::string_view::npos;) {
    if (shorteners_.count(std::string(host.substr(p))) > 0) return true;
    p = host.find('.', p);
    if (p != std::string_view::npos) ++p;
  }
  return false;
}

LinksDetector::Assessment LinksDetector::LookAlike(const Url& url) const {
  const std::string& host = url.host_unicode;
  if (url.is_ip || IsAscii(host)) return {};
  const size_t labels = static_cast<size_t>(std::count(host.begin(), host.end(), '.')) + 1;
  const size_t suffix = finder_.psl().SuffixLabels(host);
  const std::string_view tld = std::string_view(host).substr(host.rfind('.') == std::string::npos ? 0 : host.rfind('.') + 1);
  const bool known_tld = finder_.psl().IsKnownTld(tld);
  bool mixed = false, whole = false;
  std::string reads_as;  // the host with every look-alike letter replaced by the Latin one it imitates
  size_t index = 0;
  for (size_t b = 0; b <= host.size(); ++index) {
    size_t e = std::min(host.find('.', b), host.size());
    std::string_view label = std::string_view(host).substr(b, e - b);
    // The registry's own labels (a known suffix such as "рф") are not the author's choice.
    const bool check = !IsAscii(label) && (index + suffix < labels || !known_tld);
    bool latin = false, other = false, confusable_only = true;
    std::string read;
    for (size_t p = 0; p < label.size();) {
      casing::Decoded d = casing::Decode(label, p);
      std::string_view cp = label.substr(p, d.length);
      p += d.length;
      if (d.cp < 0x80) {
        read += cp;
        latin |= (d.cp | 0x20) >= 'a' && (d.cp | 0x20) <= 'z';
        continue;
      }
      UErrorCode status = U_ZERO_ERROR;
      const UScriptCode script = uscript_getScript(static_cast<UChar32>(d.cp), &status);
      latin |= script == USCRIPT_LATIN;
      other |= script == USCRIPT_CYRILLIC || script == USCRIPT_GREEK || script == USCRIPT_ARMENIAN;
      std::string sk = check ? skeleton_->Of(cp) : std::string();
      const bool ascii_reading = !sk.empty() && IsAscii(sk) && std::all_of(sk.begin(), sk.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      });
      confusable_only &= ascii_reading && script != USCRIPT_LATIN;
      read += ascii_reading ? AsciiLower(sk) : std::string(cp);
    }
    if (check) {
      mixed |= latin && other;
      whole |= !latin && other && confusable_only && IsAscii(tld);
    }
    if (index > 0) reads_as += '.';
    reads_as += read;
    if (e >= host.size()) break;
    b = e + 1;
  }
  if (!mixed && !whole) return {};
  return {mixed ? kMixedScript : kWholeScriptLookAlike,
          std::string(mixed ? "mixed-script host " : "look-alike host ") + host + " (reads as " + reads_as + ")"};
}

LinksDetector::Assessment LinksDetector::Assess(const Url& url, std::string_view text) const {
  std::vector<std::pair<double, std::string>> reasons;
  Blocklist::Match listed = blocklist_.Find(url);
  switch (listed.kind) {
    case Blocklist::MatchKind::kUrl:
      reasons.emplace_back(kListed, "blocklisted URL (" + listed.source + ")");
      break;
    case Blocklist::MatchKind::kHost:
      reasons.emplace_back(kListed, "blocklisted host " + listed.entry + " (" + listed.source + ")");
      break;
    case Blocklist::MatchKind::kParentDomain:
      reasons.emplace_back(kListed, "host under blocklisted domain " + listed.entry + " (" + listed.source + ")");
      break;
    case Blocklist::MatchKind::kUrlHost:
      reasons.emplace_back(kListed, "host of a blocklisted malware URL " + listed.entry + " (" + listed.source + ")");
      break;
    case Blocklist::MatchKind::kNone:
      break;
  }
  if (url.has_userinfo) {
    if (url.scheme == "ftp") {
      reasons.emplace_back(kFtpUserinfo, "user name in an ftp link");
    } else {
      reasons.emplace_back(kUserinfoTrick, "user-info trick: \"" + url.userinfo + "@\" before the real host " + url.host);
    }
  }
  if (Assessment look = LookAlike(url); look.confidence > 0) reasons.emplace_back(look.confidence, look.detail);
  if (std::string file = ExecutableFile(url, text); !file.empty()) {
    reasons.emplace_back(kExecutable, "direct download of an executable or script: " + file);
  }
  if (url.is_ip && !IsNonPublicIp(url.host)) reasons.emplace_back(kRawIp, "link to a raw IP address " + url.host);
  if (!url.is_ip && IsShortener(url.host_ascii)) reasons.emplace_back(kShortener, "URL shortener " + url.host + " hides the destination");
  if (reasons.empty()) return {};
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  Assessment out;
  out.confidence = reasons.front().first;
  for (size_t k = 0; k < reasons.size(); ++k) {
    if (k > 0) {
      out.confidence += 0.25 * reasons[k].first;
      out.detail += "; ";
    }
    out.detail += reasons[k].second;
  }
  out.confidence = std::min(1.0, out.confidence);
  return out;
}

void LinksDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    const std::string_view text = input.views.original;
    // Cheap exit: every form the finder reads has a '.', a defanged dot ("[.]", "(dot)") or "://".
    if (text.find_first_of(".[({:") == std::string_view::npos) return;
    std::unordered_map<std::string, size_t> by_key;  // UrlKey → index in `out`
    for (const Url& url : finder_.Find(text)) {
      Assessment a = Assess(url, text);
      if (a.confidence <= 0) continue;
      auto [it, inserted] = by_key.emplace(UrlKey(url), out.size());
      if (!inserted) {
        out[it->second].spans.emplace_back(url.begin, url.end);
        continue;
      }
      Signal sig;
      sig.rule = "malware_links";
      sig.confidence = a.confidence;
      sig.detail = std::move(a.detail);
      sig.spans.emplace_back(url.begin, url.end);
      out.push_back(std::move(sig));
    }
  } catch (...) {
    // Out of memory is the only way here; a detector must not throw.
  }
}

}  // namespace tribune::moderation
