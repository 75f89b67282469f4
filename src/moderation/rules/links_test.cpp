#include "moderation/rules/links.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tribune::moderation {
namespace {

const LinksDetector& Shipped() {
  static const std::unique_ptr<LinksDetector> detector = [] {
    auto loaded = LinksDetector::Load();
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return std::move(loaded).value();
  }();
  return *detector;
}

std::vector<Signal> Detect(std::string_view text, const LinksDetector& detector = Shipped()) {
  text::TextViews views;
  views.original = text;
  std::vector<Signal> out;
  detector.Detect(DetectorInput{views, "en", "", nullptr}, out);
  return out;
}

// The single signal for `text`, checking its span covers `written`.
Signal One(std::string_view text, std::string_view written) {
  std::vector<Signal> signals = Detect(text);
  EXPECT_EQ(signals.size(), 1u) << text;
  if (signals.size() != 1) return {};
  EXPECT_EQ(signals[0].rule, "malware_links");
  EXPECT_EQ(signals[0].spans.size(), 1u);
  if (!signals[0].spans.empty()) {
    auto [b, e] = signals[0].spans[0];
    EXPECT_EQ(text.substr(b, e - b), written) << text;
  }
  return signals[0];
}

const UrlFinder& Finder() { return Shipped().finder(); }

Url UrlOf(std::string_view text) {
  std::vector<Url> urls = Finder().Find(text);
  EXPECT_FALSE(urls.empty()) << text;
  return urls.empty() ? Url{} : urls[0];
}

TEST(LinksDetector, ShippedTestListsLoad) {
  EXPECT_EQ(Shipped().Name(), "links");
  const auto& stats = Shipped().blocklist().stats();
  ASSERT_EQ(stats.size(), 2u);  // README.md is not a list
  EXPECT_EQ(stats[0].source, "tribune-test-urlhaus.csv");
  EXPECT_EQ(stats[0].format, "urlhaus-csv");
  EXPECT_EQ(stats[0].urls, 7u);
  EXPECT_EQ(stats[0].malformed, 0u);
  EXPECT_EQ(stats[1].format, "hosts");
  EXPECT_GE(stats[1].hosts, 12u);
  EXPECT_EQ(stats[1].malformed, 0u);
}

TEST(LinksDetector, BlocklistedHostRejects) {
  Signal s = One("Get it free at http://malware-drop.test/setup now", "http://malware-drop.test/setup");
  EXPECT_DOUBLE_EQ(s.confidence, 1.0);
  EXPECT_NE(s.detail.find("blocklisted host malware-drop.test"), std::string::npos) << s.detail;
  EXPECT_NE(s.detail.find("tribune-test.hosts"), std::string::npos) << s.detail;
  EXPECT_DOUBLE_EQ(One("defanged: hxxp://malware-drop[.]test/x", "hxxp://malware-drop[.]test/x").confidence, 1.0);
  EXPECT_DOUBLE_EQ(One("bare: MALWARE-DROP.TEST.", "MALWARE-DROP.TEST").confidence, 1.0);
  Signal sub = One("[mirror](https://dl.files.badnet.test/a)", "https://dl.files.badnet.test/a");
  EXPECT_NE(sub.detail.find("under blocklisted domain badnet.test"), std::string::npos) << sub.detail;
  // IDN: the list has the punycode form, the comment the Unicode one.
  EXPECT_DOUBLE_EQ(One("see аррӏе.test today", "аррӏе.test").confidence, 1.0);
}

TEST(LinksDetector, UrlhausUrlsAndTheirHosts) {
  Signal exact = One("update: http://update-flash.test/flashplayer_update.exe", "http://update-flash.test/flashplayer_update.exe");
  EXPECT_NE(exact.detail.find("blocklisted URL"), std::string::npos) << exact.detail;
  Signal host = One("https://update-flash.test/other", "https://update-flash.test/other");
  EXPECT_NE(host.detail.find("host of a blocklisted malware URL"), std::string::npos) << host.detail;
  EXPECT_DOUBLE_EQ(host.confidence, 1.0);
  // Only the exact host of a URL feed entry, not its subdomains or parent.
  EXPECT_TRUE(Detect("https://www.update-flash.test/other").empty());
  EXPECT_DOUBLE_EQ(One("hxxp://203.0.113[.]45:8080/bins/mozi.m", "hxxp://203.0.113[.]45:8080/bins/mozi.m").confidence, 1.0);
}

TEST(LinksDetector, HostsFormatAndMalformedLines) {
  Blocklist list;
  const auto& stats = list.AddText(
      "# comment\n0.0.0.0 a.test\n127.0.0.1 b.test c.test  # two names\nd.test\n\n||adblock.test^\nfoo bar\n"
      "127.0.0.1 localhost\n0.0.0.0\ncom\nE.TEST.\n",
      "mine.hosts", Finder());
  EXPECT_EQ(stats.format, "hosts");
  EXPECT_EQ(stats.hosts, 5u);
  EXPECT_EQ(stats.malformed, 4u);  // ||adblock.test^, "foo bar", an address alone, a TLD alone
  EXPECT_EQ(list.Find(UrlOf("x.y.c.test/path")).kind, Blocklist::MatchKind::kParentDomain);
  EXPECT_EQ(list.Find(UrlOf("http://e.test/")).kind, Blocklist::MatchKind::kHost);
  EXPECT_EQ(list.Find(UrlOf("http://notc.test/")).kind, Blocklist::MatchKind::kNone);
  EXPECT_EQ(list.Find(UrlOf("http://localhost/")).kind, Blocklist::MatchKind::kNone);
}

TEST(LinksDetector, UrlhausFormatAndSharedHosts) {
  Blocklist list({"share.example"});
  const auto& stats = list.AddText(
      "#########\n# URLhaus\n"
      "\"1\",\"2024-01-01\",\"https://files.share.example/u/evil.exe\",\"online\",\"\",\"malware_download\",\"exe\",\"x\",\"y\"\n"
      "\"2\",\"2024-01-01\",\"http://Bad.Example:80/a?b=1\",\"offline\",\"\",\"malware_download\",\"\",\"x\",\"y\"\n"
      "\"3\",\"2024-01-01\"\n"
      "\"4\",\"2024-01-01\",\"not a url\",\"online\"\n"
      "\"5\",\"2024-01-01\",\"http://unterminated\n",
      "feed.csv", Finder());
  EXPECT_EQ(stats.format, "urlhaus-csv");
  EXPECT_EQ(stats.urls, 2u);
  EXPECT_EQ(stats.malformed, 3u);
  EXPECT_EQ(list.Find(UrlOf("https://files.share.example/u/evil.exe")).kind, Blocklist::MatchKind::kUrl);
  EXPECT_EQ(list.Find(UrlOf("http://files.share.example/u/evil.exe#x")).kind, Blocklist::MatchKind::kUrl);
  EXPECT_EQ(list.Find(UrlOf("https://files.share.example/u/other.zip")).kind, Blocklist::MatchKind::kNone);
  EXPECT_EQ(list.Find(UrlOf("https://bad.example/a?b=1")).kind, Blocklist::MatchKind::kUrl);
  EXPECT_EQ(list.Find(UrlOf("https://bad.example/")).kind, Blocklist::MatchKind::kUrlHost);
  Blocklist::Match m = list.Find(UrlOf("https://bad.example/a?b=1"));
  EXPECT_EQ(m.source, "feed.csv");
}

TEST(LinksDetector, FilesAndDirectories) {
  const auto dir = std::filesystem::temp_directory_path() / ("tribune-links-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "one.hosts") << "0.0.0.0 one.test\n";
  std::ofstream(dir / "two.txt") << "two.test\nbad line here\n";
  std::ofstream(dir / "README.md") << "0.0.0.0 readme.test\n";
  std::ofstream(dir / ".partial") << "0.0.0.0 partial.test\n";
  std::ofstream(dir / "empty.hosts");
  auto loaded = Blocklist::Load(dir.string(), {}, Finder());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->stats().size(), 3u);
  EXPECT_EQ(loaded->stats()[2].malformed, 1u);
  EXPECT_NE(loaded->Find(UrlOf("two.test")).kind, Blocklist::MatchKind::kNone);
  EXPECT_EQ(loaded->Find(UrlOf("readme.test")).kind, Blocklist::MatchKind::kNone);
  EXPECT_EQ(loaded->Find(UrlOf("partial.test")).kind, Blocklist::MatchKind::kNone);

  auto missing_file = Blocklist::Load("", {(dir / "nope.csv").string()}, Finder());
  ASSERT_FALSE(missing_file.ok());
  EXPECT_NE(missing_file.error().message.find("nope.csv"), std::string::npos) << missing_file.error().message;
  auto a_directory = Blocklist::Load("", {dir.string()}, Finder());
  ASSERT_FALSE(a_directory.ok());
  auto missing_dir = Blocklist::Load((dir / "absent").string(), {}, Finder());
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.error().message.find("absent"), std::string::npos);

  auto detector = LinksDetector::Load(LinksOptions{.blocklist_dir = "none", .blocklists = {(dir / "one.hosts").string()}});
  ASSERT_TRUE(detector.ok()) << detector.error().message;
  EXPECT_EQ(Detect("see one.test", **detector).size(), 1u);
  EXPECT_TRUE(Detect("see malware-drop.test", **detector).empty());
  auto bad = LinksDetector::Load(LinksOptions{.blocklists = {(dir / "nope.hosts").string()}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("nope.hosts"), std::string::npos);
  auto no_psl = LinksDetector::Load(LinksOptions{.public_suffix_list = (dir / "psl.dat").string()});
  ASSERT_FALSE(no_psl.ok());
  std::filesystem::remove_all(dir);
}

TEST(LinksDetector, HeuristicConfidences) {
  EXPECT_DOUBLE_EQ(One("grab http://198.51.100.7/files/report", "http://198.51.100.7/files/report").confidence, 0.45);
  EXPECT_DOUBLE_EQ(One("http://paypal.com@login.example/verify", "http://paypal.com@login.example/verify").confidence, 0.6);
  EXPECT_DOUBLE_EQ(One("https://downloads.example.org/tool/setup.exe", "https://downloads.example.org/tool/setup.exe").confidence, 0.5);
  EXPECT_DOUBLE_EQ(One("http://198.51.100.7/a.exe", "http://198.51.100.7/a.exe").confidence, 0.5 + 0.25 * 0.45);
  Signal mixed = One("pay at раураl.com now", "раураl.com");
  EXPECT_DOUBLE_EQ(mixed.confidence, 0.6);
  EXPECT_NE(mixed.detail.find("reads as paypal.com"), std::string::npos) << mixed.detail;
  Signal whole = One("https://уаһоо.com/id", "https://уаһоо.com/id");  // all Cyrillic
  EXPECT_DOUBLE_EQ(whole.confidence, 0.5);
  EXPECT_NE(whole.detail.find("reads as yahoo.com"), std::string::npos) << whole.detail;
  EXPECT_DOUBLE_EQ(One("http://xn--80ak6aa92e.com/", "http://xn--80ak6aa92e.com/").confidence, 0.5);
  EXPECT_DOUBLE_EQ(One("short: https://bit.ly/3xYz", "https://bit.ly/3xYz").confidence, 0.25);
  EXPECT_DOUBLE_EQ(One("download https://files.example.net/tool.zip", "https://files.example.net/tool.zip").confidence, 0.5);
  EXPECT_DOUBLE_EQ(One("ftp://anonymous@ftp.example.org/pub/", "ftp://anonymous@ftp.example.org/pub/").confidence, 0.2);
}

TEST(LinksDetector, OrdinaryLinksStayQuiet) {
  for (std::string_view text : {
           "Good piece, see https://www.bbc.co.uk/news/world-europe-123 and https://en.wikipedia.org/wiki/Malware_(software)",
           "The rules are on https://www.gov.uk/government/publications/x and www.legislation.gov.uk",
           "Watch https://www.youtube.com/watch?v=dQw4w9WgXcQ or https://youtu.be/dQw4w9WgXcQ",
           "Code at https://github.com/org/repo/releases, script https://code.jquery.com/jquery.min.js",
           "Archive: https://example.com/files/data.zip", "my router is at http://192.168.1.1/ and http://localhost:8080/",
           "Пишите на пример.рф или zakon.ru", "Café at https://münchen.de/ and https://日本.jp/",
           "The file report.exe was attached", "mail me: john@malware-drop.test"}) {
    EXPECT_TRUE(Detect(text).empty()) << text << ": " << (Detect(text).empty() ? "" : Detect(text)[0].detail);
  }
}

TEST(LinksDetector, RepeatedUrlIsOneSignalWithEverySpan) {
  std::string text = "http://malware-drop.test/a and again http://malware-drop.test/a plus http://203.0.113.9/x";
  std::vector<Signal> signals = Detect(text);
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].spans.size(), 2u);
  EXPECT_EQ(signals[0].spans[1].first, text.rfind("http://malware-drop.test/a"));
  EXPECT_EQ(signals[1].spans.size(), 1u);
}

}  // namespace
}  // namespace tribune::moderation
