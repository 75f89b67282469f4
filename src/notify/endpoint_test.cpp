// Which push endpoints the site posts to: ParseEndpoint (https on a public host, the local test service only when
// allowed, the operator's host list) and IsSpecialAddress (addresses a server must not be made to call).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "notify/push.hpp"

namespace tribune::notify {
namespace {

EndpointPolicy Open() { return EndpointPolicy{}; }

EndpointPolicy Local() {
  EndpointPolicy p;
  p.allow_localhost = true;
  return p;
}

void ExpectRefused(std::string_view url, const EndpointPolicy& policy, std::string_view why = "") {
  auto r = ParseEndpoint(url, policy);
  ASSERT_FALSE(r.ok()) << "accepted " << url << " (" << why << "), origin " << r->origin;
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << url;
  EXPECT_FALSE(r.error().message.empty()) << url;
}

Endpoint MustParse(std::string_view url, const EndpointPolicy& policy) {
  auto r = ParseEndpoint(url, policy);
  EXPECT_TRUE(r.ok()) << url << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Endpoint{};
}

TEST(ParseEndpoint, HttpsOnAPublicHostIsAcceptedWithItsOrigin) {
  const std::string url = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b?x=1";
  Endpoint e = MustParse(url, Open());
  EXPECT_EQ(e.url, url);
  EXPECT_EQ(e.origin, "https://fcm.googleapis.com");
  EXPECT_EQ(e.host, "fcm.googleapis.com");
}

TEST(ParseEndpoint, OriginDropsTheDefaultPortKeepsAnOtherAndIsLowerCase) {
  Endpoint a = MustParse("https://FCM.GoogleAPIs.com:443/fcm/send/Abc", Open());
  EXPECT_EQ(a.origin, "https://fcm.googleapis.com");
  EXPECT_EQ(a.host, "fcm.googleapis.com");
  EXPECT_EQ(a.url, "https://FCM.GoogleAPIs.com:443/fcm/send/Abc") << "the URL itself is kept as given";
  EXPECT_EQ(MustParse("HTTPS://push.example.com/x", Open()).origin, "https://push.example.com");
  EXPECT_EQ(MustParse("https://push.example.com:8443/x", Open()).origin, "https://push.example.com:8443");
  EXPECT_EQ(MustParse("https://8.8.8.8/x", Open()).origin, "https://8.8.8.8");
  EXPECT_EQ(MustParse("https://[2606:4700:4700::1111]:444/x", Open()).origin, "https://[2606:4700:4700::1111]:444");
  ExpectRefused("https://push.example.com:0/x", Open(), "port 0");
}

TEST(ParseEndpoint, HttpIsRefusedUnlessTheLocalServiceIsAllowed) {
  for (const char* url : {"http://push.example.com/x", "http://localhost:8090/x", "http://127.0.0.1:8090/x",
                          "http://[::1]:8090/x", "https://localhost/x", "https://127.0.0.1/x", "https://[::1]/x"}) {
    ExpectRefused(url, Open(), "not allowed by default");
  }
  EXPECT_EQ(MustParse("http://localhost:8090/push/1", Local()).origin, "http://localhost:8090");
  EXPECT_EQ(MustParse("http://LOCALHOST:8090/push/1", Local()).origin, "http://localhost:8090");
  EXPECT_EQ(MustParse("http://127.0.0.1:8090/push/1", Local()).origin, "http://127.0.0.1:8090");
  EXPECT_EQ(MustParse("http://[::1]:8090/push/1", Local()).origin, "http://[::1]:8090");
  EXPECT_EQ(MustParse("http://127.0.0.1/push/1", Local()).origin, "http://127.0.0.1");
  EXPECT_EQ(MustParse("https://localhost:4443/push/1", Local()).origin, "https://localhost:4443");
  // Allowing the local service lets exactly those three names in over http, nothing else.
  for (const char* url : {"http://push.example.com/x", "http://127.0.0.2:8090/x", "http://10.0.0.1/x",
                          "http://localhost.example.com/x", "http://foo.localhost/x", "http://[::2]/x",
                          "ftp://localhost/x", "ws://127.0.0.1:8090/x"}) {
    ExpectRefused(url, Local(), "only localhost, 127.0.0.1 and [::1] over http");
  }
}

TEST(ParseEndpoint, SpecialAddressLiteralsAreRefused) {
  for (const char* url : {"https://10.0.0.1/x", "https://172.16.5.4/x", "https://192.168.1.1/x",
                          "https://127.0.0.1/x", "https://127.8.9.10/x", "https://0.0.0.0/x",
                          "https://169.254.169.254/latest/meta-data", "https://100.64.0.1/x", "https://224.0.0.1/x",
                          "https://239.255.255.250/x", "https://255.255.255.255/x", "https://192.0.2.1/x",
                          "https://198.51.100.7/x", "https://203.0.113.9/x", "https://198.18.0.1/x",
                          "https://[::1]/x", "https://[::]/x", "https://[::ffff:10.0.0.1]/x",
                          "https://[::ffff:127.0.0.1]/x", "https://[::ffff:169.254.169.254]/x", "https://[fe80::1]/x",
                          "https://[fc00::1]/x", "https://[fd12:3456::1]/x", "https://[ff02::1]/x",
                          "https://[2001:db8::1]/x", "https://[fec0::1]/x"}) {
    ExpectRefused(url, Open(), "special address");
  }
}

// Forms that are not dotted-quad literals but that resolvers (inet_aton) read as IPv4 addresses.
TEST(ParseEndpoint, NumericHostNamesThatResolversReadAsLoopbackAreRefused) {
  for (const char* url : {"https://127.1/x", "https://2130706433/x", "https://0x7f.0.0.1/x", "https://0177.0.0.1/x",
                          "https://10.1/x"}) {
    ExpectRefused(url, Open(), "numeric host that is an IPv4 address to inet_aton");
  }
}

TEST(ParseEndpoint, PrivateNetworkNamesAreRefused) {
  for (const char* url : {"https://push/x", "https://localhost/x", "https://push.local/x", "https://svc.internal/x",
                          "https://a.localhost/x", "https://router.lan/x", "https://nas.home.arpa/x",
                          "https://push.example.com./x", "https://PUSH.LOCAL/x"}) {
    ExpectRefused(url, Open(), "not a public host name");
  }
}

TEST(ParseEndpoint, MalformedUrlsAreRefused) {
  const EndpointPolicy p = Open();
  ExpectRefused("", p, "empty");
  ExpectRefused("https://user:pw@push.example.com/x", p, "userinfo");
  ExpectRefused("https://user@push.example.com/x", p, "user name");
  ExpectRefused("https://@push.example.com/x", p, "empty userinfo");
  ExpectRefused("https://push.example.com/x#frag", p, "fragment");
  ExpectRefused("https://push.example.com/x#", p, "empty fragment");
  ExpectRefused("/fcm/send/abc", p, "relative");
  ExpectRefused("//push.example.com/x", p, "scheme-relative");
  ExpectRefused("push.example.com/x", p, "no scheme");
  ExpectRefused("not a url", p, "not a URL");
  ExpectRefused("https://", p, "no host");
  ExpectRefused("https:///x", p, "empty host");
  ExpectRefused("https:push.example.com/x", p, "no authority");
  ExpectRefused("mailto:push@example.com", p, "not http");
  ExpectRefused("https://push.example.com/a b", p, "space");
  ExpectRefused("https://push.ex%61mple.com/x", p, "percent-encoded host");
  ExpectRefused(std::string("https://push.example.com/\0x", 26), p, "NUL");
}

TEST(ParseEndpoint, TheLengthIsCapped) {
  const std::string head = "https://push.example.com/";
  EndpointPolicy p;
  p.max_length = 2048;
  MustParse(head + std::string(2048 - head.size(), 'a'), p);
  ExpectRefused(head + std::string(2049 - head.size(), 'a'), p, "one byte too long");
  ExpectRefused(head + std::string(100'000, 'a'), p, "far too long");
  p.max_length = 40;
  ExpectRefused(head + std::string(16, 'a'), p, "over a smaller cap");
}

TEST(ParseEndpoint, TheHostListAcceptsExactHostsAndSuffixes) {
  EndpointPolicy p;
  p.hosts = {"FCM.GoogleAPIs.com", ".mozilla.com"};
  EXPECT_EQ(MustParse("https://fcm.googleapis.com/fcm/send/x", p).origin, "https://fcm.googleapis.com");
  MustParse("https://updates.push.services.mozilla.com/wpush/v2/x", p);
  MustParse("https://mozilla.com/x", p);
  for (const char* url : {"https://evil.fcm.googleapis.com/x", "https://googleapis.com/x", "https://evilmozilla.com/x",
                          "https://mozilla.com.evil.org/x", "https://push.example.com/x",
                          "https://fcm.googleapis.com.evil.org/x"}) {
    ExpectRefused(url, p, "not on the list");
  }
  // The list narrows the public hosts; it never lets a special address in.
  p.hosts = {"10.0.0.1", ".local"};
  ExpectRefused("https://10.0.0.1/x", p, "listed but private");
  ExpectRefused("https://push.local/x", p, "listed but private");
}

struct SpecialCase {
  const char* ip;
  bool special;
};

TEST(IsSpecialAddress, Table) {
  const std::vector<SpecialCase> cases = {
      // IPv4: public
      {"8.8.8.8", false}, {"1.1.1.1", false}, {"172.15.255.255", false}, {"172.32.0.1", false},
      {"100.63.255.255", false}, {"100.128.0.1", false}, {"169.253.0.1", false}, {"223.255.255.254", false},
      {"192.0.3.1", false}, {"11.0.0.1", false},
      // IPv4: special
      {"0.0.0.0", true}, {"0.1.2.3", true}, {"10.0.0.1", true}, {"10.255.255.255", true}, {"100.64.0.1", true},
      {"100.127.255.254", true}, {"127.0.0.1", true}, {"127.255.255.254", true}, {"169.254.169.254", true},
      {"172.16.0.1", true}, {"172.31.255.255", true}, {"192.0.0.8", true}, {"192.0.2.1", true},
      {"192.88.99.1", true}, {"192.168.0.1", true}, {"198.18.0.1", true}, {"198.19.255.255", true},
      {"198.51.100.1", true}, {"203.0.113.1", true}, {"224.0.0.1", true}, {"239.255.255.250", true},
      {"240.0.0.1", true}, {"255.255.255.255", true},
      // IPv6: public
      {"2606:4700:4700::1111", false}, {"2001:4860:4860::8888", false}, {"[2a00:1450:4001:80b::200a]", false},
      {"::ffff:8.8.8.8", false},
      // IPv6: special
      {"::", true}, {"::1", true}, {"[::1]", true}, {"::ffff:10.0.0.1", true}, {"::ffff:127.0.0.1", true},
      {"::ffff:169.254.169.254", true}, {"::ffff:100.64.0.1", true}, {"::ffff:0.0.0.0", true}, {"fe80::1", true},
      {"[fe80::1]", true}, {"febf::1", true}, {"fc00::1", true}, {"fd00::1", true}, {"fec0::1", true},
      {"ff02::1", true}, {"ff05::2", true}, {"2001:db8::1", true}, {"2002:a00:1::1", true}, {"2001:0::1", true},
      {"64:ff9b::10.0.0.1", true}, {"100::1", true},
      // not an address at all
      {"", true}, {"example.com", true}, {"10.0.0", true}, {"1.2.3.4.5", true}, {"[]", true}, {"::g", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsSpecialAddress(c.ip), c.special) << c.ip;
  }
}

}  // namespace
}  // namespace tribune::notify
