#include "imports/xml_stream.hpp"

#include <gtest/gtest.h>

namespace tribune::imports {
namespace {

class Collect : public XmlHandler {
 public:
  void Start(const XmlName& n, const std::vector<XmlAttr>&, int) override { starts.push_back(n.ns + ":" + n.name); }
  void End(const XmlName& n, std::string_view text, int) override { texts.push_back(n.name + "=" + std::string(text)); }
  std::vector<std::string> starts, texts;
};

std::string Parse(std::string_view xml, Collect& c) {
  auto st = ParseXmlString(xml, c);
  return st.ok() ? "" : st.error().message;
}

TEST(XmlStreamTest, ReadsElementsTextAndKnownNamespaces) {
  Collect c;
  EXPECT_EQ(Parse("<rss xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><item><title>A &amp; B</title>"
                  "<content:encoded><![CDATA[<p>x</p>]]></content:encoded></item></rss>",
                  c),
            "");
  EXPECT_EQ(c.starts, (std::vector<std::string>{":rss", ":item", ":title", "content:encoded"}));
  EXPECT_EQ(c.texts[0], "title=A & B");
  EXPECT_EQ(c.texts[1], "encoded=<p>x</p>");
}

TEST(XmlStreamTest, RefusesBillionLaughs) {
  Collect c;
  const std::string bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<lolz>&lol2;</lolz>";
  const std::string err = Parse(bomb, c);
  EXPECT_NE(err.find("declares the entity \"lol\""), std::string::npos) << err;
  EXPECT_TRUE(c.starts.empty());
}

TEST(XmlStreamTest, RefusesExternalEntities) {
  Collect c;
  const std::string err =
      Parse("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", c);
  EXPECT_NE(err.find("declares the entity \"x\""), std::string::npos) << err;
  for (const auto& t : c.texts) EXPECT_EQ(t.find("root:"), std::string::npos);
  // An undeclared entity is an error too, never a lookup.
  Collect d;
  EXPECT_NE(Parse("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r>&x;</r>", d).find("never read"), std::string::npos);
  EXPECT_TRUE(d.texts.empty());
}

TEST(XmlStreamTest, NamesAnUnsupportedEncoding) {
  Collect c;
  const std::string err = Parse("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><r/>", c);
  EXPECT_NE(err.find("\"KOI8-R\""), std::string::npos) << err;
}

TEST(XmlStreamTest, InvalidBytesForTheEncodingGiveLineAndColumn) {
  Collect c;
  const std::string err = Parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>caf\xE9 au lait</r>", c);
  EXPECT_NE(err.find("line 2, column"), std::string::npos) << err;
}

TEST(XmlStreamTest, Latin1AndWindows1252AreConvertedToUtf8) {
  Collect c;
  EXPECT_EQ(Parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>caf\xE9</r>", c), "");
  EXPECT_EQ(c.texts.back(), "r=caf\xC3\xA9");
  Collect d;
  EXPECT_EQ(Parse("<?xml version=\"1.0\" encoding=\"windows-1252\"?><r>\x93hi\x94</r>", d), "");
  EXPECT_EQ(d.texts.back(), "r=\xE2\x80\x9Chi\xE2\x80\x9D");
}

TEST(XmlStreamTest, TruncatedAndMismatchedAreMalformed) {
  Collect c;
  EXPECT_NE(Parse("<r><a>text</a>", c).find("malformed XML"), std::string::npos);
  Collect d;
  const std::string err = Parse("<r>\n<a>text</b></r>", d);
  EXPECT_NE(err.find("line 2"), std::string::npos) << err;
  EXPECT_NE(err.find("mismatched tag"), std::string::npos) << err;
}

TEST(XmlStreamTest, LimitsDepthAndText) {
  Collect c;
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "<a>";
  EXPECT_NE(Parse(deep, c).find("nested deeper"), std::string::npos);
  Collect d;
  XmlLimits small;
  small.max_text = 10;
  auto st = ParseXmlString("<r>0123456789abc</r>", d, small);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("more than 10 bytes"), std::string::npos);
}

}  // namespace
}  // namespace tribune::imports
