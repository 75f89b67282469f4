// Links as promotion features: the URL finder (links_urls.hpp) finds them, this file sorts them into
// affiliate, messenger, profile and shop links. A link that is none of these — an article, a reference —
// is no feature: citing a source is not advertising.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation::promo_internal {
namespace {

// Query parameters that carry an affiliate or referral id. Amazon's own "ref_=" (navigation) is not one.
constexpr std::array<std::string_view, 17> kAffiliateParams{
    "ref",      "aff",        "affid",    "aff_id",    "affiliate", "affiliate_id", "partner", "partner_id", "partnerid",
    "referral", "referralcode", "refid",  "ref_id",    "referrer",  "invite",       "invite_code", "promocode"};
constexpr std::array<std::string_view, 6> kAffiliatePaths{"/ref/", "/aff/", "/affiliate/", "/partner/", "/invite/",
                                                          "/referral/"};
constexpr std::array<std::string_view, 11> kMessengerLinkHosts{
    "t.me", "telegram.me", "telegram.dog", "wa.me", "vk.me", "m.me", "ig.me", "signal.me", "chat.whatsapp.com",
    "api.whatsapp.com", "wa.link"};
// Pages that are somebody's channel or account as a whole (a video or a post is a citation).
constexpr std::array<std::string_view, 12> kProfileDomains{
    "linktr.ee", "onlyfans.com", "patreon.com", "boosty.to", "ko-fi.com", "buymeacoffee.com", "discord.gg",
    "taplink.cc", "lnk.bio", "beacons.ai", "fansly.com", "linkin.bio"};
constexpr std::array<std::string_view, 10> kShopTlds{"shop",     "store",    "sale",     "deals",  "market",
                                                      "buy",      "discount", "bargains", "boutique", "shopping"};
constexpr std::array<std::string_view, 19> kShopPaths{
    "/shop", "/store", "/product", "/item", "/itm/", "/buy", "/order", "/cart", "/checkout", "/catalog", "/dp/",
    "/gp/product", "/sale", "/deal", "/offer", "/promo", "/listing/", "/goods", "/tovar"};
// General-purpose shorteners: the destination is hidden. Amazon's amzn.to is an affiliate link instead.
constexpr std::array<std::string_view, 18> kShorteners{
    "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "clck.ru", "cutt.ly", "is.gd", "ow.ly", "rb.gy", "shorturl.at",
    "tiny.cc", "s.id", "v.gd", "t.ly", "surl.li", "vk.cc", "shorturl.asia", "u.to"};

template <size_t N>
bool In(std::string_view s, const std::array<std::string_view, N>& list) {
  for (std::string_view x : list) {
    if (s == x) return true;
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// "?name=" or "&name=" in a path with its query.
bool HasParam(std::string_view path, std::string_view name) {
  for (size_t at = path.find(name); at != std::string_view::npos; at = path.find(name, at + 1)) {
    if (at > 0 && (path[at - 1] == '?' || path[at - 1] == '&') && at + name.size() < path.size() &&
        path[at + name.size()] == '=')
      return true;
  }
  return false;
}

bool StartsWithSegment(std::string_view path, std::string_view prefix) { return path.starts_with(prefix); }

bool IsProfile(std::string_view host, std::string_view domain, std::string_view path) {
  if (In(domain, kProfileDomains)) return true;
  const bool has_path = path.size() > 1 && path[1] != '?' && path[1] != '#';
  if (domain == "youtube.com" || domain == "rutube.ru") {
    return StartsWithSegment(path, "/@") || StartsWithSegment(path, "/c/") ||
           StartsWithSegment(path, "/channel/") || StartsWithSegment(path, "/user/");
  }
  if (domain == "tiktok.com") return StartsWithSegment(path, "/@") && path.find("/video/") == std::string_view::npos;
  if (domain == "instagram.com") {
    return has_path && !StartsWithSegment(path, "/p/") && !StartsWithSegment(path, "/reel") &&
           !StartsWithSegment(path, "/tv/") && !StartsWithSegment(path, "/explore");
  }
  if (domain == "twitch.tv") return has_path && !StartsWithSegment(path, "/videos/");
  if (domain == "vk.com") {
    return has_path && !StartsWithSegment(path, "/wall") && !StartsWithSegment(path, "/video") &&
           !StartsWithSegment(path, "/feed");
  }
  (void)host;
  return false;
}

bool IsShop(const Url& url, std::string_view domain, std::string_view path) {
  const size_t dot = url.host_ascii.rfind('.');
  const std::string_view tld = dot == std::string::npos ? std::string_view() : std::string_view(url.host_ascii).substr(dot + 1);
  if (In(tld, kShopTlds) || In(domain, kShorteners)) return true;
  for (std::string_view p : kShopPaths) {
    if (path.find(p) != std::string_view::npos) return true;
  }
  if (domain.starts_with("aliexpress.") || domain == "avito.ru" || domain == "ozon.ru" || domain == "wildberries.ru" ||
      domain == "etsy.com" || domain.starts_with("ebay.")) {
    return path.size() > 1;
  }
  // A site's front page: someone sending readers to a site, not to an article there.
  return path.empty() || path == "/";
}

}  // namespace

void AddLinkFeatures(PromoScan& scan, const std::vector<Url>& urls) {
  for (const Url& url : urls) {
    if (url.is_ip) continue;
    const std::string host = Lower(url.host_ascii);
    // The registrable domain in ASCII: as many trailing labels of host_ascii as registrable_domain has.
    std::string domain = host;
    if (!url.registrable_domain.empty()) {
      size_t labels = 1 + static_cast<size_t>(std::count(url.registrable_domain.begin(), url.registrable_domain.end(), '.'));
      size_t cut = domain.size();
      while (labels-- > 0 && cut != std::string::npos) cut = cut == 0 ? std::string::npos : domain.rfind('.', cut - 1);
      if (cut != std::string::npos) domain.erase(0, cut + 1);
    }
    const std::string path = Lower(url.path);
    PromoFeature f{PromoKind::kShopLink, url.begin, url.end};
    bool affiliate = domain == "amzn.to" || (domain.starts_with("amazon.") && HasParam(path, "tag"));
    for (std::string_view param : kAffiliateParams) affiliate = affiliate || HasParam(path, param);
    for (std::string_view p : kAffiliatePaths) affiliate = affiliate || path.find(p) != std::string::npos;
    if (affiliate) {
      f.kind = PromoKind::kAffiliateLink;
    } else if (In(host, kMessengerLinkHosts) || In(domain, kMessengerLinkHosts)) {
      if (path.size() <= 1) continue;  // "t.me" on its own names the service
      f.kind = PromoKind::kHandle;
    } else if (IsProfile(host, domain, path)) {
      f.kind = PromoKind::kProfileLink;
    } else if (!IsShop(url, domain, path)) {
      continue;
    }
    // The handle scanner may have found this messenger link already (it also reads "t . me / x").
    bool covered = false;
    for (const PromoFeature& g : scan.out) covered |= g.kind == f.kind && g.begin < f.end && f.begin < g.end;
    if (!covered) scan.Add(f);
  }
}

}  // namespace tribune::moderation::promo_internal
