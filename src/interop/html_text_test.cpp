#include "interop/html_text.hpp"

#include <gtest/gtest.h>

namespace tribune::interop {
namespace {

TEST(HtmlToText, DropsTagsAndKeepsParagraphsApart) {
  EXPECT_EQ(HtmlToText("<p>Visit my <b>shop</b>!</p><p>Second<br>line</p>"), "Visit my shop!\n\nSecond\nline");
  EXPECT_EQ(HtmlToText("Plain text stays."), "Plain text stays.");
  EXPECT_EQ(HtmlToText("<div>a</div>\n\n\n<div>b</div>"), "a\n\nb");
}

TEST(HtmlToText, DecodesReferencesAndKeepsBadOnes) {
  EXPECT_EQ(HtmlToText("Caf&eacute; &amp; &lt;b&gt; &#233; &#xE9; &#0; &bogus; 5 &lt 6"),
            "Caf&eacute; & <b> é é &#0; &bogus; 5 &lt 6");
  EXPECT_EQ(HtmlToText("&nbsp;x"), "\xC2\xA0x");
}

TEST(HtmlToText, DropsCommentsScriptsAndUnfinishedTags) {
  EXPECT_EQ(HtmlToText("a<!-- hidden -->b<script>evil()</script>c<style>p{}</style>d"), "abcd");
  EXPECT_EQ(HtmlToText("1 < 2 and <a href=\"x\">link</a> <unfinished"), "1 < 2 and link");
  EXPECT_EQ(HtmlToText("<script>never closed"), "");
  EXPECT_EQ(HtmlToText(""), "");
}

}  // namespace
}  // namespace tribune::interop
