// Which push endpoints the site posts to: https on a public host (or the local test service when allowed),
// optionally only the hosts an operator lists. The connection itself is checked again at connect time
// (curl_push_client.cpp), since a public name may resolve to a private address.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <boost/url/parse.hpp>

#include "notify/push.hpp"

namespace tribune::notify {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool InV4(uint32_t ip, const char* net, int bits) {
  in_addr a{};
  inet_pton(AF_INET, net, &a);
  const uint32_t base = ntohl(a.s_addr);
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (ip & mask) == (base & mask);
}

bool SpecialV4(uint32_t ip) {
  static constexpr std::array<std::pair<const char*, int>, 16> kRanges{{
      {"0.0.0.0", 8},       {"10.0.0.0", 8},      {"100.64.0.0", 10},   {"127.0.0.0", 8},
      {"169.254.0.0", 16},  {"172.16.0.0", 12},   {"192.0.0.0", 24},    {"192.0.2.0", 24},
      {"192.88.99.0", 24},  {"192.168.0.0", 16},  {"198.18.0.0", 15},   {"198.51.100.0", 24},
      {"203.0.113.0", 24},  {"224.0.0.0", 4},     {"240.0.0.0", 4},     {"255.255.255.255", 32},
  }};
  return std::any_of(kRanges.begin(), kRanges.end(), [&](const auto& r) { return InV4(ip, r.first, r.second); });
}

bool SpecialV6(const unsigned char* b) {
  static constexpr unsigned char kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible/NAT64 forms carry a v4 address to judge.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return SpecialV4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | b[15]);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                   // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;   // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;   // fec0::/10 site-local (deprecated)
  if (b[0] == 0xff) return true;                            // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // 2001:db8::/32 documentation
  if (b[0] == 0x20 && b[1] == 0x02) return true;            // 6to4 wraps arbitrary v4 addresses
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return true;        // Teredo
  return (b[0] & 0xe0) != 0x20;                             // outside 2000::/3 global unicast
}

bool IsLocalhostName(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1";
}

bool HostAllowed(std::string_view host, const std::vector<std::string>& hosts) {
  if (hosts.empty()) return true;
  for (const std::string& entry : hosts) {
    const std::string e = Lower(entry);
    if (!e.empty() && e[0] == '.') {
      if (host.size() > e.size() && host.substr(host.size() - e.size()) == e) return true;
      if (host == std::string_view(e).substr(1)) return true;
    } else if (host == e) {
      return true;
    }
  }
  return false;
}

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

}  // namespace

bool IsSpecialAddress(std::string_view ip_literal) {
  std::string ip(ip_literal);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return SpecialV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) == 1) return SpecialV6(v6.s6_addr);
  return true;  // not an address at all: refuse
}

Result<Endpoint> ParseEndpoint(std::string_view url, const EndpointPolicy& policy) {
  if (url.empty()) return Bad("endpoint is required.");
  if (url.size() > policy.max_length) {
    return Bad("endpoint is longer than " + std::to_string(policy.max_length) + " characters.");
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Bad("endpoint is not an absolute URL.");
  const auto& u = *parsed;
  const std::string scheme = Lower(u.scheme());
  if (u.has_userinfo()) return Bad("endpoint must not carry a user name or password.");
  if (u.has_fragment()) return Bad("endpoint must not have a fragment.");
  if (!u.has_authority() || u.encoded_host().empty()) return Bad("endpoint has no host.");
  const std::string host = Lower(u.encoded_host_and_port().substr(0, u.encoded_host().size()));
  const bool local = IsLocalhostName(host);
  if (local) {
    if (!policy.allow_localhost) {
      return Bad("endpoint must be a push service on a public address (https), not this machine.");
    }
    if (scheme != "http" && scheme != "https") return Bad("endpoint must be an https URL.");
  } else {
    if (scheme != "https") return Bad("endpoint must be an https URL.");
    const auto kind = u.host_type();
    if (kind == boost::urls::host_type::ipv4 || kind == boost::urls::host_type::ipv6 ||
        kind == boost::urls::host_type::ipvfuture) {
      if (kind == boost::urls::host_type::ipvfuture || IsSpecialAddress(host)) {
        return Bad("endpoint must be a push service on a public address.");
      }
    } else {
      if (host.find('.') == std::string::npos || host.back() == '.' || host.ends_with(".localhost") ||
          host.ends_with(".local") || host.ends_with(".internal") || host.ends_with(".lan") ||
          host.ends_with(".home.arpa")) {
        return Bad("endpoint must be a push service on a public host name.");
      }
      if (host.find('%') != std::string::npos) return Bad("endpoint host must not be percent-encoded.");
      // A name ending in a number ("127.1", "0x7f.1", "10.1") is an IPv4 address to resolvers (WHATWG URL
      // "ends in a number"), so that it could name this machine or the private network.
      const std::string last = host.substr(host.rfind('.') + 1);
      if (last.find_first_not_of("0123456789") == std::string::npos || last.rfind("0x", 0) == 0) {
        return Bad("endpoint must be a push service on a public host name.");
      }
    }
    if (!HostAllowed(host, policy.hosts)) return Bad("endpoint is not on a push service this site accepts.");
  }
  Endpoint e;
  e.url = std::string(url);
  e.host = host;
  e.origin = scheme + "://" + host;
  if (u.has_port()) {
    const uint16_t port = u.port_number();
    if (port == 0) return Bad("endpoint has an invalid port.");
    if (!((scheme == "https" && port == 443) || (scheme == "http" && port == 80))) {
      e.origin += ":" + std::to_string(port);
    }
  }
  return e;
}

}  // namespace tribune::notify
