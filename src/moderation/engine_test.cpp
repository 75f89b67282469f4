#include "moderation/engine.hpp"

#include <gtest/gtest.h>

namespace tribune::moderation {
namespace {

const MinimalEngine kEngine(10);

Decision Check(std::string_view text) { return kEngine.Check(CheckInput{.text = text}); }

TEST(MinimalEngine, PublishesOrdinaryText) {
  Decision d = Check("Fine text");
  EXPECT_EQ(d.action, Action::kPublish);
  EXPECT_TRUE(d.findings.empty());
}

TEST(MinimalEngine, RejectsBlankTextUnderForm) {
  Decision d = Check(" \n\t\xC2\xA0");
  ASSERT_EQ(d.action, Action::kReject);
  ASSERT_EQ(d.findings.size(), 1u);
  EXPECT_EQ(d.findings[0].rule, "form");
}

TEST(MinimalEngine, CountsCodePointsNotBytesForTheLimit) {
  EXPECT_EQ(Check("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9").action,
            Action::kPublish);  // 10 x é = 20 bytes
  Decision d = Check("abcdefghijkl");
  ASSERT_EQ(d.action, Action::kReject);
  ASSERT_EQ(d.findings[0].spans.size(), 1u);
  EXPECT_EQ(d.findings[0].spans[0], (std::pair<size_t, size_t>{10, 12}));
}

TEST(MinimalEngine, RejectsControlCharactersWithTheirSpans) {
  Decision d = Check(std::string_view("ab\0c", 4));
  ASSERT_EQ(d.action, Action::kReject);
  ASSERT_EQ(d.findings[0].spans.size(), 1u);
  EXPECT_EQ(d.findings[0].spans[0], (std::pair<size_t, size_t>{2, 3}));
}

TEST(MinimalEngine, RejectsInvalidUtf8) { EXPECT_EQ(Check("a\xFF").action, Action::kReject); }

TEST(Findings, SerialiseAsTheApiShape) {
  std::string json = FindingsToJson({Finding{"form", 1.0, "r", {{1, 2}}}});
  EXPECT_EQ(json, R"([{"rule":"form","score":1E0,"reason":"r","spans":[[1,2]]}])");
}

}  // namespace
}  // namespace tribune::moderation
