#include "http/json_body.hpp"

#include <gtest/gtest.h>

namespace tribune::http {
namespace {

Request JsonRequest(std::string body, std::string type = "application/json") {
  Request r;
  r.headers = {{"content-type", std::move(type)}};
  r.body = std::move(body);
  return r;
}

ErrorCode CodeOf(const Request& r) {
  auto parsed = ParseJsonObject(r);
  return parsed.ok() ? ErrorCode::kInternal : parsed.error().code;
}

TEST(JsonBody, ChecksMediaTypeSyntaxUtf8AndNul) {
  EXPECT_TRUE(ParseJsonObject(JsonRequest(R"({"a":1})", "application/json; charset=utf-8")).ok());
  EXPECT_EQ(CodeOf(JsonRequest(R"({"a":1})", "text/plain")), ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(CodeOf(JsonRequest("{\"a\":")), ErrorCode::kBadRequest);
  EXPECT_EQ(CodeOf(JsonRequest("[1]")), ErrorCode::kBadRequest);
  EXPECT_EQ(CodeOf(JsonRequest("{\"a\":\"\xC3\x28\"}")), ErrorCode::kBadRequest);
  EXPECT_EQ(CodeOf(JsonRequest(R"({"a":"x\u0000y"})")), ErrorCode::kBadRequest);
  EXPECT_EQ(CodeOf(JsonRequest(R"({"a":{"b":["\u0000"]}})")), ErrorCode::kBadRequest);
  EXPECT_EQ(CodeOf(JsonRequest(std::string(100, '[') + std::string(100, ']'))), ErrorCode::kBadRequest);
}

TEST(JsonBody, FieldsAreStrictlyTyped) {
  auto obj = ParseJsonObject(JsonRequest(R"({"s":"x","n":5,"b":true,"id":"12","nid":7,"arr":["a"],"o":{}})"));
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(*GetString(*obj, "s", true), "x");
  EXPECT_FALSE(GetString(*obj, "n", true).ok());
  EXPECT_FALSE(GetString(*obj, "missing", true).ok());
  EXPECT_EQ(*GetString(*obj, "missing", false), "");
  EXPECT_TRUE(*GetBool(*obj, "b", false));
  EXPECT_FALSE(GetBool(*obj, "s", false).ok());
  EXPECT_EQ(**GetOptionalId(*obj, "id"), 12);
  EXPECT_EQ(**GetOptionalId(*obj, "nid"), 7);
  EXPECT_FALSE(GetOptionalId(*obj, "o").ok());
  EXPECT_FALSE(GetOptionalId(*obj, "s").ok());
  EXPECT_FALSE(GetOptionalId(*obj, "missing")->has_value());
  EXPECT_EQ(GetStringArray(*obj, "arr")->size(), 1u);
  EXPECT_FALSE(GetStringArray(*obj, "s").ok());
  EXPECT_NE(*GetObject(*obj, "o"), nullptr);
  EXPECT_FALSE(AllowOnly(*obj, {"s"}).ok());
  EXPECT_TRUE(AllowOnly(*obj, {"s", "n", "b", "id", "nid", "arr", "o"}).ok());
}

TEST(JsonBody, IdsAndLimits) {
  EXPECT_EQ(ParseId("123"), 123);
  EXPECT_FALSE(ParseId("0").has_value());
  EXPECT_FALSE(ParseId("-1").has_value());
  EXPECT_FALSE(ParseId("12a").has_value());
  EXPECT_FALSE(ParseId("99999999999999999999").has_value());
  Request r;
  r.query = "limit=500";
  EXPECT_EQ(*ParseLimit(r, 50, 200), 200);
  r.query = "limit=abc";
  EXPECT_FALSE(ParseLimit(r, 50, 200).ok());
  r.query = "limit=0";
  EXPECT_FALSE(ParseLimit(r, 50, 200).ok());
  r.query = "";
  EXPECT_EQ(*ParseLimit(r, 50, 200), 50);
}

}  // namespace
}  // namespace tribune::http
