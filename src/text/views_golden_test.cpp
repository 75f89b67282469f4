// Behaviour lock for BuildViews and Squeeze1: every view's text and both offset arrays, the word spans and
// mixed_script_word, for a varied corpus, must equal what tests/text/views_golden.txt recorded. The views
// are rewritten for speed from time to time; views_test.cpp says what they mean, this says they did not move
// by a byte.
//
// Corpus: hand-picked edge cases, strings generated from a fixed seed out of pieces that exercise every
// branch (ASCII, leet, separators, runs, full-width, zero-width and bidi controls, combining stacks,
// look-alikes, ligatures, case-folding expansions, scripts without case, emoji, noncharacters), long
// generated comments, and every line of tests/moderation/*.tsv read at run time.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/golden.hpp"
#include "text/utf8.hpp"
#include "text/views.hpp"

namespace tribune::text {
namespace {

using tribune::testing::Digest;
using tribune::testing::Rng;

const std::filesystem::path kGolden =
    std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests" / "text" / "views_golden.txt";

std::vector<std::string> EdgeCases() {
  // clang-format off
  return {
      "", " ", "a", "A", "0", "4", "@", "!", "|", "+", "$", "rn", "m", "cl", "vv", "w", "Hello, World!",
      "fuck", "FUCK", "f.u.c.k", "f u c k", "f-u-c-k", "f_u_c_k", "f*u*c*k", "f'u'c'k", "f~u~c~k", "f.u-c.k",
      "f . u . c . k", "a.b", "a.b.c", "a b c d e f", "I am a b c", "fuuuuuck", "fuuck", "shiiiiit!!!!",
      "sh1t", "5h17", "b1tch", "@ss", "a$$", "$100", "2024", "4 you", "h4x0r", "l33t", "wow!!", "w0w!!!",
      "!!!", "1!1!", "|<", "+1", "c0ck+", "ｆｕｃｋ", "ＦＵＣＫ", "Ｆｕｌｌ", "раураl", "РАУРАL", "pаypal", "Café",
      "CAFÉ", "naïve", "Ångström", "Å", "K", "ﬁ", "ﬃ", "ﬀoo", "straße", "STRASSE", "ẞ", "İstanbul", "ısık",
      "ǅ", "ǈ", "ŉ", "ΐ", "ΰ", "ς", "Σίσυφος", "ͅ", "ᾳ", "ǰ", "Ⅻ", "ⓐⓑⓒ", "²³", "½", "㎏", "™", "℃",
      "a\xCC\x81", "a\xCC\x81\xCC\x82\xCC\x83\xCC\xA3", "\xCC\x81", "\xCC\x81\xCC\x81x", "e\xE2\x83\x9D",
      "f\xE2\x80\x8Bu\xE2\x80\x8B" "c\xE2\x80\x8Bk", "\xE2\x80\xAE" "kcuf", "\xEF\xBB\xBF" "bom",
      "soft\xC2\xADhyphen", "cgj\xCD\x8F" "x", "\xE2\x81\xA6iso\xE2\x81\xA9", "nbsp\xC2\xA0here",
      "ideo\xE3\x80\x80space", "tab\tnew\nline\r\n", "\x01\x02\x7F", "\xC2\x80\xC2\x9F", "\xEF\xBF\xBD",
      "\xEF\xBF\xBE", "\xF4\x8F\xBF\xBF", "\xEE\x80\x80", "\xCD\xB8", "\xD8\x80" "123", "😀", "👍🏽", "👨‍👩‍👧",
      "🇫🇷", "#️⃣", "한국어", "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "日本語テキスト", "ｶﾞｷﾞ", "ｱｲｳ", "中文字", "עברית",
      "العربية", "हिन्दी", "ไทย", "ελληνικά", "ΕΛΛΗΝΙΚΆ", "привет мир", "ПРИВЕТ", "ёлка Ёлка", "хуй", "xуй",
      "сука", "cука", "ℌ𝔢𝔩𝔩𝔬", "𝐟𝐮𝐜𝐤", "𝓯𝓾𝓬𝓴", "ⓕⓤⓒⓚ", "🅵🆄🅲🅺", "f\xE2\x80\x8D" "uck", "ａ．ｂ．ｃ．ｄ", "0o0o0",
      "1l1l1", "lI1|", "ooooo", "OOOOO", "0000", "aaaa bbbb", "ab ab ab", "Mr. A. B. Smith", "e.g. i.e.",
      "x-x-x-x", "x - x - x", "a'b'c", "don't", "l'été", "3.5 km", "example.com", "john@doe.com",
      "+1 (555) 123-4567", "C++ and C#", "😀a😀b😀c", "aaa\xCC\x81\xCC\x81" "aaa", "ꜰᴜᴄᴋ", "ƒuck", "ƭ", "ʃ", "ɑ",
      "ſ", "ﬅ", "ﬆ", "ǲ", "Ǳ", "ǆ", "ⅰⅱⅲ", "٣٤٥", "१२३", "１２３", "x１y", "１", "＠", "！", "｜", "＄", "＋",
      "ä\xCC\x88", "\xE0\xA4\x95\xE0\xA5\x8D",
  };
  // clang-format on
}

// Pieces for the generated strings: single characters and short tokens of every kind the views treat
// differently.
const std::vector<std::string>& Pieces() {
  // clang-format off
  static const std::vector<std::string> pieces = {
      "a", "b", "c", "e", "f", "i", "k", "l", "m", "n", "o", "r", "s", "t", "u", "v", "w", "x", "z", "A", "B",
      "F", "I", "K", "L", "O", "S", "T", "U", "0", "1", "2", "3", "4", "5", "7", "8", "9", "@", "$", "!", "|",
      "+", ".", "-", "_", "*", "'", "~", " ", " ", " ", "  ", "\t", "\n", ",", "?", ":", ";", "/", "#", "&",
      "(", ")", "\"", "rn", "cl", "vv", "nn", "ii", "fuck", "shit", "sh1t", "f.u.c.k", "h e l l o", "www",
      "é", "É", "ü", "ñ", "ç", "ø", "ł", "ß", "ẞ", "İ", "ı", "ǅ", "ŉ", "ſ", "ﬁ", "ﬃ", "Å", "K", "Ω", "µ", "а",
      "е", "о", "р", "с", "у", "х", "і", "ј", "ѕ", "А", "Е", "О", "Р", "С", "Х", "д", "ж", "ы", "ё", "Ё", "α",
      "ο", "ν", "ρ", "ς", "σ", "Σ", "ΐ", "ͅ", "ᾳ", "ｆ", "ｕ", "Ｆ", "Ｕ", "１", "！", "＠", "．", "　",
      "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x80\x8E", "\xE2\x80\xAE", "\xE2\x81\xA0",
      "\xE2\x81\xA6", "\xEF\xBB\xBF", "\xC2\xAD", "\xCD\x8F", "\xC2\xA0", "\xE2\x80\xAF", "\xCC\x81",
      "\xCC\x88", "\xCC\xA3", "\xCC\xB6", "\xD2\x89", "\xE2\x83\x9D", "\xE0\xA4\xBE", "\xE0\xA5\x8D",
      "\xE0\xA4\x95", "ⓐ", "²", "½", "Ⅻ", "™", "㎏", "𝐟", "𝓾", "🅵", "😀", "🏽", "🇫", "🇷", "👍", "한",
      "\xE1\x84\x92", "\xE1\x85\xA1", "日", "本", "ｶ", "ﾞ", "ア", "ה", "ع", "ก", "\xEF\xBF\xBD", "\xEF\xBF\xBE",
      "\xF4\x8F\xBF\xBF", "\xEE\x80\x80", "\xCD\xB8", "\xD8\x80", "\x01", "\x7F", "\xC2\x85", "ꜰ", "ƒ", "ɑ",
      "ǲ", "ⅰ", "٣", "१",
  };
  // clang-format on
  return pieces;
}

std::string Generated(Rng& rng) {
  const auto& pieces = Pieces();
  std::string s;
  const size_t n = 1 + rng.Below(60);
  for (size_t k = 0; k < n; ++k) {
    const std::string& p = pieces[rng.Below(pieces.size())];
    const size_t r = rng.Below(10);
    const size_t repeat = r < 7 ? 1 : r < 9 ? 2 + rng.Below(2) : 4 + rng.Below(6);  // runs ("fuuuuck")
    for (size_t j = 0; j < repeat; ++j) s += p;
    if (rng.Below(4) == 0) s += pieces[rng.Below(48)];  // mostly ASCII glue
  }
  return s;
}

// Comment-sized text, mostly ASCII words with the usual obfuscations, some non-ASCII words.
std::string GeneratedComment(Rng& rng) {
  // clang-format off
  static const std::vector<std::string> words = {
      "the", "The", "council", "vote", "was", "a", "total", "joke", "and", "I", "think", "mayor", "should",
      "resign", "NOW", "seriously", "what", "are", "they", "doing", "f*ck", "sh1t", "fuuuuck", "f.u.c.k",
      "b-u-l-l-s-h-i-t", "idiots", "1d10t", "@ss", "wow!!!", "2024", "$5,000", "3.5%", "km", "café", "naïve",
      "раураl", "ｆｕｃｋ", "привет", "déjà", "vu", "Straße", "über", "😀", "👍", "e-mail", "john@doe.com",
      "http://example.com/a-b", "**bold**", "_it_", "`code`", "#1", "C++", "don't", "it's", "U.S.A.", "Dr.",
      "yes", "no", "maybe", "???", "!!!!", "...", "--", "(sic)", "\"quoted\"", "l'été", "10/10", "x2",
      "4real",
  };
  // clang-format on
  std::string s;
  const size_t target = 300 + rng.Below(300);
  while (s.size() < target) {
    s += words[rng.Below(words.size())];
    const size_t g = rng.Below(20);
    s += g < 15 ? " " : g < 17 ? ", " : g < 19 ? ". " : "\n";
  }
  return s;
}

std::vector<std::string> Corpus() {
  std::vector<std::string> corpus = EdgeCases();
  Rng rng(20240607);
  for (int k = 0; k < 1200; ++k) corpus.push_back(Generated(rng));
  for (int k = 0; k < 150; ++k) corpus.push_back(GeneratedComment(rng));
  for (std::string& line : tribune::testing::RuleTableTexts(TRIBUNE_SOURCE_DIR))
    corpus.push_back(std::move(line));
  return corpus;
}

std::string ViewDigest(const View& v) {
  Digest d;
  d.Str(v.text).Ints(v.start).Ints(v.end);
  return d.Hex().substr(0, 8);
}

std::string Outputs(const TextViews& tv) {
  Digest words;
  for (const Word& w : tv.words) words.U64(w.begin).U64(w.end);
  words.U64(tv.mixed_script_word ? 1 : 0);
  return ViewDigest(tv.folded) + ' ' + ViewDigest(tv.skeleton) + ' ' + ViewDigest(tv.deleet) + ' ' +
         ViewDigest(tv.squeezed) + ' ' + ViewDigest(Squeeze1(tv.squeezed)) + ' ' +
         ViewDigest(Squeeze1(tv.deleet)) + ' ' + words.Hex().substr(0, 8);
}

bool SameView(const View& a, const View& b) {
  return a.text == b.text && a.start == b.start && a.end == b.end;
}

TEST(TextViewsGolden, EveryViewMatchesTheRecordedOutput) {
  const std::vector<std::string> corpus = Corpus();
  auto outputs = [](const std::string& in) {
    EXPECT_TRUE(IsValidUtf8(in)) << "\"" << in << "\"";
    const TextViews tv = BuildViews(in);
    const TextViews nw = BuildViews(in, /*with_words=*/false);
    EXPECT_TRUE(SameView(tv.folded, nw.folded) && SameView(tv.skeleton, nw.skeleton) &&
                SameView(tv.deleet, nw.deleet) && SameView(tv.squeezed, nw.squeezed))
        << "with_words changes the views of \"" << in << "\"";
    return Outputs(tv);
  };
  tribune::testing::RunGolden(
      kGolden, "views",
      "BuildViews outputs: input digest, then 32-bit digests of folded, skeleton, deleet,\n"
      "squeezed, Squeeze1(squeezed), Squeeze1(deleet), words+mixed_script_word.\n"
      "Written by src/text/views_golden_test.cpp with TRIBUNE_WRITE_GOLDEN=1.",
      corpus, EdgeCases().size() + 1350, outputs, [](const std::string&) {
        return std::string("(folded skeleton deleet squeezed squeeze1(squeezed) squeeze1(deleet) words)");
      });
}

}  // namespace
}  // namespace tribune::text
