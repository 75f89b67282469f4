// Finding links in comment text, for the link rules ("malware_links" now, promotion and advertising
// later): a linkify-style scanner that also reads the spellings people use to slip links past filters,
// and the public suffix list that tells a registrable domain ("bbc.co.uk") from its suffix ("co.uk").
//
// What counts as a link (ASCII case-insensitive):
//   - a scheme: http://, https://, ftp://, and the defanged hxxp://, hxxps://, fxp://, also with
//     "[:]//" or "[://]" for "://";
//   - "www." + a host whose top-level label is a known suffix;
//   - a bare host ("evil.example", "shop.ru/sale") whose top-level label is a known suffix: a TLD of the
//     public suffix list or a reserved name (test, example, invalid, localhost). Not taken bare: a host
//     right after '@', "[at]" or "(at)", or right before '@' (e-mail addresses, defanged ones too,
//     belong to the privacy rule); after '/' or '\\' (file paths); a title-case last label ("agree.Then":
//     a sentence missing its space); a last label that is usually a file extension (zip, mov, py, sh, md,
//     rs, cc, so, ps, ai, pm, ml, mk, tf) unless a path follows ("notes.md" is a file name, "evil.zip/x"
//     a link); an IPv4 address without a port or a path ("1.2.3.4" may be a version number).
// Label separators: '.', and the defanged "[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", each with an
// optional space either side ("evil [dot] example"). A spelled " dot " is not read (too many sentences).
// Hosts: letters of any script (IDN, lower-cased; "xn--" labels decoded for `host_unicode`), IPv4,
// bracketed IPv6 ("http://[2001:db8::1]/") and, after a scheme, a decimal IPv4 ("http://3232235777/").
// After the host: ":port" (1–5 digits, ≤ 65535), and a path/query/fragment up to white space or one of
// < > " ` and non-ASCII punctuation (« » “ ” — …). Trailing . , : ; ! ? ' * are trimmed, and so is a
// closing ) ] } with no opening partner inside the URL: "(see https://x.example/a_(b))." keeps "a_(b)".
// "user@" or "user:pass@" before the host after a scheme is user-info ("http://paypal.com@evil.example/").
// A scheme URL inside another URL's path or query ("https://web.archive.org/web/1/https://evil.example/",
// "?url=http://evil.example") is reported too, after the outer one.
//
// Bounds: at most `max_urls` URLs per text (the scan stops there), hosts of at most 253 bytes and 127
// labels, paths cut at `max_path_bytes`. Every byte is examined a bounded number of times, so the scan is
// linear in the text (1 MB of dots or 10,000 URLs included). `text` should be UTF-8; malformed bytes end a
// host or a path and never cause out-of-range reads.
//
// Using it from a detector (build the finder once; the list is parsed once per process and path):
//   auto psl = PublicSuffixList::Load(path_or_empty);        // Result<shared_ptr<const PublicSuffixList>>
//   UrlFinder finder(std::move(psl).value());
//   for (const Url& url : finder.Find(input.views.original)) {
//     // Compare domain lists with host_ascii (punycode) or with the registrable domain, e.g.
//     // HostToAscii(url.registrable_domain) == "t.me"; url.bare tells a mention from a written link.
//     signal.spans.emplace_back(url.begin, url.end);         // offsets into the original text
//   }
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/result.hpp"

namespace tribune::moderation {

struct Url {
  size_t begin = 0, end = 0;  // [begin, end): the link in the ORIGINAL text, trailing punctuation excluded
  std::string scheme;         // "http", "https" or "ftp" (defanged spellings normalised); "" when written without
  std::string host;           // lower-case, separators normalised to '.', no trailing dot; letters kept in the
                              // script written ("пример.рф", "xn--e1afmkfd.xn--p1ai"); IPv6 without brackets
  std::string host_ascii;     // IDNA ASCII form (punycode): compare with lists in this form. = host for ASCII
  std::string host_unicode;   // Unicode form ("xn--" labels decoded): for script checks and display
  std::string registrable_domain;  // public suffix + one label, spelled as `host` ("news.bbc.co.uk" →
                                   // "bbc.co.uk"); "" for IP addresses and hosts that are a suffix themselves
  std::string port;           // digits as written, or ""
  std::string path;           // path, query and fragment as written ("/a?b#c"), or ""
  std::string userinfo;       // what stood before '@' in the authority, or ""
  bool is_ip = false;         // IPv4 (host is dotted decimal, also for the decimal form) or IPv6
  bool has_userinfo = false;
  bool obfuscated = false;    // hxxp, fxp, [:]//, [.], (dot) and the like
  bool bare = false;          // written with neither a scheme nor "www."
};

// The public suffix list (https://publicsuffix.org format: one rule a line, "//" comments, "*." wildcard
// and "!" exception rules, UTF-8; both the ICANN and the private section count, as in browsers, so
// "user.github.io" is a registrable domain). Immutable and thread-safe once built.
class PublicSuffixList {
 public:
  // Parses and caches `path` (Debian's publicsuffix package when empty): later calls with the same path
  // return the same list. Errors: kUnavailable naming the file when it cannot be read or has no rules.
  static Result<std::shared_ptr<const PublicSuffixList>> Load(const std::string& path);
  // Parses list text (tests). Lines that are not rules are ignored.
  static std::shared_ptr<const PublicSuffixList> Parse(std::string_view contents);

  // How many trailing labels of `host` (lower-case, Unicode form, '.'-separated) form its public suffix.
  // An unlisted TLD counts as a one-label suffix (the list's implicit "*" rule). 0 for an empty host.
  size_t SuffixLabels(std::string_view host) const;
  // The public suffix plus one label, or "" when `host` is itself a public suffix. A view into `host`.
  std::string_view RegistrableDomain(std::string_view host) const;
  // True when `label` (lower-case, Unicode form) is a top-level domain of the list or a reserved name
  // (test, example, invalid, localhost: RFC 2606/6761, so documentation and test addresses parse).
  bool IsKnownTld(std::string_view label) const;
  size_t rule_count() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;
  Set rules_;       // "co.uk"
  Set wildcards_;   // "*.ck" stored as "ck"
  Set exceptions_;  // "!www.ck" stored as "www.ck"
  Set tlds_;        // last labels of all rules
};

// "/usr/share/publicsuffix/public_suffix_list.dat" (Debian package publicsuffix).
std::string DefaultPublicSuffixListPath();

// IDNA (UTS #46, non-transitional) conversions of a whole host name through ICU. On a name ICU rejects
// the input is returned lower-cased (ASCII letters only) so callers can still compare it.
std::string HostToAscii(std::string_view host);
std::string HostToUnicode(std::string_view host);

// True for IPv4/IPv6 literals that are not reachable on the public internet: loopback, private ranges
// (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local, 0/8, multicast and reserved.
bool IsNonPublicIp(std::string_view ip);

// The key the link rules compare URLs by: host_ascii, ":port" unless empty or the scheme's default,
// then the path without its fragment ("/" when empty). The scheme is left out (http and https of the
// same place are the same place for a blocklist).
std::string UrlKey(const Url& url);

struct UrlFinderOptions {
  size_t max_urls = 256;         // per text; the scan stops at this many
  size_t max_path_bytes = 2048;  // a longer path is cut here
};

// Finds the URLs in a text. Immutable, thread-safe; Find never throws except std::bad_alloc.
class UrlFinder {
 public:
  explicit UrlFinder(std::shared_ptr<const PublicSuffixList> psl, UrlFinderOptions options = {});
  // URLs sorted by `begin`, at most options.max_urls.
  std::vector<Url> Find(std::string_view text) const;
  const PublicSuffixList& psl() const { return *psl_; }

 private:
  std::shared_ptr<const PublicSuffixList> psl_;
  UrlFinderOptions options_;
};

}  // namespace tribune::moderation
