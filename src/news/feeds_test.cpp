#include <gtest/gtest.h>

#include <expat.h>

#include <boost/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "news/feeds.hpp"

namespace tribune::news {
namespace {

// The document parsed by expat: element names in order, and the text of every element by name (concatenated).
struct Parsed {
  bool ok = false;
  std::string error;
  std::vector<std::string> elements;
  std::map<std::string, std::vector<std::string>> texts;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> attrs;
};

Parsed ParseXml(const std::string& doc) {
  struct State {
    Parsed p;
    std::vector<std::string> stack;
    std::vector<std::string> text;
  } st;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &st);
  XML_SetElementHandler(
      parser,
      [](void* u, const XML_Char* name, const XML_Char** atts) {
        auto* s = static_cast<State*>(u);
        s->stack.emplace_back(name);
        s->text.emplace_back();
        s->p.elements.emplace_back(name);
        std::map<std::string, std::string> a;
        for (int i = 0; atts[i]; i += 2) a[atts[i]] = atts[i + 1];
        s->p.attrs[name].push_back(std::move(a));
      },
      [](void* u, const XML_Char* name) {
        auto* s = static_cast<State*>(u);
        s->p.texts[name].push_back(s->text.back());
        s->stack.pop_back();
        s->text.pop_back();
      });
  XML_SetCharacterDataHandler(parser, [](void* u, const XML_Char* t, int len) {
    auto* s = static_cast<State*>(u);
    if (!s->text.empty()) s->text.back().append(t, static_cast<size_t>(len));
  });
  st.p.ok = XML_Parse(parser, doc.data(), static_cast<int>(doc.size()), 1) == XML_STATUS_OK;
  if (!st.p.ok) st.p.error = XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  return st.p;
}

const std::string kHostile = "<script>alert(1)</script> & ]]> \x01\x08\x0b\x1f bell\x7f \xEF\xBF\xBE end";

std::vector<Article> Articles() {
  Article a;
  a.id = 1;
  a.slug = "first";
  a.title = kHostile;
  a.lead = "Lead & <b>lead</b>";
  a.body = "Body with **bold** and <script>x()</script> and ]]>";
  a.section = "world";
  a.tags = {"climate", "a&b"};
  a.image = {"/media/photo.png", "A \"caption\"", "AP"};
  a.language = "en";
  a.byline = "Jane <Doe>";
  a.published_at = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
  Article b;
  b.id = 2;
  b.slug = "second";
  b.title = "Second";
  b.language = "en";
  b.published_at = 1'767'225'000'000'000;
  return {a, b};
}

FeedMeta Meta() {
  return FeedMeta{"Tribune — World", "https://news.example.org", "/feeds/section/world.atom", "/section/world", "en",
                  "Tribune", 1'767'300'000'000'000};
}

TEST(FeedsTest, AtomIsWellFormedAndCarriesEveryField) {
  const std::string doc = AtomFeed(Meta(), Articles());
  Parsed p = ParseXml(doc);
  ASSERT_TRUE(p.ok) << p.error << "\n" << doc;
  ASSERT_EQ(p.texts["entry"].size(), 2u);
  // Hostile title: escaped, forbidden characters dropped, the text intact otherwise.
  EXPECT_EQ(p.texts["title"][1], "<script>alert(1)</script> & ]]>  bell\x7f  end");
  EXPECT_EQ(doc.find("<script>"), std::string::npos);
  EXPECT_EQ(p.texts["id"][1], "https://news.example.org/articles/first");
  EXPECT_EQ(p.texts["published"][0], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(p.texts["updated"][0], "2026-01-01T00:00:00.000Z");  // the feed's: its newest entry
  EXPECT_EQ(p.texts["name"][1], "Jane <Doe>");
  EXPECT_EQ(p.texts["name"][2], "Tribune");  // no byline: the site
  EXPECT_EQ(p.texts["summary"][0], "Lead & <b>lead</b>");
  // The body as the article page renders it: HTML, raw HTML escaped inside it.
  const std::string& content = p.texts["content"][0];
  EXPECT_NE(content.find("<strong>bold</strong>"), std::string::npos) << content;
  EXPECT_EQ(content.find("<script>"), std::string::npos) << content;
  std::vector<std::string> terms;
  for (const auto& a : p.attrs["category"]) terms.push_back(a.at("term"));
  EXPECT_EQ(terms, (std::vector<std::string>{"world", "climate", "a&b"}));
  bool enclosure = false;
  for (const auto& a : p.attrs["link"]) {
    if (a.count("rel") && a.at("rel") == "enclosure") {
      enclosure = true;
      EXPECT_EQ(a.at("href"), "https://news.example.org/media/photo.png");
      EXPECT_EQ(a.at("type"), "image/png");
      EXPECT_EQ(a.at("title"), "A \"caption\"");
    }
    if (a.count("rel") && a.at("rel") == "self") {
      EXPECT_EQ(a.at("href"), "https://news.example.org/feeds/section/world.atom");
    }
  }
  EXPECT_TRUE(enclosure);
}

TEST(FeedsTest, RssIsWellFormedWithRfc822Dates) {
  const std::string doc = RssFeed(Meta(), Articles());
  Parsed p = ParseXml(doc);
  ASSERT_TRUE(p.ok) << p.error << "\n" << doc;
  ASSERT_EQ(p.texts["item"].size(), 2u);
  EXPECT_EQ(p.texts["pubDate"][0], "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(p.texts["guid"][0], "https://news.example.org/articles/first");
  EXPECT_EQ(p.texts["dc:creator"][0], "Jane <Doe>");
  EXPECT_EQ(p.attrs["enclosure"][0].at("url"), "https://news.example.org/media/photo.png");
  EXPECT_NE(p.texts["content:encoded"][0].find("<strong>bold</strong>"), std::string::npos);
  EXPECT_EQ(p.texts["title"][1], "<script>alert(1)</script> & ]]>  bell\x7f  end");
}

TEST(FeedsTest, EmptyFeedIsWellFormedAndDatedNow) {
  Parsed atom = ParseXml(AtomFeed(Meta(), {}));
  ASSERT_TRUE(atom.ok) << atom.error;
  EXPECT_EQ(atom.texts["entry"].size(), 0u);
  EXPECT_EQ(atom.texts["updated"][0], "2026-01-01T20:40:00.000Z");
  EXPECT_TRUE(ParseXml(RssFeed(Meta(), {})).ok);
}

TEST(FeedsTest, InvalidUtf8AndForbiddenCharactersNeverBreakTheDocument) {
  std::vector<Article> items = Articles();
  items[0].title = std::string("bad \xC3\x28 \xED\xA0\x80 \xF8\x88\x80\x80\x80 nul") + std::string(1, '\0') + "x";
  items[0].tags = {std::string("\x0c tag")};
  for (const std::string& doc : {AtomFeed(Meta(), items), RssFeed(Meta(), items)}) {
    Parsed p = ParseXml(doc);
    ASSERT_TRUE(p.ok) << p.error;
  }
  EXPECT_EQ(XmlEscape(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF"), "");
  EXPECT_EQ(XmlEscape("\t\n\r"), "\t\n\r");
}

TEST(FeedsTest, JsonFeedHasTheVersionItemsAndAbsoluteUrls) {
  FeedMeta m = Meta();
  m.self_path = "/feeds/all.json";
  m.html_path = "/";
  auto v = boost::json::parse(JsonFeed(m, Articles())).as_object();
  EXPECT_EQ(v.at("version").as_string(), "https://jsonfeed.org/version/1.1");
  EXPECT_EQ(v.at("feed_url").as_string(), "https://news.example.org/feeds/all.json");
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  const auto& first = items[0].as_object();
  EXPECT_EQ(first.at("url").as_string(), "https://news.example.org/articles/first");
  EXPECT_EQ(first.at("image").as_string(), "https://news.example.org/media/photo.png");
  EXPECT_EQ(first.at("date_published").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(first.at("authors").as_array()[0].as_object().at("name").as_string(), "Jane <Doe>");
  EXPECT_EQ(first.at("tags").as_array().size(), 2u);
  EXPECT_EQ(std::string(first.at("title").as_string()).find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace tribune::news
