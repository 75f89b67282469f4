// Syndication feeds of articles: Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1. Pure functions: the caller picks
// the articles (newest first, published only) and the feed's addresses; these only write the documents.
//
// Every entry carries: an absolute link, published/updated times (RFC 3339; RFC 822 in RSS), the byline as
// author, the tags as categories, the lead as summary, the body rendered from Markdown as the article page renders
// it (text/markdown.hpp, as escaped HTML), and the lead photo (Atom link rel="enclosure", RSS <enclosure>,
// JSON Feed "image"). Text is XML-escaped and characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE,
// U+FFFF, invalid UTF-8) are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "news/news.hpp"

namespace tribune::news {

struct FeedMeta {
  std::string title;      // "Tribune — World"
  std::string base_url;   // "https://news.example.org", no trailing slash
  std::string self_path;  // "/feeds/section/world.atom": the feed's own address
  std::string html_path;  // "/section/world": the page the feed mirrors
  std::string language;   // "en"
  std::string site_name;  // the author of last resort (an entry without byline)
  int64_t now = 0;        // micros; the feed's updated time when it has no entries
};

std::string AtomFeed(const FeedMeta& meta, const std::vector<Article>& items);
std::string RssFeed(const FeedMeta& meta, const std::vector<Article>& items);
std::string JsonFeed(const FeedMeta& meta, const std::vector<Article>& items);

// `s` with & < > " ' as entities and the characters XML 1.0 forbids removed (invalid UTF-8 becomes U+FFFD).
std::string XmlEscape(std::string_view s);
// "Tue, 01 Dec 2026 06:00:00 +0000" (RFC 822 as RSS 2.0 wants it).
std::string Rfc822Date(int64_t unix_micros);

}  // namespace tribune::news
