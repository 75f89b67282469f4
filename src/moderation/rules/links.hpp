// Rule "malware_links": links to malware and phishing. Every URL the finder (links_urls.hpp) sees is
// weighed on its own; one signal per distinct URL (UrlKey), spans = every place it is written.
//
// Evidence and confidences (shipped policy: weight 14, score = 14 × (strongest + 0.25 × others),
// hold at 4, reject at 8):
//   1.0  the URL, its host, or a parent domain of the host is on a blocklist        → 14    reject
//   0.6  http(s) user-info trick, "http://paypal.com@evil.example/"                 → 8.4   reject
//   0.6  mixed-script host label (Latin with Cyrillic/Greek/Armenian: "раураl.com") → 8.4   reject
//   0.5  whole-script look-alike: a Cyrillic/Greek label that reads as Latin under
//        a Latin TLD ("аррӏе.com"; could be a real Russian word, so a moderator looks) → 7     hold
//   0.5  a direct download of an executable or script: .exe .scr .msi .apk .bat .cmd .ps1
//        .vbs .vbe .jar .dmg .hta .pif .wsf .cpl .msix .appx, or .js .zip .rar .7z .iso
//        with a download hint (in the path, or "download"/"install"/"crack"… just before) → 7   hold
//   0.45 a raw public IP address (loopback, private and link-local addresses are router advice, not
//        malware, and are skipped; documentation ranges count as public)              → 6.3   hold
//   0.2  user name or password in an ftp link                                          → 2.8   publish
//   0.25 a general-purpose URL shortener (data/links/shorteners.txt): the destination is hidden, but
//        that alone is no reason to hold; it adds to other evidence                   → 3.5   publish
// Reasons of one URL combine like the policy does: strongest + 0.25 × the others (raw IP + .exe =
// 0.61 → reject). Several suspicious URLs add up the same way across signals.
//
// Blocklists (all files of a directory plus extra files; the format is read from the content):
//   - URLhaus CSV: '#' comment lines, then rows "id","dateadded","url","url_status",…: the url column
//     (third) is parsed by the URL finder and matched by UrlKey; its host is listed too (exact host,
//     not subdomains), except on shared hosting (data/links/shared_hosts.txt: github.com, discord's CDN…)
//     where only the exact URL counts.
//   - hosts: "0.0.0.0 domain", "127.0.0.1 domain" (several names after the address allowed) or one bare
//     domain per line, '#' comments. A listed domain covers its subdomains.
// A line that fits neither is skipped and counted (BlocklistFileStats::malformed); localhost and the
// like in hosts files are ignored without counting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"
#include "moderation/rules/links_urls.hpp"

namespace tribune::moderation {

struct BlocklistFileStats {
  std::string source;    // the file name (or the name given to AddText)
  std::string format;    // "urlhaus-csv" or "hosts"
  size_t urls = 0;       // URL entries (URLhaus)
  size_t hosts = 0;      // host/domain entries
  size_t malformed = 0;  // lines skipped
};

class Blocklist {
 public:
  enum class MatchKind { kNone, kUrl, kHost, kParentDomain, kUrlHost };
  struct Match {
    MatchKind kind = MatchKind::kNone;
    std::string entry;   // what was listed: the URL key, the host or the parent domain
    std::string source;  // the file that listed it
  };

  // `shared_hosts`: domains whose URLs in a URL feed list only themselves (see above).
  explicit Blocklist(std::vector<std::string> shared_hosts = {});

  // Every regular file of `dir` (sorted; dotfiles, README* and *.md skipped) and then `files`.
  // `dir` may be "" (no directory). Errors: kUnavailable naming the directory or file that cannot be read.
  static Result<Blocklist> Load(const std::string& dir, const std::vector<std::string>& files, const UrlFinder& finder,
                                std::vector<std::string> shared_hosts = {});
  // Adds one list from its text; `source` names it in matches and stats.
  const BlocklistFileStats& AddText(std::string_view contents, const std::string& source, const UrlFinder& finder);
  Result<void> AddFile(const std::string& path, const UrlFinder& finder);

  Match Find(const Url& url) const;
  const std::vector<BlocklistFileStats>& stats() const { return stats_; }
  size_t size() const { return urls_.size() + hosts_.size() + url_hosts_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, uint16_t, Hash, std::equal_to<>>;  // entry → source index
  bool Shared(std::string_view host) const;

  Map urls_, hosts_, url_hosts_;
  std::unordered_set<std::string, Hash, std::equal_to<>> shared_hosts_;
  std::vector<std::string> sources_;
  std::vector<BlocklistFileStats> stats_;
};

// The source tree's data/blocklists and data/links (for development and tests, like DefaultLexiconDir).
std::string DefaultBlocklistDir();
std::string DefaultLinksDataDir();

struct LinksOptions {
  std::string blocklist_dir;             // "": DefaultBlocklistDir(); "none": no directory
  std::vector<std::string> blocklists;   // extra list files
  std::string public_suffix_list;        // "": DefaultPublicSuffixListPath()
  std::string links_data_dir;            // shorteners.txt and shared_hosts.txt; "": DefaultLinksDataDir()
};

class LinksDetector final : public Detector {
 public:
  // Errors: kUnavailable naming the public suffix list, a blocklist file or directory, or a data file
  // that cannot be read.
  static Result<std::unique_ptr<LinksDetector>> Load(const LinksOptions& options = {});
  LinksDetector(UrlFinder finder, Blocklist blocklist, std::vector<std::string> shorteners);
  ~LinksDetector() override;

  std::string_view Name() const override { return "links"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

  // Why one URL of `text` is suspicious: the combined confidence (0 when it is not) and the reasons.
  struct Assessment {
    double confidence = 0;
    std::string detail;
  };
  Assessment Assess(const Url& url, std::string_view text) const;

  const Blocklist& blocklist() const { return blocklist_; }
  const UrlFinder& finder() const { return finder_; }

 private:
  struct Skeleton;  // ICU confusable skeletons (uspoof)
  bool IsShortener(std::string_view host_ascii) const;
  // "mixed-script host …" / "look-alike host …" with its confidence, or confidence 0.
  Assessment LookAlike(const Url& url) const;

  UrlFinder finder_;
  Blocklist blocklist_;
  std::unordered_set<std::string> shorteners_;
  std::unique_ptr<Skeleton> skeleton_;
};

}  // namespace tribune::moderation
