#include "news/feeds.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "common/clock.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace tribune::news {

namespace {

bool XmlAllowed(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when malformed (cp is then U+FFFD).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n = 0;
  uint32_t min = 0;
  if (c < 0x80) { cp = c; return 1; }
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; min = 0x10000; }
  else { cp = 0xFFFD; return 0; }
  if (i + n > s.size()) { cp = 0xFFFD; return 0; }
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) { cp = 0xFFFD; return 0; }
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { cp = 0xFFFD; return 0; }
  return n;
}

// Text with the characters XML 1.0 forbids removed (also used for JSON, so both feeds say the same).
std::string Clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(s, i, cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (XmlAllowed(cp)) out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string Absolute(const std::string& base, const std::string& url) {
  if (url.starts_with("/") && !url.starts_with("//")) return base + url;
  return url;
}

std::string ImageType(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  for (char& c : path) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".webp")) return "image/webp";
  if (path.ends_with(".gif")) return "image/gif";
  if (path.ends_with(".avif")) return "image/avif";
  if (path.ends_with(".svg")) return "image/svg+xml";
  return "image/jpeg";
}

std::string ArticleUrl(const FeedMeta& m, const Article& a) { return m.base_url + "/articles/" + a.slug; }

std::string Author(const FeedMeta& m, const Article& a) { return a.byline.empty() ? m.site_name : a.byline; }

int64_t Updated(const FeedMeta& m, const std::vector<Article>& items) {
  int64_t t = 0;
  for (const auto& a : items) t = std::max(t, a.published_at);
  return t == 0 ? m.now : t;
}

}  // namespace

std::string XmlEscape(std::string_view s) { return text::HtmlEscape(Clean(s)); }

std::string Rfc822Date(int64_t unix_micros) {
  return tribune::FormatRfc5322Date(unix_micros);
}

std::string AtomFeed(const FeedMeta& m, const std::vector<Article>& items) {
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" +
                  XmlEscape(m.language) + "\">\n";
  x += "<title>" + XmlEscape(m.title) + "</title>\n";
  x += "<id>" + XmlEscape(m.base_url + m.self_path) + "</id>\n";
  x += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(m.base_url + m.self_path) + "\"/>\n";
  x += "<link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(m.base_url + m.html_path) + "\"/>\n";
  x += "<updated>" + FormatRfc3339(Updated(m, items)) + "</updated>\n";
  x += "<author><name>" + XmlEscape(m.site_name) + "</name></author>\n";
  x += "<generator>Tribune</generator>\n";
  for (const auto& a : items) {
    const std::string url = ArticleUrl(m, a);
    x += "<entry>\n";
    x += "<title>" + XmlEscape(a.title) + "</title>\n";
    x += "<id>" + XmlEscape(url) + "</id>\n";
    x += "<link rel=\"alternate\" type=\"text/html\" href=\"" + XmlEscape(url) + "\"/>\n";
    x += "<published>" + FormatRfc3339(a.published_at) + "</published>\n";
    x += "<updated>" + FormatRfc3339(a.published_at) + "</updated>\n";
    x += "<author><name>" + XmlEscape(Author(m, a)) + "</name></author>\n";
    if (!a.section.empty()) x += "<category term=\"" + XmlEscape(a.section) + "\" scheme=\"" + XmlEscape(m.base_url + "/section/") + "\"/>\n";
    for (const auto& t : a.tags) x += "<category term=\"" + XmlEscape(t) + "\"/>\n";
    if (!a.lead.empty()) x += "<summary type=\"text\">" + XmlEscape(a.lead) + "</summary>\n";
    if (!a.image.url.empty()) {
      x += "<link rel=\"enclosure\" type=\"" + ImageType(a.image.url) + "\" href=\"" +
           XmlEscape(Absolute(m.base_url, a.image.url)) + "\"" +
           (a.image.caption.empty() ? "" : " title=\"" + XmlEscape(a.image.caption) + "\"") + "/>\n";
    }
    x += "<content type=\"html\">" + XmlEscape(text::RenderMarkdown(a.body)) + "</content>\n";
    x += "</entry>\n";
  }
  x += "</feed>\n";
  return x;
}

std::string RssFeed(const FeedMeta& m, const std::vector<Article>& items) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
      " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
      "<channel>\n";
  x += "<title>" + XmlEscape(m.title) + "</title>\n";
  x += "<link>" + XmlEscape(m.base_url + m.html_path) + "</link>\n";
  x += "<description>" + XmlEscape(m.title) + "</description>\n";
  x += "<language>" + XmlEscape(m.language) + "</language>\n";
  x += "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"" + XmlEscape(m.base_url + m.self_path) + "\"/>\n";
  x += "<lastBuildDate>" + Rfc822Date(Updated(m, items)) + "</lastBuildDate>\n";
  x += "<generator>Tribune</generator>\n";
  for (const auto& a : items) {
    const std::string url = ArticleUrl(m, a);
    x += "<item>\n";
    x += "<title>" + XmlEscape(a.title) + "</title>\n";
    x += "<link>" + XmlEscape(url) + "</link>\n";
    x += "<guid isPermaLink=\"true\">" + XmlEscape(url) + "</guid>\n";
    x += "<pubDate>" + Rfc822Date(a.published_at) + "</pubDate>\n";
    x += "<dc:creator>" + XmlEscape(Author(m, a)) + "</dc:creator>\n";
    if (!a.section.empty()) x += "<category>" + XmlEscape(a.section) + "</category>\n";
    for (const auto& t : a.tags) x += "<category>" + XmlEscape(t) + "</category>\n";
    if (!a.lead.empty()) x += "<description>" + XmlEscape(a.lead) + "</description>\n";
    if (!a.image.url.empty()) {
      // RSS wants a length; 0 is the usual "unknown".
      x += "<enclosure url=\"" + XmlEscape(Absolute(m.base_url, a.image.url)) + "\" length=\"0\" type=\"" +
           ImageType(a.image.url) + "\"/>\n";
    }
    x += "<content:encoded>" + XmlEscape(text::RenderMarkdown(a.body)) + "</content:encoded>\n";
    x += "</item>\n";
  }
  x += "</channel>\n</rss>\n";
  return x;
}

std::string JsonFeed(const FeedMeta& m, const std::vector<Article>& items) {
  namespace json = boost::json;
  json::object feed{{"version", "https://jsonfeed.org/version/1.1"},
                    {"title", Clean(m.title)},
                    {"home_page_url", m.base_url + m.html_path},
                    {"feed_url", m.base_url + m.self_path},
                    {"language", m.language}};
  json::array list;
  for (const auto& a : items) {
    const std::string url = ArticleUrl(m, a);
    json::object item{{"id", url},
                      {"url", url},
                      {"title", Clean(a.title)},
                      {"content_html", Clean(text::RenderMarkdown(a.body))},
                      {"date_published", FormatRfc3339(a.published_at)},
                      {"date_modified", FormatRfc3339(a.published_at)},
                      {"authors", json::array{json::object{{"name", Clean(Author(m, a))}}}},
                      {"language", a.language}};
    if (!a.lead.empty()) item["summary"] = Clean(a.lead);
    if (!a.image.url.empty()) item["image"] = Absolute(m.base_url, a.image.url);
    json::array tags;
    for (const auto& t : a.tags) tags.emplace_back(Clean(t));
    if (!tags.empty()) item["tags"] = std::move(tags);
    list.emplace_back(std::move(item));
  }
  feed["items"] = std::move(list);
  return json::serialize(feed);
}

}  // namespace tribune::news
