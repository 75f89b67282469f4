// Shared pieces of the reader pages (front page, listings, article, standards, embed): which edition a page shows,
// article cards, and the page handlers RegisterReaderPages wires up.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/pages/site_page.hpp"
#include "news/news.hpp"

namespace tribune::http {

// The articles an edition shows: its own language; the default edition also shows every language that has no
// edition of its own.
struct EditionFilter {
  std::string language;
  std::vector<std::string> not_languages;
};
EditionFilter FilterFor(const SiteConfig& config, site::Lang edition);

// The edition asked for with ?lang= when it is one of the site's, else the default one.
site::Lang EditionOf(const SiteContext& ctx, const Request& req);

// "" for the default language, "?lang=fr" otherwise (keeps the reader in their edition across links).
std::string LangQuery(const SiteContext& ctx, site::Lang lang);
// "/" or "/fr/".
std::string EditionHome(const SiteContext& ctx, site::Lang lang);

// The cards of a list of articles (listing_card.mustache), concatenated.
std::string RenderCards(const SiteContext& ctx, site::Lang lang, const std::vector<news::Article>& items,
                        bool compact = false);

// A path segment with everything but unreserved characters percent-encoded (tags may hold spaces, Cyrillic).
std::string PathSegment(std::string_view s);

// A section's name in `lang`: the string "section.<slug>" when there is one (web/strings/sections.json), else the
// slug with dashes as spaces and a capital letter.
std::string SectionName(site::Lang lang, const std::string& slug);

// "© credit" (or the credit as it is when it already starts with ©).
std::string CreditLine(const std::string& credit);

Response FrontPage(SiteContext& ctx, const Request& req, site::Lang edition);
Response ListingPage(SiteContext& ctx, const Request& req, bool by_tag, const std::string& name);
Response ArticlePage(SiteContext& ctx, const Request& req, const std::string& slug);
Response StandardsPage(SiteContext& ctx, const Request& req);

}  // namespace tribune::http
