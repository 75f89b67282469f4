// Search without a database: terms, the query syntax and its translations, snippets.
#include <gtest/gtest.h>

#include "news/search.hpp"

namespace tribune::news {
namespace {

std::vector<std::string> Terms(std::string_view text, std::string_view lang) {
  std::vector<std::string> out;
  for (auto& t : Tokenize(text, lang)) out.push_back(t.term);
  return out;
}

std::string Term(std::string_view word, std::string_view lang) {
  auto t = Terms(word, lang);
  return t.size() == 1 ? t[0] : "<" + std::to_string(t.size()) + " terms>";
}

TEST(SearchTokens, EnglishVariantsShareAStem) {
  EXPECT_EQ(Term("running", "en"), Term("runs", "en"));
  EXPECT_EQ(Term("Running", "en"), Term("run", "en"));
  EXPECT_EQ(Term("elections", "en-GB"), Term("election", "en"));
  EXPECT_NE(Term("running", "en"), "running");
}

TEST(SearchTokens, FrenchAndRussianStemsKeepTheirDiacriticsUntilAfterStemming) {
  EXPECT_EQ(Term("nationalités", "fr"), Term("nationalité", "fr"));
  EXPECT_EQ(Term("élections", "fr"), Term("election", "fr"));  // diacritics dropped after stemming
  // Russian adjective endings with "й" are stripped only if the "й" reaches the stemmer.
  EXPECT_EQ(Term("красный", "ru"), Term("красная", "ru"));
  EXPECT_EQ(Term("Москвы", "ru"), Term("москва", "ru"));
}

TEST(SearchTokens, UnknownLanguageFoldsWithoutStemming) {
  EXPECT_EQ(Term("Running", "xx"), "running");
  EXPECT_EQ(Term("ＦＵＬＬ", ""), "full");  // NFKC: full-width letters
  EXPECT_EQ(Term("Straße", "xx"), "strasse");
}

TEST(SearchTokens, WordsSplitAtPunctuationAndKeepTheirSpans) {
  const std::string text = "L'homme, covid-19 & «Paris»";
  auto toks = Tokenize(text, "");
  ASSERT_EQ(toks.size(), 5u);
  EXPECT_EQ(toks[0].term, "l");
  EXPECT_EQ(toks[1].term, "homme");
  EXPECT_EQ(text.substr(toks[1].begin, toks[1].end - toks[1].begin), "homme");
  EXPECT_EQ(toks[2].term, "covid");
  EXPECT_EQ(toks[3].term, "19");
  EXPECT_EQ(text.substr(toks[4].begin, toks[4].end - toks[4].begin), "Paris");
  EXPECT_TRUE(Tokenize(std::string(kMaxTermBytes + 1, 'a'), "").empty());
}

TEST(SearchTokens, StemmerLanguagesIncludeTheEditions) {
  auto langs = StemmerLanguages();
  for (const char* l : {"english", "french", "russian", "german", "spanish", "italian"}) {
    EXPECT_NE(std::find(langs.begin(), langs.end(), l), langs.end()) << l;
  }
}

TEST(SearchTokens, MarkdownPlainKeepsOffsetsAndDropsLinkTargets) {
  const std::string md = "# Title\n**bold** [link](https://evil.example/x) `code`";
  const std::string plain = MarkdownPlain(md);
  EXPECT_EQ(plain.size(), md.size());
  EXPECT_EQ(plain.find("evil"), std::string::npos);
  EXPECT_NE(plain.find("bold"), std::string::npos);
  EXPECT_NE(plain.find("link"), std::string::npos);
  EXPECT_EQ(plain.find('*'), std::string::npos);
}

TEST(SearchQuery, ParsesWordsPhrasesExclusionsAndPrefixes) {
  auto q = ParseQuery(R"(brexit "trade deal" -football econom*)");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->terms.size(), 4u);
  EXPECT_EQ(q->terms[0].words, (std::vector<std::string>{"brexit"}));
  EXPECT_TRUE(q->terms[1].phrase);
  EXPECT_EQ(q->terms[1].words, (std::vector<std::string>{"trade", "deal"}));
  EXPECT_TRUE(q->terms[2].exclude);
  EXPECT_TRUE(q->terms[3].prefix);
  EXPECT_EQ(q->terms[3].words, (std::vector<std::string>{"econom"}));
  auto neg_phrase = ParseQuery(R"(tax -"income tax")");
  ASSERT_TRUE(neg_phrase.ok());
  EXPECT_TRUE(neg_phrase->terms[1].exclude && neg_phrase->terms[1].phrase);
}

TEST(SearchQuery, RejectsWhatCannotBeSearchedWithAClearMessage) {
  struct Case {
    std::string q, says;
  } cases[] = {
      {"", "Type something"},
      {"   \t ", "Type something"},
      {std::string(kMaxQueryBytes + 1, 'a'), "too long"},
      {"\"open phrase", "quote is not closed"},
      {"a b c d e f g h i j k l m", "too many terms"},
      {"-only -exclusions", "only exclusions"},
      {std::string("bad \xff utf8"), "UTF-8"},
      {std::string("nul \0 byte", 10), "control"},
      {"bell \x07", "control"},
  };
  for (const auto& c : cases) {
    auto q = ParseQuery(c.q);
    ASSERT_FALSE(q.ok()) << c.q;
    EXPECT_EQ(q.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(q.error().message.find(c.says), std::string::npos) << c.q << " → " << q.error().message;
  }
  auto punct = ParseQuery("!!! ^^^ ---");
  ASSERT_TRUE(punct.ok());
  auto compiled = CompileQuery(*punct, {"en"});
  ASSERT_FALSE(compiled.ok());
  EXPECT_NE(compiled.error().message.find("Nothing to search for"), std::string::npos);
  auto short_prefix = CompileQuery(*ParseQuery("ab*"), {"en"});
  ASSERT_FALSE(short_prefix.ok());
  EXPECT_NE(short_prefix.error().message.find("at least 3 letters"), std::string::npos);
  EXPECT_TRUE(CompileQuery(*ParseQuery("abc*"), {"en"}).ok());
  auto long_phrase = ParseQuery("\"one two three four five six seven eight nine\"");
  ASSERT_TRUE(long_phrase.ok());
  EXPECT_FALSE(CompileQuery(*long_phrase, {"en"}).ok());
}

TEST(SearchQuery, FtsOperatorsTypedByAReaderStayInsideQuotes) {
  auto q = ParseQuery(R"(NEAR(a b) OR title:x AND ^start {col} "x" NOT yes*)");
  ASSERT_TRUE(q.ok()) << q.error().message;
  auto c = CompileQuery(*q, {"xx"});
  ASSERT_TRUE(c.ok());
  const std::string m = Fts5Match(*c);
  // Outside quoted strings only the operators this code writes appear.
  std::string outside;
  bool in = false;
  for (char ch : m) {
    if (ch == '"') in = !in;
    else if (!in) outside += ch;
  }
  for (const char* bad : {":", "^", "{", "NEAR", "+"}) EXPECT_EQ(outside.find(bad), std::string::npos) << m;
  EXPECT_NE(m.find("\"near a\""), std::string::npos) << m;  // "NEAR(a": one word with punctuation → a phrase
  EXPECT_NE(m.find("\"yes\" *"), std::string::npos) << m;
}

TEST(SearchQuery, TranslatesToFts5AndTsquery) {
  auto q = ParseQuery(R"(running "new york" -football elect*)");
  ASSERT_TRUE(q.ok());
  auto c = CompileQuery(*q, {"en", "xx"});
  ASSERT_TRUE(c.ok());
  const std::string m = Fts5Match(*c);
  EXPECT_NE(m.find("(\"run\" OR \"running\")"), std::string::npos) << m;
  EXPECT_NE(m.find("\"new york\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"elect\" *"), std::string::npos) << m;
  EXPECT_NE(m.find(" NOT ("), std::string::npos) << m;
  const std::string t = TsQueryText(*c);
  EXPECT_NE(t.find("('run' | 'running')"), std::string::npos) << t;
  EXPECT_NE(t.find("('new' <-> 'york')"), std::string::npos) << t;
  EXPECT_NE(t.find("'elect':*"), std::string::npos) << t;
  EXPECT_NE(t.find("!("), std::string::npos) << t;
}

TEST(SearchSnippet, MarksMatchedWordsAndEscapesTheRest) {
  auto q = CompileQuery(*ParseQuery("elections"), {"en"});
  ASSERT_TRUE(q.ok());
  const std::string body =
      "Opening words that do not matter at all. <script>alert(1)</script> The election was close & tense.";
  const std::string s = Snippet({"Headline", "", body, "en"}, *q);
  EXPECT_NE(s.find("<mark>election</mark>"), std::string::npos) << s;
  EXPECT_NE(s.find("&lt;/script&gt;"), std::string::npos) << s;
  EXPECT_EQ(s.find("<script"), std::string::npos) << s;
  EXPECT_EQ(s.find("</script"), std::string::npos) << s;
  EXPECT_NE(s.find("&amp;"), std::string::npos) << s;
}

TEST(SearchSnippet, PicksTheWindowWithMostTermsAndCutsLongFields) {
  auto q = CompileQuery(*ParseQuery("harbour storm"), {"en"});
  ASSERT_TRUE(q.ok());
  std::string body;
  for (int i = 0; i < 100; ++i) body += "filler" + std::to_string(i) + " ";
  body += "harbour ";
  for (int i = 0; i < 100; ++i) body += "more" + std::to_string(i) + " ";
  body += "the storm hit the harbour at night. ";
  for (int i = 0; i < 100; ++i) body += "tail" + std::to_string(i) + " ";
  const std::string s = Snippet({"Title", "A lead without the words", body, "en"}, *q);
  EXPECT_NE(s.find("<mark>storm</mark> hit the <mark>harbour</mark>"), std::string::npos) << s;
  EXPECT_EQ(s.rfind("… ", 0), 0u) << s;
  EXPECT_NE(s.find(" …"), std::string::npos);
  EXPECT_LT(s.size(), 400u);
}

TEST(SearchSnippet, FallsBackToTheLeadWhenOnlyATagMatched) {
  auto q = CompileQuery(*ParseQuery("economy"), {"en"});
  const std::string s = Snippet({"Markets", "Shares rose <b>today</b>.", "Body text.", "en"}, *q);
  EXPECT_EQ(s, "Shares rose &lt;b&gt;today&lt;/b&gt;.");
}

}  // namespace
}  // namespace tribune::news
