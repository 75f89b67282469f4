#include "text/markdown.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace tribune::text {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRel[] = R"( rel="nofollow ugc noopener")";

std::string Link(const std::string& escaped_href, const std::string& text) {
  return "<a href=\"" + escaped_href + "\"" + kRel + ">" + text + "</a>";
}

// --- Blocks and inline formatting ---------------------------------------------------------------

TEST(Markdown, EmptyInputRendersNothing) { EXPECT_EQ(RenderMarkdown(""), ""); }

TEST(Markdown, PlainTextBecomesAParagraph) {
  EXPECT_EQ(RenderMarkdown("Hello, world."), "<p>Hello, world.</p>\n");
}

TEST(Markdown, BlankLinesSeparateParagraphs) {
  EXPECT_EQ(RenderMarkdown("one\n\ntwo"), "<p>one</p>\n<p>two</p>\n");
}

TEST(Markdown, EmphasisStrongAndStrikethroughRender) {
  EXPECT_EQ(RenderMarkdown("*a* _b_ **c** __d__ ~~e~~"),
            "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong> <del>e</del></p>\n");
}

TEST(Markdown, InlineCodeRendersEscapedAndUndecoded) {
  EXPECT_EQ(RenderMarkdown("use `a < b && &amp;` here"),
            "<p>use <code>a &lt; b &amp;&amp; &amp;amp;</code> here</p>\n");
}

TEST(Markdown, FencedCodeBlockRendersAsPreCodeWithoutItsInfoString) {
  EXPECT_EQ(RenderMarkdown("```js\" onclick=\"x\nif (a<b) {}\n```"),
            "<pre><code>if (a&lt;b) {}\n</code></pre>\n");
}

TEST(Markdown, IndentedCodeBlockRendersAsPreCode) {
  EXPECT_EQ(RenderMarkdown("    x = 1\n    y = 2"), "<pre><code>x = 1\ny = 2\n</code></pre>\n");
}

TEST(Markdown, BlockquoteRenders) {
  EXPECT_EQ(RenderMarkdown("> quoted *text*"), "<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>\n");
}

TEST(Markdown, NestedBlockquoteRenders) {
  EXPECT_EQ(RenderMarkdown("> a\n>> b"),
            "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n");
}

TEST(Markdown, TightUnorderedListRendersWithoutParagraphs) {
  EXPECT_EQ(RenderMarkdown("- a\n- b"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
}

TEST(Markdown, LooseListRendersParagraphsInItems) {
  EXPECT_EQ(RenderMarkdown("* a\n\n* b"), "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n");
}

TEST(Markdown, OrderedListRendersAndKeepsItsStart) {
  EXPECT_EQ(RenderMarkdown("1. a\n2. b"), "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n");
  EXPECT_EQ(RenderMarkdown("3. c\n4. d"), "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n");
}

TEST(Markdown, NestedListRenders) {
  EXPECT_EQ(RenderMarkdown("- a\n  - b"), "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n");
}

TEST(Markdown, HardBreakBecomesBrAndSoftBreakANewline) {
  EXPECT_EQ(RenderMarkdown("a  \nb\nc\\\nd"), "<p>a<br>\nb\nc<br>\nd</p>\n");
}

TEST(Markdown, HeadingsBecomeStrongParagraphs) {
  EXPECT_EQ(RenderMarkdown("# Title *x*"), "<p><strong>Title <em>x</em></strong></p>\n");
  EXPECT_EQ(RenderMarkdown("Sub\n---"), "<p><strong>Sub</strong></p>\n");
  EXPECT_THAT(RenderMarkdown("###### six"), Not(HasSubstr("<h")));
}

TEST(Markdown, HorizontalRulesAreDropped) {
  EXPECT_EQ(RenderMarkdown("a\n\n---\n\nb"), "<p>a</p>\n<p>b</p>\n");
  EXPECT_EQ(RenderMarkdown("***"), "");
}

TEST(Markdown, TablesAreNotRecognised) {
  const std::string html = RenderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |");
  EXPECT_THAT(html, Not(HasSubstr("<table")));
  EXPECT_THAT(html, HasSubstr("| a | b |"));
}

// --- Images ---------------------------------------------------------------------------------

TEST(Markdown, ImagesBecomeTheirAltText) {
  EXPECT_EQ(RenderMarkdown("see ![a cat](http://x/cat.png \"title\") here"), "<p>see a cat here</p>\n");
}

TEST(Markdown, ImageAltTextIsPlainAndEscaped) {
  EXPECT_EQ(RenderMarkdown("![*b* <i> [c](http://x)](javascript:alert(1))"), "<p>b &lt;i&gt; c</p>\n");
}

TEST(Markdown, ImageInsideALinkRendersAsLinkedAltText) {
  EXPECT_EQ(RenderMarkdown("[![logo](http://x/l.png)](https://example.com)"),
            "<p>" + Link("https://example.com", "logo") + "</p>\n");
}

// --- Raw HTML and escaping ------------------------------------------------------------------

TEST(Markdown, ScriptTagIsEscaped) {
  EXPECT_EQ(RenderMarkdown("<script>alert('x')</script>"),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>\n");
}

TEST(Markdown, InlineHtmlIsEscaped) {
  EXPECT_EQ(RenderMarkdown("a <img src=x onerror=alert(1)> b"),
            "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n");
}

TEST(Markdown, HtmlCommentIsEscaped) {
  EXPECT_EQ(RenderMarkdown("<!-- hidden -->"), "<p>&lt;!-- hidden --&gt;</p>\n");
}

TEST(Markdown, HtmlBlockIsEscaped) {
  EXPECT_EQ(RenderMarkdown("<div onclick=\"x()\">\nhi\n</div>"),
            "<p>&lt;div onclick=&quot;x()&quot;&gt;\nhi\n&lt;/div&gt;</p>\n");
}

TEST(Markdown, QuotesAndAmpersandsInTextAreEscaped) {
  EXPECT_EQ(RenderMarkdown("Tom & Jerry's \"show\""), "<p>Tom &amp; Jerry&#39;s &quot;show&quot;</p>\n");
}

TEST(Markdown, BackslashEscapesProduceLiteralCharacters) {
  EXPECT_EQ(RenderMarkdown("\\*not em\\* \\<b\\>"), "<p>*not em* &lt;b&gt;</p>\n");
}

// --- Entities ---------------------------------------------------------------------------------

TEST(Markdown, EntitiesAreDecodedThenReEscaped) {
  EXPECT_EQ(RenderMarkdown("&amp; &lt; &#60; &#x3C; &quot; &apos;"),
            "<p>&amp; &lt; &lt; &lt; &quot; &#39;</p>\n");
}

TEST(Markdown, EntitiesDecodeToUtf8) {
  EXPECT_EQ(RenderMarkdown("&copy; &eacute; &#8364; &#x1F600; &nbsp;"),
            "<p>\xC2\xA9 \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xC2\xA0</p>\n");
}

TEST(Markdown, EntityDecodedToAngleBracketDoesNotBecomeATag) {
  EXPECT_EQ(RenderMarkdown("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
}

TEST(Markdown, UnknownNamedEntitiesStayLiteral) {
  EXPECT_EQ(RenderMarkdown("&foo; &Amp;"), "<p>&amp;foo; &amp;Amp;</p>\n");
}

TEST(Markdown, InvalidNumericEntitiesStayLiteral) {
  EXPECT_EQ(RenderMarkdown("&#0; &#xD800; &#x110000; &#1; &#x7F; &#x85;"),
            "<p>&amp;#0; &amp;#xD800; &amp;#x110000; &amp;#1; &amp;#x7F; &amp;#x85;</p>\n");
}

TEST(Markdown, NulCharacterBecomesReplacementCharacter) {
  EXPECT_EQ(RenderMarkdown("a\0b"s), "<p>a\xEF\xBF\xBD" "b</p>\n");
}

// --- Links: allowed schemes ---------------------------------------------------------------------

TEST(Markdown, HttpLinkGetsRel) {
  EXPECT_EQ(RenderMarkdown("[site](http://example.com/a?b=1&c=2)"),
            "<p>" + Link("http://example.com/a?b=1&amp;c=2", "site") + "</p>\n");
}

TEST(Markdown, HttpsLinkGetsRelAndKeepsInnerFormatting) {
  EXPECT_EQ(RenderMarkdown("[**bold** site](https://example.com)"),
            "<p>" + Link("https://example.com", "<strong>bold</strong> site") + "</p>\n");
}

TEST(Markdown, MailtoLinkGetsRel) {
  EXPECT_EQ(RenderMarkdown("[mail me](mailto:me@example.com)"),
            "<p>" + Link("mailto:me@example.com", "mail me") + "</p>\n");
}

TEST(Markdown, SchemeIsCaseInsensitive) {
  EXPECT_EQ(RenderMarkdown("[x](HTTPS://Example.com)"), "<p>" + Link("HTTPS://Example.com", "x") + "</p>\n");
}

TEST(Markdown, LinkTitleIsDropped) {
  EXPECT_EQ(RenderMarkdown("[x](http://a.com \"the \\\"title\\\"\")"),
            "<p>" + Link("http://a.com", "x") + "</p>\n");
}

TEST(Markdown, ReferenceLinksRender) {
  EXPECT_EQ(RenderMarkdown("[x][r]\n\n[r]: https://a.com/r"),
            "<p>" + Link("https://a.com/r", "x") + "</p>\n");
}

TEST(Markdown, AngleBracketAutolinkRenders) {
  EXPECT_EQ(RenderMarkdown("<https://a.com/x>"),
            "<p>" + Link("https://a.com/x", "https://a.com/x") + "</p>\n");
}

TEST(Markdown, EmailAutolinkBecomesMailto) {
  EXPECT_EQ(RenderMarkdown("<me@example.com>"),
            "<p>" + Link("mailto:me@example.com", "me@example.com") + "</p>\n");
}

TEST(Markdown, BareUrlIsAutolinked) {
  EXPECT_EQ(RenderMarkdown("go to https://example.com/p, now"),
            "<p>go to " + Link("https://example.com/p", "https://example.com/p") + ", now</p>\n");
}

TEST(Markdown, WwwAutolinkGetsHttpPrepended) {
  EXPECT_EQ(RenderMarkdown("see www.example.com today"),
            "<p>see " + Link("http://www.example.com", "www.example.com") + " today</p>\n");
}

TEST(Markdown, EntitiesInHrefAreDecodedThenEscaped) {
  EXPECT_EQ(RenderMarkdown("[x](http://a.com/?a=1&amp;b=&quot;2&quot;)"),
            "<p>" + Link("http://a.com/?a=1&amp;b=&quot;2&quot;", "x") + "</p>\n");
}

TEST(Markdown, SpacesInsideAnAngleBracketHrefArePercentEncoded) {
  EXPECT_EQ(RenderMarkdown("[x](<http://a.com/a b>)"), "<p>" + Link("http://a.com/a%20b", "x") + "</p>\n");
}

TEST(Markdown, AttributeInjectionStaysInsideTheEscapedHref) {
  const std::string html = RenderMarkdown("[x](http://a.com/\"onmouseover=alert(1))");
  EXPECT_EQ(html, "<p>" + Link("http://a.com/&quot;onmouseover=alert(1)", "x") + "</p>\n");
  EXPECT_THAT(html, Not(HasSubstr("\"onmouseover")));
}

TEST(Markdown, AttributeInjectionInABareUrlStaysInsideTheEscapedHref) {
  const std::string escaped = "http://a.com/&quot;onmouseover=alert(1)";
  EXPECT_EQ(RenderMarkdown("http://a.com/\"onmouseover=alert(1)"), "<p>" + Link(escaped, escaped) + "</p>\n");
}

TEST(Markdown, BareUrlWithoutADotInTheHostIsNotAutolinked) {
  EXPECT_EQ(RenderMarkdown("http://localhost"), "<p>http://localhost</p>\n");
}

TEST(Markdown, SingleQuoteInjectionStaysInsideTheEscapedHref) {
  EXPECT_EQ(RenderMarkdown("[x](http://a.com/'onmouseover='alert(1))"),
            "<p>" + Link("http://a.com/&#39;onmouseover=&#39;alert(1)", "x") + "</p>\n");
}

// --- Links: refused destinations render their text only ------------------------------------------

TEST(Markdown, JavascriptLinkRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](javascript:alert(1))"), "<p>x</p>\n");
}

TEST(Markdown, MixedCaseJavascriptLinkRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](JaVaScRiPt:alert(1))"), "<p>x</p>\n");
}

TEST(Markdown, JavascriptLinkWithLeadingSpaceRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x]( javascript:alert(1))"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](<  javascript:alert(1)>)"), "<p>x</p>\n");
}

TEST(Markdown, JavascriptLinkHiddenByEntityOrEscapeRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](java&#115;cript:alert(1))"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](javascript&colon;alert(1))"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](javascript\\:alert(1))"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](<java\tscript:alert(1)>)"), "<p>x</p>\n");
}

TEST(Markdown, JavascriptAngleAutolinkRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("<javascript:alert(1)>"), "<p>javascript:alert(1)</p>\n");
}

TEST(Markdown, ProtocolRelativeLinkRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](//evil)"), "<p>x</p>\n");
}

TEST(Markdown, DataLinkRendersAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](data:text/html,<script>alert(1)</script>)"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](data:text/html;base64,PHNjcmlwdD4=)"), "<p>x</p>\n");
}

TEST(Markdown, VbscriptAndFileLinksRenderAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](vbscript:msgbox(1))"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](file:///etc/passwd)"), "<p>x</p>\n");
}

TEST(Markdown, RelativeLinksRenderAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](/admin)"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](www.example.com)"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](#top)"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x]()"), "<p>x</p>\n");
}

TEST(Markdown, SchemeLookalikesRenderAsTextOnly) {
  EXPECT_EQ(RenderMarkdown("[x](httpx://a.com)"), "<p>x</p>\n");
  EXPECT_EQ(RenderMarkdown("[x](http.evil:a)"), "<p>x</p>\n");
}

TEST(Markdown, RefusedLinkKeepsItsInnerFormatting) {
  EXPECT_EQ(RenderMarkdown("[*a* `b`](javascript:x)"), "<p><em>a</em> <code>b</code></p>\n");
}

// --- Robustness -----------------------------------------------------------------------------

TEST(Markdown, OutputIsDeterministic) {
  const std::string input = "# t\n\n> *q* [l](http://a.com) ![i](x)\n\n- 1\n- 2\n\n```\nc\n```\n";
  EXPECT_EQ(RenderMarkdown(input), RenderMarkdown(input));
}

TEST(Markdown, DeeplyNestedInputDoesNotCrash) {
  const std::string quotes(5000, '>');
  EXPECT_THAT(RenderMarkdown(quotes + " x"), HasSubstr("x"));
  std::string brackets;
  for (int i = 0; i < 5000; ++i) brackets += "[";
  brackets += "x";
  for (int i = 0; i < 5000; ++i) brackets += "](http://a)";
  EXPECT_THAT(RenderMarkdown(brackets), Not(HasSubstr("<script")));
}

TEST(Markdown, UnbalancedMarkupDoesNotLeaveTagsOpen) {
  const std::string html = RenderMarkdown("**a *b [c](http://x.com");
  EXPECT_EQ(html, "<p>**a *b [c](" + Link("http://x.com", "http://x.com") + "</p>\n");
}

// md4c 0.4.8 lets a permissive autolink swallow an emphasis delimiter and then reports a span leave
// without its enter (or an enter without its leave); the output must stay balanced anyway.
TEST(Markdown, EmphasisDelimiterSwallowedByAutolinkDoesNotUnbalanceTags) {
  EXPECT_EQ(RenderMarkdown("www.b.org/!_x:* y_"),
            "<p>" + Link("http://www.b.org/!_x", "www.b.org/!_x") + ":* y</p>\n");
  EXPECT_EQ(RenderMarkdown(R"(_www..g(_\)"),
            "<p><em>" + Link(R"(http://www..g(_\)", R"(www..g(_\)") + "</em></p>\n");
}

TEST(Markdown, OutputDoesNotDependOnTheBytesAfterTheInput) {
  // md4c 0.4.8 reads past an input ending inside a link destination; a view into a larger buffer
  // whose next byte is ')' must render exactly like the same text on its own.
  for (const std::string text : {"[](a", "[x](y", "![](a", "![](ja](script:alert(2)"}) {
    const std::string buffer = text + "))))";
    EXPECT_EQ(RenderMarkdown(std::string_view(buffer).substr(0, text.size())), RenderMarkdown(text)) << text;
  }
}

TEST(Markdown, InputsThatMakeMd4cReportBogusLengthsComeBackEscaped) {
  // Found by fuzz_markdown: md4c 0.4.8 reported a ~720 MB text for these; we must neither read out of
  // bounds nor allocate gigabytes.
  EXPECT_EQ(RenderMarkdown("[](a"), "<p>[](a</p>\n");
  const std::string second = "![alt *text* [x](http://e.x\")](http://exa- le.com/i.png) ![](ja~asrt''](''";
  const std::string html = RenderMarkdown(second);
  EXPECT_LT(html.size(), second.size() * 8);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace tribune::text
