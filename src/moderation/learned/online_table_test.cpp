#include "moderation/learned/online_table.hpp"

#include <gtest/gtest.h>

#include "moderation/learned/online_model.hpp"

namespace tribune::moderation::learned {
namespace {

TEST(OnlineTable, ReadsBothFormsAndSkipsCommentsAndBlankLines) {
  const std::string data =
      "# a comment\n"
      "# floor: precision=0.9 recall=0.9 action=0.9\n"
      "\n"
      "ok\tA perfectly normal comment about the budget.\n"
      "spam_scheme\tDouble your bitcoin, send 0.1 BTC now\n"
      "Buy cheap pills at pills.example\tdrugs,commercial_political_ads\treject\n"
      "The weather was lovely today\t-\tpublish\n"
      "Two lines\\nof text\t-\t*\r\n"
      "   \n";
  auto t = ParseTrainingTable(data, "t.tsv");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->size(), 5u);
  EXPECT_EQ((*t)[0].label, "ok");
  EXPECT_EQ((*t)[0].text, "A perfectly normal comment about the budget.");
  EXPECT_EQ((*t)[0].line, 4);
  EXPECT_EQ((*t)[1].label, "spam_scheme");
  EXPECT_EQ((*t)[2].label, "drugs");  // the first of several rules
  EXPECT_EQ((*t)[2].text, "Buy cheap pills at pills.example");
  EXPECT_EQ((*t)[3].label, "ok");     // "-"
  EXPECT_EQ((*t)[4].text, "Two lines\nof text");
}

TEST(OnlineTable, MalformedLinesAreErrorsNamingTheLineAndNothingIsTrained) {
  OnlineModel m;
  m.Update("A normal comment", "ok", 1);
  const std::string before = m.Serialize();
  struct Case {
    std::string data;
    std::string expect;
  };
  const Case cases[] = {
      {"ok\tfine\nspam_schem\tDouble your bitcoin\n", "t.tsv:2:"},      // unknown label, 2 columns
      {"ok\tfine\n\nsome text\tspam,hate\treject\n", "t.tsv:3: unknown rule id \"spam\""},
      {"ok\tfine\nsome text\t-\tban\n", "t.tsv:2: action must be"},
      {"just one column\n", "t.tsv:1:"},
      {"ok\t   \n", "t.tsv:1: empty text"},
      {"ok\tfine\nok\tbad \xff byte\n", "t.tsv:2: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    auto r = TrainFromTable(m, c.data, "t.tsv", 99);
    ASSERT_FALSE(r.ok()) << c.data;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    EXPECT_EQ(m.Serialize(), before) << "a bad table must train nothing";
  }
  auto good = TrainFromTable(m, "ok\tfine\nhate\tsomething hateful\n", "t.tsv", 99);
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->size(), 2u);
  EXPECT_EQ(m.Stats().updates, 3u);
  EXPECT_EQ(m.Stats().last_update_us, 99);
}

}  // namespace
}  // namespace tribune::moderation::learned
