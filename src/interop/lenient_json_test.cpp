#include "interop/lenient_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace tribune::interop {
namespace {

namespace json = boost::json;

json::value Strict(std::string_view s) { return json::parse(s); }

json::value Lenient(std::string_view s) {
  auto r = ParseLenientJson(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : json::value();
}

std::string ErrorOf(std::string_view s, size_t depth = 32) {
  auto r = ParseLenientJson(s, depth);
  EXPECT_FALSE(r.ok()) << s;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  return r.error().message;
}

TEST(LenientJson, StrictJsonGivesBoostsValue) {
  for (std::string_view s : {
           R"({"comment":{"text":"Café owners are idiots. Nice article."},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]})",
           R"([1, -0, 0.5, -12.5e3, 1E400, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 123456789012345678, 1234567890123456789])",
           R"({"a":1,"a":2,"b":[true,false,null,{}],"c":[],"d":"\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r"})",
           R"( "just a string" )", "0", "-1", "true", "null", "\"\\u0000\"",
       }) {
    EXPECT_EQ(Lenient(s), Strict(s)) << s;
  }
  // The kinds too (equality would also hold for int64 1 and uint64 1).
  EXPECT_TRUE(Lenient("-0").is_int64());
  EXPECT_TRUE(Lenient("18446744073709551615").is_uint64());
  EXPECT_TRUE(Lenient("18446744073709551616").is_double());
  EXPECT_TRUE(Lenient("1e2").is_double());
}

TEST(LenientJson, DoublesAreCorrectlyRoundedAndSaturate) {
  EXPECT_EQ(Lenient("0.1").as_double(), 0.1);
  EXPECT_EQ(Lenient("-12.44674407370184412345678").as_double(), -12.44674407370184412345678);
  EXPECT_EQ(Lenient("1e400").as_double(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Lenient("-1e400").as_double(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Lenient("1e-400").as_double(), 0.0);
  EXPECT_TRUE(std::signbit(Lenient("-1e-400").as_double()));
  EXPECT_EQ(Lenient("0e400").as_double(), 0.0);  // boost 1.81: NaN
  EXPECT_EQ(Lenient("0.000e99999999999999999999").as_double(), 0.0);
  EXPECT_EQ(Lenient("-9223372036854775808").as_int64(), INT64_MIN);
  EXPECT_EQ(Lenient("99999999999999999999").as_double(), 1e20);
}

TEST(LenientJson, CommentoPlusPlusBodyParses) {
  const std::string body =
      "{comment: {text: \"You idiot\"},\n       languages: [\"en\"],\n       requestedAttributes: {TOXICITY:{}} }";
  EXPECT_EQ(Lenient(body), Strict(R"({"comment":{"text":"You idiot"},"languages":["en"],"requestedAttributes":{"TOXICITY":{}}})"));
}

TEST(LenientJson, RawControlCharactersInStringsAreKept) {
  const std::string body = "{comment: {text: \"line one\nline\ttwo\r\x01 end\"}}";
  json::value v = Lenient(body);
  EXPECT_EQ(v.at("comment").at("text").as_string(), "line one\nline\ttwo\r\x01 end");
  EXPECT_EQ(Lenient("{$a_1: 2}").at("$a_1"), 2);
}

TEST(LenientJson, UnicodeEscapesAndUtf8) {
  EXPECT_EQ(Lenient(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Lenient("\"\xF0\x9F\x98\x80\"").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_NE(ErrorOf(R"("\ud800")").find("lone surrogate at byte 1"), std::string::npos);
  EXPECT_NE(ErrorOf(R"("\udc00x")").find("lone surrogate"), std::string::npos);
  EXPECT_NE(ErrorOf(R"("\ud800\u0041")").find("lone surrogate"), std::string::npos);
  EXPECT_NE(ErrorOf("\"ab\xC3\x28\"").find("invalid UTF-8 at byte 3"), std::string::npos);
  ErrorOf("\"\xED\xA0\x80\"");      // UTF-8 surrogate
  ErrorOf("\"\xC0\x80\"");          // overlong NUL
  ErrorOf("\"\xF4\x90\x80\x80\"");  // above U+10FFFF
  ErrorOf("\"\xE2\x82\"");          // truncated
  ErrorOf(R"("\x")");
  ErrorOf(R"("\u12G4")");
}

TEST(LenientJson, ErrorsNameTheByteOffset) {
  EXPECT_EQ(ErrorOf(""), "unexpected end of input at byte 0");
  EXPECT_EQ(ErrorOf("{\"a\" 1}"), "expected ':' at byte 5");
  EXPECT_EQ(ErrorOf("[1,]"), "unexpected character at byte 3");
  EXPECT_EQ(ErrorOf("[1 2]"), "expected ',' or ']' at byte 3");
  EXPECT_EQ(ErrorOf("{} x"), "unexpected data after the value at byte 3");
  EXPECT_EQ(ErrorOf("{a-b: 1}"), "expected ':' at byte 2");
  EXPECT_EQ(ErrorOf("\"abc"), "unterminated string at byte 4");
  EXPECT_EQ(ErrorOf("tru"), "invalid literal at byte 0");
  for (std::string_view bad : {"01", "-", "1.", ".5", "+1", "1e", "1e+", "NaN", "'a'", "{,}", "[", "{\"a\":1,}",
                               "// c\n1", "{'a':1}", "{: 1}"}) {
    ErrorOf(bad);
  }
}

TEST(LenientJson, DepthIsLimitedWithoutRecursion) {
  auto nested = [](size_t d) { return std::string(d, '[') + std::string(d, ']'); };
  EXPECT_TRUE(ParseLenientJson(nested(32)).ok());
  EXPECT_EQ(ErrorOf(nested(33)), "nesting deeper than 32 at byte 32");
  EXPECT_TRUE(ParseLenientJson(nested(3), 3).ok());
  ErrorOf(nested(4), 3);
  ErrorOf("{}", 0);
  // A million open brackets: an error, not a stack overflow, also with a huge limit.
  const std::string deep(1'000'000, '[');
  ErrorOf(deep);
  EXPECT_NE(ErrorOf(deep, 2'000'000).find("unexpected end of input"), std::string::npos);
  EXPECT_TRUE(ParseLenientJson(nested(100'000), 200'000).ok());
}

TEST(LenientJson, ReserialisedValueParsesStrictlyToTheSame) {
  const std::string body = "{comment: {text: \"a\nb\\u00e9\"}, n: [1.25, -3, {x: null}]}";
  json::value v = Lenient(body);
  EXPECT_EQ(json::parse(json::serialize(v)), v);
}

}  // namespace
}  // namespace tribune::interop
