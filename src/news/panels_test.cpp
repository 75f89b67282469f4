#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "news/panels.hpp"
#include "support/temp_database.hpp"

namespace tribune::news {
namespace {

const std::string kHeader = "Province/State,Country/Region,Lat,Long,1/22/20,1/23/20,3/9/23\n";

TEST(PanelCsvTest, ParsesRfc4180QuotingAndLineEnds) {
  auto rows = ParseCsv("\xEF\xBB\xBF" "a,\"Korea, South\",\"say \"\"hi\"\"\"\r\n,\"two\nlines\",\n\nlast");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"a", "Korea, South", "say \"hi\""}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"", "two\nlines", ""}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"last"}));
  EXPECT_FALSE(ParseCsv("a,\"open\nb").ok());
  EXPECT_FALSE(ParseCsv("a,b\"c\"").ok());
  EXPECT_FALSE(ParseCsv("a,\"b\"c").ok());
}

TEST(PanelCsvTest, SumsTheLastColumnOverEveryRow) {
  auto t = SumLatestColumn(kHeader + ",Afghanistan,33.9,67.7,0,0,209451\n"
                                     "\"Korea, South\",\"Korea, South\",35.9,127.7,1,1,30615522\n"
                                     "Repatriated Travellers,Canada,,,0,0,13\n",
                           "confirmed");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->date, "2023-03-09");
  EXPECT_EQ(t->total, 209451 + 30615522 + 13);
}

TEST(PanelCsvTest, RefusesBadFilesWithAClearMessage) {
  struct Case {
    std::string csv, needle;
  } cases[] = {
      {"", "empty"},
      {kHeader, "no data rows"},
      {"Country,Lat,Long,1/22/20\nX,1,2,3\n", "header"},
      {"Province/State,Country/Region,Lat,Long,total\n,X,1,2,3\n", "not a date"},
      {kHeader + ",X,1,2,0,0,12a\n", "not a whole number"},
      {kHeader + ",X,1,2,0,0,\n", "not a whole number"},
      {kHeader + ",X,1,2,0,5\n", "fields"},
      {kHeader + ",X,1,2,0,0,5,6\n", "fields"},
  };
  for (const auto& c : cases) {
    auto t = SumLatestColumn(c.csv, "deaths");
    ASSERT_FALSE(t.ok()) << c.csv;
    EXPECT_EQ(t.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(t.error().message.find(c.needle), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().message.find("deaths"), std::string::npos) << t.error().message;
  }
}

TEST(PanelCsvTest, ReadsTheThreeJhuFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("jhu-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* kind, const std::string& body) {
    std::ofstream(dir / ("time_series_covid19_" + std::string(kind) + "_global.csv")) << body;
  };
  write("confirmed", kHeader + ",A,0,0,1,2,1000\n,B,0,0,1,2,234567\n");
  write("deaths", kHeader + ",A,0,0,0,0,10\n,B,0,0,0,0,5\n");
  auto missing = ReadJhuCsse(dir.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("recovered"), std::string::npos);
  write("recovered", kHeader + ",A,0,0,0,0,900\n,B,0,0,0,0,0\n");
  auto p = ReadJhuCsse(dir.string());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->confirmed, 235567);
  EXPECT_EQ(p->deaths, 15);
  EXPECT_EQ(p->recovered, 900);
  EXPECT_EQ(p->as_of, "2023-03-09");
  EXPECT_EQ(p->source, "JHU CSSE");
  std::filesystem::remove_all(dir);
}

TEST(PanelCsvTest, GroupsDigitsByLanguage) {
  EXPECT_EQ(GroupDigits(1234567, "en"), "1,234,567");
  EXPECT_EQ(GroupDigits(1234567, "fr"), "1\u202F234\u202F567");
  EXPECT_EQ(GroupDigits(1234567, "ru"), "1\u00A0234\u00A0567");
  EXPECT_EQ(GroupDigits(999, "en"), "999");
}

TEST(PanelServiceTest, StoresReplacesAndTurnsPanelsOff) {
  testing::TempDatabase tmp;
  FakeClock clock;
  PanelService panels(tmp.db(), clock);
  Panel p{"covid-19", "jhu-csse", 10, 2, 5, "2023-03-09", "JHU CSSE", "https://example.org", true, 0};
  ASSERT_TRUE(panels.Store(p).ok());
  ASSERT_EQ(panels.Shown().size(), 1u);
  ASSERT_TRUE(panels.SetEnabled("covid-19", false).ok());
  EXPECT_TRUE(panels.Shown().empty());
  p.confirmed = 11;
  ASSERT_TRUE(panels.Store(p).ok());  // a new import keeps it off
  EXPECT_TRUE(panels.Shown().empty());
  EXPECT_EQ(panels.All()->at(0).confirmed, 11);
  EXPECT_EQ(panels.SetEnabled("nope", true).error().code, ErrorCode::kNotFound);
  p.name = "Bad Name";
  EXPECT_EQ(panels.Store(p).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM panels"), 1);
  ASSERT_TRUE(panels.SetEnabled("covid-19", true).ok());
  EXPECT_EQ(panels.Shown().at(0).confirmed, 11);
}

}  // namespace
}  // namespace tribune::news
