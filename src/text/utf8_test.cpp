#include "text/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tribune::text {
namespace {

using namespace std::string_literals;

TEST(Utf8, EmptyStringIsValid) { EXPECT_TRUE(IsValidUtf8("")); }

TEST(Utf8, AsciiAndMultiByteCharactersAreValid) {
  EXPECT_TRUE(IsValidUtf8("hello"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));               // é, 2 bytes.
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));              // €, 3 bytes.
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));          // U+1F600, 4 bytes.
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF, the last code point.
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF\xEE\x80\x80"));  // U+D7FF and U+E000 frame the surrogates.
}

TEST(Utf8, NulAndControlsAreValidUtf8) { EXPECT_TRUE(IsValidUtf8("a\0b\x7F\xC2\x80"s)); }

TEST(Utf8, OverlongEncodingsAreRejected) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // '/' in 2 bytes.
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // "Modified UTF-8" NUL.
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in 3 bytes.
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes.
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes.
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes.
}

TEST(Utf8, SurrogatesAreRejected) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800.
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF.
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 surrogate pair.
}

TEST(Utf8, CodePointsAboveMaximumAreRejected) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000.
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xFE"));
}

TEST(Utf8, TruncatedSequencesAreRejected) {
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("abc\xF0\x9F"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82x"));    // Continuation replaced by ASCII.
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98" "a"));
}

TEST(Utf8, StrayContinuationBytesAreRejected) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("a\xBF" "b"));
  EXPECT_FALSE(IsValidUtf8("\xC3\xA9\xA9"));
}

TEST(Utf8, CountCodePointsCountsCharactersNotBytes) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("caf\xC3\xA9"), 4u);
  EXPECT_EQ(CountCodePoints("\xE2\x82\xAC\xF0\x9F\x98\x80!"), 3u);
  EXPECT_EQ(CountCodePoints("a\0b"s), 3u);
}

TEST(Utf8, EmptyAndAsciiWhitespaceAreBlank) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r\n\v\f"));
  EXPECT_FALSE(IsBlank(" a "));
  EXPECT_FALSE(IsBlank("."));
}

TEST(Utf8, UnicodeSpacesAreBlank) {
  EXPECT_TRUE(IsBlank("\xC2\xA0"));                // NBSP.
  EXPECT_TRUE(IsBlank("\xE3\x80\x80"));            // Ideographic space U+3000.
  EXPECT_TRUE(IsBlank(" \xC2\xA0\xE3\x80\x80\n"));
  EXPECT_TRUE(IsBlank("\xE1\x9A\x80"));            // U+1680.
  EXPECT_TRUE(IsBlank("\xE2\x80\x80\xE2\x80\x8B"));  // U+2000, U+200B.
  EXPECT_TRUE(IsBlank("\xE2\x80\xA8\xE2\x80\xA9\xE2\x80\xAF\xE2\x81\x9F"));  // U+2028 U+2029 U+202F U+205F.
  EXPECT_TRUE(IsBlank("\xEF\xBB\xBF"));            // U+FEFF.
}

TEST(Utf8, NonSpaceCharactersNextToUnicodeSpacesAreNotBlank) {
  EXPECT_FALSE(IsBlank("\xC2\xA0x"));
  EXPECT_FALSE(IsBlank("\xE2\x80\x8C"));  // U+200C (ZWNJ) is not in the list.
  EXPECT_FALSE(IsBlank("\xE3\x80\x81"));  // U+3001, ideographic comma.
}

TEST(Utf8, OrdinaryTextHasNoForbiddenControls) {
  EXPECT_FALSE(HasForbiddenControls(""));
  EXPECT_FALSE(HasForbiddenControls("line one\r\n\tline two\n"));
  EXPECT_FALSE(HasForbiddenControls("caf\xC3\xA9 \xC2\xA0 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(HasForbiddenControls("\xC2\xA0"));  // U+00A0 is just past C1.
}

TEST(Utf8, NulIsForbidden) { EXPECT_TRUE(HasForbiddenControls("a\0b"s)); }

TEST(Utf8, C0ControlsOtherThanTabNewlineReturnAreForbidden) {
  EXPECT_TRUE(HasForbiddenControls("\x01"));
  EXPECT_TRUE(HasForbiddenControls("bell\x07"));
  EXPECT_TRUE(HasForbiddenControls("\x1B[31m"));
  EXPECT_TRUE(HasForbiddenControls("\x1F"));
  EXPECT_TRUE(HasForbiddenControls("\v"));
}

TEST(Utf8, DelIsForbidden) { EXPECT_TRUE(HasForbiddenControls("x\x7F")); }

TEST(Utf8, C1ControlsAreForbidden) {
  EXPECT_TRUE(HasForbiddenControls("\xC2\x80"));   // U+0080.
  EXPECT_TRUE(HasForbiddenControls("a\xC2\x85"));  // U+0085 NEL.
  EXPECT_TRUE(HasForbiddenControls("\xC2\x9F"));   // U+009F.
}

TEST(Utf8, HtmlEscapeEscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST(Utf8, HtmlEscapeLeavesOtherTextAlone) {
  EXPECT_EQ(HtmlEscape(""), "");
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9 #1; ok"), "caf\xC3\xA9 #1; ok");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
}

}  // namespace
}  // namespace tribune::text
