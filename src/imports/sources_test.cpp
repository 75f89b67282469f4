#include "imports/sources.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "imports/html_text.hpp"

namespace tribune::imports {
namespace {

class Keep : public RecordSink {
 public:
  void Article(const SourceArticle& a) override { articles.push_back(a); }
  void Thread(const SourceThread& t) override { threads.push_back(t); }
  void Comment(const SourceComment& c) override { comments.push_back(c); }
  std::vector<SourceArticle> articles;
  std::vector<SourceThread> threads;
  std::vector<SourceComment> comments;
};

Status Parse(SourceKind k, const std::string& xml, Keep& keep) {
  std::istringstream in(xml);
  return ParseSource(k, in, keep);
}

TEST(SourcesTest, Rss2Items) {
  Keep k;
  ASSERT_TRUE(Parse(SourceKind::kRss,
                    "<rss version=\"2.0\"><channel><title>Site</title><item><title>First &amp; best</title>"
                    "<link>https://old.example/a</link><guid>g-1</guid><description>&lt;p&gt;Lead&lt;/p&gt;"
                    "</description><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate><category>Politics</category>"
                    "<enclosure url=\"https://old.example/i.jpg\" type=\"image/jpeg\" length=\"1\"/></item>"
                    "<item><title>No guid</title><link>https://old.example/b</link></item></channel></rss>",
                    k)
                  .ok());
  ASSERT_EQ(k.articles.size(), 2u);
  EXPECT_EQ(k.articles[0].key, "g-1");
  EXPECT_EQ(k.articles[0].title, "First & best");
  EXPECT_EQ(k.articles[0].summary_html, "<p>Lead</p>");
  EXPECT_EQ(k.articles[0].published_at, 1055217600LL * 1'000'000);
  EXPECT_EQ(k.articles[0].tags, (std::vector<std::string>{"Politics"}));
  EXPECT_EQ(k.articles[0].image_url, "https://old.example/i.jpg");
  EXPECT_EQ(k.articles[1].key, "https://old.example/b");  // the link when there is no GUID
}

TEST(SourcesTest, AtomEntries) {
  Keep k;
  ASSERT_TRUE(Parse(SourceKind::kRss,
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>S</title><entry><title>E</title>"
                    "<link rel=\"alternate\" href=\"https://a.example/e\"/><id>urn:e1</id>"
                    "<updated>2020-02-03T04:05:06Z</updated><content type=\"html\">&lt;b&gt;x&lt;/b&gt;</content>"
                    "<category term=\"tech\"/><author><name>Ann</name></author></entry></feed>",
                    k)
                  .ok());
  ASSERT_EQ(k.articles.size(), 1u);
  EXPECT_EQ(k.articles[0].key, "urn:e1");
  EXPECT_EQ(k.articles[0].link, "https://a.example/e");
  EXPECT_EQ(k.articles[0].content_html, "<b>x</b>");
  EXPECT_EQ(k.articles[0].tags, (std::vector<std::string>{"tech"}));
  EXPECT_EQ(k.articles[0].author, "Ann");
  EXPECT_EQ(k.articles[0].published_at, ParseDate("2020-02-03T04:05:06+00:00"));
}

TEST(SourcesTest, DisqusThreadsAndPosts) {
  Keep k;
  ASSERT_TRUE(Parse(SourceKind::kDisqus,
                    "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">"
                    "<category dsq:id=\"1\"><title>General</title></category>"
                    "<thread dsq:id=\"10\"><link>https://old.example/a</link><title>A</title>"
                    "<createdAt>2013-01-01T00:00:00Z</createdAt></thread>"
                    "<post dsq:id=\"101\"><message><![CDATA[<p>Hi</p>]]></message><createdAt>2013-01-02T00:00:00Z"
                    "</createdAt><isDeleted>false</isDeleted><isSpam>true</isSpam><author><email>a@x.org</email>"
                    "<name>Ann</name><username>ann</username></author><thread dsq:id=\"10\"/>"
                    "<parent dsq:id=\"100\"/></post></disqus>",
                    k)
                  .ok());
  ASSERT_EQ(k.threads.size(), 1u);
  EXPECT_EQ(k.threads[0].key, "10");
  EXPECT_EQ(k.threads[0].link, "https://old.example/a");
  ASSERT_EQ(k.comments.size(), 1u);
  const auto& p = k.comments[0];
  EXPECT_EQ(p.key, "101");
  EXPECT_EQ(p.thread_key, "10");
  EXPECT_EQ(p.parent_key, "100");
  EXPECT_EQ(p.author_name, "Ann");
  EXPECT_EQ(p.author_email, "a@x.org");
  EXPECT_TRUE(p.spam);
  EXPECT_FALSE(p.deleted);
  EXPECT_EQ(p.body_html, "<p>Hi</p>");
  Keep wrong;
  auto st = Parse(SourceKind::kDisqus, "<rss/>", wrong);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("not a Disqus export"), std::string::npos);
}

TEST(SourcesTest, WxrPostsAndComments) {
  Keep k;
  ASSERT_TRUE(Parse(SourceKind::kWxr,
                    "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\" xmlns:content=\"http://purl.org/rss/1.0/"
                    "modules/content/\"><channel><item><title>P</title><link>https://wp.example/p</link>"
                    "<content:encoded>Body</content:encoded><wp:post_id>7</wp:post_id><wp:status>publish"
                    "</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2015-05-05 05:05:05"
                    "</wp:post_date_gmt><wp:comment><wp:comment_id>70</wp:comment_id><wp:comment_author>Bo"
                    "</wp:comment_author><wp:comment_content>Nice</wp:comment_content><wp:comment_approved>1"
                    "</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment><wp:comment>"
                    "<wp:comment_id>71</wp:comment_id><wp:comment_content>spam</wp:comment_content>"
                    "<wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>70</wp:comment_parent>"
                    "</wp:comment></item><item><title>Draft</title><wp:post_id>8</wp:post_id><wp:status>draft"
                    "</wp:status><wp:post_type>post</wp:post_type></item></channel></rss>",
                    k)
                  .ok());
  ASSERT_EQ(k.articles.size(), 2u);
  EXPECT_EQ(k.articles[0].key, "7");
  EXPECT_TRUE(k.articles[0].importable);
  EXPECT_FALSE(k.articles[1].importable);
  EXPECT_EQ(k.articles[0].published_at, ParseDate("2015-05-05T05:05:05Z"));
  ASSERT_EQ(k.comments.size(), 2u);
  EXPECT_EQ(k.comments[0].thread_key, "7");
  EXPECT_EQ(k.comments[0].parent_key, "");
  EXPECT_FALSE(k.comments[0].spam);
  EXPECT_EQ(k.comments[1].parent_key, "70");
  EXPECT_TRUE(k.comments[1].spam);
}

TEST(SourcesTest, Dates) {
  EXPECT_EQ(ParseDate("Thu, 01 Jan 1970 01:00:00 +0100"), 0);  // the epoch itself counts as unknown
  EXPECT_EQ(ParseDate("Fri, 02 Jan 1970 00:00:00 GMT"), 86400LL * 1'000'000);
  EXPECT_EQ(ParseDate("02 Jan 1970 05:00:00 EST"), (86400LL + 36000) * 1'000'000);
  EXPECT_EQ(ParseDate("1970-01-02T01:00:00+01:00"), 86400LL * 1'000'000);
  EXPECT_EQ(ParseDate("1970-01-02T00:00:00.250Z"), 86400LL * 1'000'000);
  EXPECT_EQ(ParseDate("yesterday"), 0);
}

TEST(HtmlTextTest, KeepsParagraphsAndLinksDropsScripts) {
  EXPECT_EQ(HtmlToMarkdown("<p>One <b>bold</b></p><p>Two<br>lines</p><script>alert(1)</script><style>p{}</style>"),
            "One bold\n\nTwo\nlines");
  EXPECT_EQ(HtmlToMarkdown("See <a href=\"https://x.example/a?b=1&amp;c=2\">this</a>."),
            "See [this](https://x.example/a?b=1&c=2).");
  EXPECT_EQ(HtmlToMarkdown("<a href=\"javascript:alert(1)\">click</a>"), "click");
  EXPECT_EQ(HtmlToMarkdown("5 * 3 &lt;b&gt; [x] &#233;t&#xE9; &nbsp; &bogus;"), "5 \\* 3 \\<b\\> \\[x\\] été &bogus;");
  EXPECT_EQ(HtmlToMarkdown("<ul><li>a</li><li>b</li></ul>"), "- a\n- b");
  EXPECT_EQ(HtmlToMarkdown("line one\nline two\n\npara", 1000, /*text_newlines=*/true), "line one\nline two\n\npara");
  EXPECT_EQ(HtmlToMarkdown("ctrl\x01" "char \xC2\x85!"), "ctrlchar !");
  EXPECT_EQ(HtmlToPlain("  <i>Title</i>\n with  spaces "), "Title with spaces");
  EXPECT_EQ(HtmlToMarkdown("\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9");  // cut at a character boundary
}

}  // namespace
}  // namespace tribune::imports
