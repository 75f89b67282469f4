#include "moderation/rules/links_urls.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <random>

namespace tribune::moderation {
namespace {

const UrlFinder& Finder() {
  static const UrlFinder finder = [] {
    auto psl = PublicSuffixList::Load("");
    EXPECT_TRUE(psl.ok()) << psl.error().message;
    return UrlFinder(std::move(psl).value());
  }();
  return finder;
}

std::vector<Url> Find(std::string_view text) { return Finder().Find(text); }

// The one URL of `text`, checking that it spans exactly `written`.
Url One(std::string_view text, std::string_view written) {
  std::vector<Url> urls = Find(text);
  EXPECT_EQ(urls.size(), 1u) << text;
  if (urls.size() != 1) return {};
  EXPECT_EQ(text.substr(urls[0].begin, urls[0].end - urls[0].begin), written) << text;
  EXPECT_EQ(urls[0].begin, text.find(written)) << text;
  return urls[0];
}

TEST(LinksUrls, SchemeUrlWithPath) {
  Url u = One("see https://www.bbc.co.uk/news/world-123?x=1#top now", "https://www.bbc.co.uk/news/world-123?x=1#top");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "www.bbc.co.uk");
  EXPECT_EQ(u.registrable_domain, "bbc.co.uk");
  EXPECT_EQ(u.path, "/news/world-123?x=1#top");
  EXPECT_FALSE(u.bare);
  EXPECT_FALSE(u.obfuscated);
  EXPECT_FALSE(u.is_ip);
}

TEST(LinksUrls, UpperCaseSchemeAndHostAreLowerCased) {
  Url u = One("HTTP://EXAMPLE.COM/Path", "HTTP://EXAMPLE.COM/Path");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.path, "/Path");  // paths are case-sensitive
}

TEST(LinksUrls, FtpAndWww) {
  EXPECT_EQ(One("get it from ftp://ftp.example.org/pub/file.tar.gz", "ftp://ftp.example.org/pub/file.tar.gz").scheme, "ftp");
  Url w = One("visit www.example.com today", "www.example.com");
  EXPECT_EQ(w.scheme, "");
  EXPECT_FALSE(w.bare);
  EXPECT_EQ(w.registrable_domain, "example.com");
}

TEST(LinksUrls, DefangedSchemes) {
  Url u = One("do not click hxxp://evil.example/a", "hxxp://evil.example/a");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_TRUE(u.obfuscated);
  EXPECT_EQ(One("hXXps[:]//evil.example/b", "hXXps[:]//evil.example/b").scheme, "https");
  EXPECT_TRUE(One("https[://]evil.example", "https[://]evil.example").obfuscated);
  EXPECT_EQ(One("fxp://files.example/x", "fxp://files.example/x").scheme, "ftp");
}

TEST(LinksUrls, DefangedDots) {
  for (std::string_view written : {"evil[.]com", "evil(.)com", "evil{.}com", "evil [dot] com", "evil[dot]com",
                                   "evil (dot) com", "EVIL[DOT]COM"}) {
    std::string text = "go to " + std::string(written) + " now";
    Url u = One(text, written);
    EXPECT_EQ(u.host, "evil.com") << written;
    EXPECT_TRUE(u.obfuscated) << written;
    EXPECT_TRUE(u.bare) << written;
  }
  Url u = One("hxxp://www[.]evil[.]example/x.exe", "hxxp://www[.]evil[.]example/x.exe");
  EXPECT_EQ(u.host, "www.evil.example");
  EXPECT_EQ(u.path, "/x.exe");
  EXPECT_TRUE(Find("the evil dot com bubble").empty());  // a spelled " dot " is not read
}

TEST(LinksUrls, BareHosts) {
  Url u = One("I read bbc.co.uk daily", "bbc.co.uk");
  EXPECT_TRUE(u.bare);
  EXPECT_EQ(u.registrable_domain, "bbc.co.uk");
  Url p = One("sale at shop.ru/sale!", "shop.ru/sale");
  EXPECT_EQ(p.path, "/sale");
  EXPECT_EQ(One("my blog is user.github.io", "user.github.io").registrable_domain, "user.github.io");
  EXPECT_EQ(One("test page evil.test.", "evil.test").host, "evil.test");  // reserved TLDs count
  EXPECT_EQ(One("port: evil.example:8080/x", "evil.example:8080/x").port, "8080");
}

TEST(LinksUrls, NotLinks) {
  for (std::string_view text :
       {"open report.exe and notes.md", "run setup.py or install.sh", "Node.js and ASP are fine", "e.g. this, i.e. that",
        "the U.S.Army said", "I agree.Then he left", "version 1.2.3 and 10.0.19045.2006", "ip 8.8.8.8 is google's",
        "write to john.doe@example.com", "first.name@mail.example", "john[at]mail.ru", "anna (at) gmail (dot) com",
        "petrov @ yandex.ru", "C:/Users/me/file.com", "a..b...c....", "...",
        "price 3.50 and 2.5bn", "see chapter 4.1.2.", "www.", "http://", "http:// ", "photo.jpg, clip.mov"}) {
    EXPECT_TRUE(Find(text).empty()) << text << " found " << (Find(text).empty() ? "" : Find(text)[0].host);
  }
}

TEST(LinksUrls, TrailingPunctuationAndParentheses) {
  One("(see https://example.com/a.)", "https://example.com/a");
  One("see https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)");
  One("[click](http://evil.test/x)", "http://evil.test/x");
  One("**https://example.com/x**", "https://example.com/x");
  One("\"https://example.com/q?a=1\",", "https://example.com/q?a=1");
  One("go to https://example.com/?!", "https://example.com/");
  One("<https://example.com/a>", "https://example.com/a");
  One("«https://example.com/a»", "https://example.com/a");
  One("https://example.com/a…", "https://example.com/a");
  One("link: https://example.com.", "https://example.com");
  One("https://example.com/путь/страница, ok", "https://example.com/путь/страница");
}

TEST(LinksUrls, IpHosts) {
  Url v4 = One("get http://203.0.113.5:8080/a.exe now", "http://203.0.113.5:8080/a.exe");
  EXPECT_TRUE(v4.is_ip);
  EXPECT_EQ(v4.host, "203.0.113.5");
  EXPECT_EQ(v4.port, "8080");
  EXPECT_EQ(v4.registrable_domain, "");
  Url bare = One("203.0.113.5/bins/x86", "203.0.113.5/bins/x86");
  EXPECT_TRUE(bare.is_ip);
  EXPECT_TRUE(bare.bare);
  Url v6 = One("http://[2001:DB8::1]:81/x", "http://[2001:DB8::1]:81/x");
  EXPECT_TRUE(v6.is_ip);
  EXPECT_EQ(v6.host, "2001:db8::1");
  Url dword = One("http://3405803781/x", "http://3405803781/x");
  EXPECT_TRUE(dword.is_ip);
  EXPECT_EQ(dword.host, "203.0.113.5");
  EXPECT_TRUE(Find("http://999.1.1.1/").empty());
}

TEST(LinksUrls, UserinfoAndPorts) {
  Url u = One("login: http://paypal.com@evil.example/login", "http://paypal.com@evil.example/login");
  EXPECT_TRUE(u.has_userinfo);
  EXPECT_EQ(u.userinfo, "paypal.com");
  EXPECT_EQ(u.host, "evil.example");
  Url p = One("ftp://user:secret@files.example:2121/", "ftp://user:secret@files.example:2121/");
  EXPECT_EQ(p.userinfo, "user:secret");
  EXPECT_EQ(p.port, "2121");
  One("http://example.com:99999/x", "http://example.com");  // not a port: the URL ends before it
  Url plain = One("https://example.com:443/", "https://example.com:443/");
  EXPECT_EQ(UrlKey(plain), "example.com/");
}

TEST(LinksUrls, UnicodeHosts) {
  Url u = One("сайт https://Пример.РФ/путь тут", "https://Пример.РФ/путь");
  EXPECT_EQ(u.host, "пример.рф");
  EXPECT_EQ(u.host_ascii, "xn--e1afmkfd.xn--p1ai");
  EXPECT_EQ(u.host_unicode, "пример.рф");
  EXPECT_EQ(u.registrable_domain, "пример.рф");
  Url bare = One("заходите на пример.рф!", "пример.рф");
  EXPECT_TRUE(bare.bare);
  Url puny = One("http://xn--e1afmkfd.xn--p1ai/", "http://xn--e1afmkfd.xn--p1ai/");
  EXPECT_EQ(puny.host, "xn--e1afmkfd.xn--p1ai");
  EXPECT_EQ(puny.host_unicode, "пример.рф");
  EXPECT_EQ(puny.registrable_domain, "xn--e1afmkfd.xn--p1ai");
  Url spoof = One("pay at раураl.com", "раураl.com");
  EXPECT_EQ(spoof.host_ascii, "xn--l-7sba6dbr.com");
  EXPECT_EQ(One("https://münchen.de/", "https://münchen.de/").host_ascii, "xn--mnchen-3ya.de");
}

TEST(LinksUrls, EmbeddedUrlsAreReportedToo) {
  std::string text = "https://web.archive.org/web/2020/https://evil.test/x and http://r.example/?u=http://evil.test/y";
  std::vector<Url> urls = Find(text);
  ASSERT_EQ(urls.size(), 4u);
  EXPECT_EQ(urls[0].host, "web.archive.org");
  EXPECT_EQ(urls[1].host, "evil.test");
  EXPECT_EQ(urls[1].begin, text.find("https://evil.test"));
  EXPECT_EQ(urls[2].host, "r.example");
  EXPECT_EQ(urls[3].path, "/y");
  // A path's own dotted words are not bare hosts.
  EXPECT_EQ(Find("https://github.com/user/repo/blob/main/README.md").size(), 1u);
}

TEST(LinksUrls, PublicSuffixRules) {
  auto psl = PublicSuffixList::Parse("// comment\nuk\nco.uk\nck\n*.ck\n!www.ck\n\nkawasaki.jp\n*.kawasaki.jp\n!city.kawasaki.jp\n");
  EXPECT_EQ(psl->RegistrableDomain("news.bbc.co.uk"), "bbc.co.uk");
  EXPECT_EQ(psl->RegistrableDomain("co.uk"), "");
  EXPECT_EQ(psl->RegistrableDomain("a.b.ck"), "a.b.ck");
  EXPECT_EQ(psl->RegistrableDomain("b.ck"), "");
  EXPECT_EQ(psl->RegistrableDomain("www.ck"), "www.ck");
  EXPECT_EQ(psl->RegistrableDomain("x.www.ck"), "www.ck");
  EXPECT_EQ(psl->RegistrableDomain("a.city.kawasaki.jp"), "city.kawasaki.jp");
  EXPECT_EQ(psl->RegistrableDomain("a.b.zzz"), "b.zzz");  // unlisted TLD: the implicit "*" rule
  EXPECT_TRUE(psl->IsKnownTld("uk"));
  EXPECT_TRUE(psl->IsKnownTld("test"));
  EXPECT_FALSE(psl->IsKnownTld("zzz"));
  auto missing = PublicSuffixList::Load("/nonexistent/psl.dat");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/psl.dat"), std::string::npos);
  EXPECT_GT(Finder().psl().rule_count(), 5000u);
}

TEST(LinksUrls, UrlKeyAndIpClasses) {
  EXPECT_EQ(UrlKey(One("HTTP://Evil.Test:80/a#frag", "HTTP://Evil.Test:80/a#frag")), "evil.test/a");
  EXPECT_EQ(UrlKey(One("hxxp://evil[.]test:8080?q", "hxxp://evil[.]test:8080?q")), "evil.test:8080/?q");
  EXPECT_TRUE(IsNonPublicIp("127.0.0.1"));
  EXPECT_TRUE(IsNonPublicIp("192.168.1.1"));
  EXPECT_TRUE(IsNonPublicIp("172.20.0.1"));
  EXPECT_TRUE(IsNonPublicIp("fe80::1"));
  EXPECT_TRUE(IsNonPublicIp("::1"));
  EXPECT_FALSE(IsNonPublicIp("203.0.113.5"));
  EXPECT_FALSE(IsNonPublicIp("172.32.0.1"));
  EXPECT_FALSE(IsNonPublicIp("2606:4700::1111"));
}

double Seconds(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(LinksUrls, BoundedOnLargeInputs) {
  std::string many;
  for (int k = 0; k < 10000; ++k) many += "https://site" + std::to_string(k) + ".example/p" + std::to_string(k) + " ";
  std::vector<Url> urls;
  EXPECT_LT(Seconds([&] { urls = Find(many); }), 2.0);
  EXPECT_EQ(urls.size(), 256u);
  EXPECT_EQ(urls.back().host, "site255.example");

  for (std::string big : {std::string(1 << 20, '.'), std::string(1 << 20, 'a'), std::string(1 << 20, '/')}) {
    EXPECT_LT(Seconds([&] { EXPECT_TRUE(Find(big).empty()); }), 2.0);
  }
  std::string labels, defanged, schemes, brackets, mixed;
  while (labels.size() < (1 << 20)) labels += "a.";
  while (defanged.size() < (1 << 20)) defanged += "a [.] ";
  while (schemes.size() < (1 << 20)) schemes += "http://";
  while (brackets.size() < (1 << 20)) brackets += "http://[";
  while (mixed.size() < (1 << 20)) mixed += "x.com/(((a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z ";
  for (const std::string& big : {labels, defanged, schemes, brackets, mixed}) {
    EXPECT_LT(Seconds([&] { Find(big); }), 3.0);
  }
  UrlFinder capped(PublicSuffixList::Parse("com\nexample\n"), UrlFinderOptions{.max_urls = 3});
  EXPECT_EQ(capped.Find(many).size(), 3u);
}

TEST(LinksUrls, OddInputNeverCrashes) {
  const std::vector<std::string> pieces{"http", "://", "hxxp", "[:]//", "[.]", "(dot)", " [dot] ", ".", "..", "@", "[", "]",
                                        "(", ")", ":", "8080", "/", "?", "#", "www", "example", "com", "рф", "пример",
                                        "xn--", "-", "_", " ", "\xff", "\xc3", "\xe2\x80", "\0", "1", "255", "::1", "\n"};
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    size_t last_begin = 0;
    for (const Url& u : Find(text)) {
      ASSERT_LT(u.begin, u.end) << text;
      ASSERT_LE(u.end, text.size()) << text;
      ASSERT_GE(u.begin, last_begin) << text;
      ASSERT_FALSE(u.host.empty()) << text;
      last_begin = u.begin;
    }
  }
}

}  // namespace
}  // namespace tribune::moderation
