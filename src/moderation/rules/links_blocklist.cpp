// Blocklists for "malware_links": URLhaus CSV and hosts files, detected from their content.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "moderation/rules/links.hpp"

namespace tribune::moderation {
namespace {

// Names hosts files map to an address for the machine itself; not domains anyone links to.
constexpr std::array<std::string_view, 13> kHostsIgnored{
    "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback",
    "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0", "localdomain"};

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// An IPv4 or IPv6 literal (hosts files start lines with one).
bool IsIpLiteral(std::string_view s) {
  if (s.empty()) return false;
  if (s.find(':') != std::string_view::npos) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; });
  }
  int dots = 0;
  for (char c : s) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

// A domain as hosts files write it: labels of letters, digits, '-', '_' (or non-ASCII), at least two.
bool ValidDomain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.find("..") != std::string_view::npos) return false;
  if (d.find('.') == std::string_view::npos) return false;
  for (char c : d) {
    const auto u = static_cast<unsigned char>(c);
    if (!(u >= 0x80 || std::isalnum(u) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

// One CSV row: comma-separated fields, each optionally double-quoted with "" for a quote.
std::vector<std::string> ParseCsvRow(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, in_quotes = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      quoted = false;
    } else {
      field += c;
    }
  }
  if (in_quotes) return {};  // an unterminated quote: the row is broken
  fields.push_back(std::move(field));
  return fields;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Blocklist::Blocklist(std::vector<std::string> shared_hosts) {
  for (std::string& h : shared_hosts) shared_hosts_.insert(HostToAscii(h));
}

bool Blocklist::Shared(std::string_view host) const {
  for (size_t p = 0; p != std::string_view::npos;) {
    if (shared_hosts_.find(host.substr(p)) != shared_hosts_.end()) return true;
    p = host.find('.', p);
    if (p != std::string_view::npos) ++p;
  }
  return false;
}

const BlocklistFileStats& Blocklist::AddText(std::string_view contents, const std::string& source, const UrlFinder& finder) {
  const auto index = static_cast<uint16_t>(std::min<size_t>(sources_.size(), 0xFFFF));
  sources_.push_back(source);
  BlocklistFileStats& stats = stats_.emplace_back();
  stats.source = source;

  // The format: URLhaus rows start with a quote; anything else is read as a hosts file.
  bool csv = false;
  for (size_t pos = 0; pos < contents.size();) {
    size_t eol = std::min(contents.find('\n', pos), contents.size());
    std::string_view line = Trim(contents.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line.front() == '#') continue;
    csv = line.front() == '"';
    break;
  }
  stats.format = csv ? "urlhaus-csv" : "hosts";

  for (size_t pos = 0; pos < contents.size();) {
    size_t eol = std::min(contents.find('\n', pos), contents.size());
    std::string_view line = Trim(contents.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line.front() == '#') continue;
    if (csv) {
      std::vector<std::string> fields = ParseCsvRow(line);
      if (fields.size() < 3) {
        ++stats.malformed;
        continue;
      }
      if (fields[2] == "url") continue;  // an uncommented header row
      std::vector<Url> urls = finder.Find(fields[2]);
      if (urls.empty() || urls.front().begin != 0 || urls.front().scheme.empty()) {
        ++stats.malformed;
        continue;
      }
      const Url& url = urls.front();
      if (urls_.emplace(UrlKey(url), index).second) ++stats.urls;
      if (!Shared(url.host_ascii)) url_hosts_.emplace(url.host_ascii, index);
      continue;
    }
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    std::vector<std::string_view> tokens;
    for (size_t p = 0; p < line.size();) {
      size_t b = line.find_first_not_of(" \t", p);
      if (b == std::string_view::npos) break;
      size_t e = std::min(line.find_first_of(" \t", b), line.size());
      tokens.push_back(line.substr(b, e - b));
      p = e;
    }
    std::vector<std::string_view> names;
    if (IsIpLiteral(tokens.front())) {
      names.assign(tokens.begin() + 1, tokens.end());
    } else if (tokens.size() == 1) {
      names = tokens;
    }
    bool bad = names.empty();
    for (std::string_view name : names) {
      std::string lower = LowerAscii(name);
      while (!lower.empty() && lower.back() == '.') lower.pop_back();
      if (std::find(kHostsIgnored.begin(), kHostsIgnored.end(), lower) != kHostsIgnored.end()) continue;
      if (!IsIpLiteral(lower) && !ValidDomain(lower)) {
        bad = true;
        continue;
      }
      if (hosts_.emplace(HostToAscii(lower), index).second) ++stats.hosts;
    }
    if (bad) ++stats.malformed;
  }
  return stats;
}

Result<void> Blocklist::AddFile(const std::string& path, const UrlFinder& finder) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf()) || in.bad()) {
    // An empty file reads as a failed stream insertion; that is an empty list, not an error.
    if (in.is_open() && std::filesystem::is_regular_file(path) && std::filesystem::file_size(path) == 0) {
      AddText({}, std::filesystem::path(path).filename().string(), finder);
      return Ok{};
    }
    return MakeError(ErrorCode::kUnavailable, "blocklist " + path + " cannot be read (moderation.blocklists)");
  }
  AddText(text.str(), std::filesystem::path(path).filename().string(), finder);
  return Ok{};
}

Result<Blocklist> Blocklist::Load(const std::string& dir, const std::vector<std::string>& files, const UrlFinder& finder,
                                  std::vector<std::string> shared_hosts) {
  Blocklist list(std::move(shared_hosts));
  if (!dir.empty()) {
    std::error_code ec;
    std::vector<std::string> paths;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.empty() || name.front() == '.' || name.rfind("README", 0) == 0 || it->path().extension() == ".md") continue;
      if (it->is_regular_file(ec)) paths.push_back(it->path().string());
    }
    if (ec || !std::filesystem::is_directory(dir)) {
      return MakeError(ErrorCode::kUnavailable, "blocklist directory " + dir + " cannot be read (moderation.blocklist_dir)");
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string& path : paths) {
      if (auto added = list.AddFile(path, finder); !added.ok()) return std::move(added).error();
    }
  }
  for (const std::string& path : files) {
    if (auto added = list.AddFile(path, finder); !added.ok()) return std::move(added).error();
  }
  return list;
}

Blocklist::Match Blocklist::Find(const Url& url) const {
  auto source = [this](uint16_t index) { return index < sources_.size() ? sources_[index] : std::string(); };
  if (auto it = urls_.find(UrlKey(url)); it != urls_.end()) return {MatchKind::kUrl, it->first, source(it->second)};
  const std::string_view host = url.host_ascii;
  if (auto it = hosts_.find(host); it != hosts_.end()) return {MatchKind::kHost, it->first, source(it->second)};
  if (auto it = url_hosts_.find(host); it != url_hosts_.end()) return {MatchKind::kUrlHost, it->first, source(it->second)};
  if (url.is_ip) return {};
  for (size_t dot = host.find('.'); dot != std::string_view::npos; dot = host.find('.', dot + 1)) {
    if (auto it = hosts_.find(host.substr(dot + 1)); it != hosts_.end()) {
      return {MatchKind::kParentDomain, it->first, source(it->second)};
    }
  }
  return {};
}

}  // namespace tribune::moderation
