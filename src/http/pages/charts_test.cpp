#include "http/pages/charts.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace tribune::http::charts {
namespace {

std::vector<double> Widths(const std::string& svg) {
  std::vector<double> out;
  static const std::regex bar(R"re(<rect class="bar [^"]*" x="[^"]*" y="[^"]*" width="([0-9.]+)")re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it) {
    out.push_back(std::stod((*it)[1]));
  }
  return out;
}

BarChart Chart() {
  BarChart c;
  c.id = "c";
  c.title = "Decisions";
  c.desc = "Per rule";
  c.no_data = "Nothing yet";
  c.series = {{"approved", "s0", "#1b5e20"}, {"rejected", "s1", "#a3121a"}};
  return c;
}

TEST(Charts, BarLengthsAreProportionalToTheValues) {
  BarChart c = Chart();
  c.rows = {{"form", {0, 10}}, {"hate", {0, 5}}, {"spam", {0, 2.5}}};
  const auto w = Widths(DrawBars(c));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0] / w[1], 2.0, 0.01);
  EXPECT_NEAR(w[1] / w[2], 2.0, 0.02);
}

TEST(Charts, StackedSegmentsAddUp) {
  BarChart c = Chart();
  c.rows = {{"form", {3, 1}}, {"hate", {0, 4}}};
  const auto w = Widths(DrawBars(c));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0] + w[1], w[2], 0.1);
}

TEST(Charts, LabelsAndTitlesAreEscaped) {
  BarChart c = Chart();
  c.title = "<script>alert(1)</script>";
  c.rows = {{"<b>x</b> & \"y\"", {1, 1}}};
  const std::string svg = DrawBars(c);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;b&gt;x&lt;/b&gt; &amp;"), std::string::npos);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"c-t\">"), std::string::npos);
  EXPECT_NE(svg.find("<desc id=\"c-d\">"), std::string::npos);
  EXPECT_EQ(svg.find("style="), std::string::npos);
}

TEST(Charts, EmptyDataDrawsTheNoDataState) {
  BarChart c = Chart();
  EXPECT_NE(DrawBars(c).find("Nothing yet"), std::string::npos);
  c.rows = {{"form", {0, 0}}};
  EXPECT_NE(DrawBars(c).find("class=\"no-data\""), std::string::npos);
  EXPECT_TRUE(Widths(DrawBars(c)).empty());
  LineChart l;
  l.id = "l";
  l.no_data = "Empty queue";
  l.points = {{"1 Jan", {0, 0}}};
  l.series = {{"median", "s0", "#14213d"}, {"oldest", "s1", "#a3121a"}};
  EXPECT_NE(DrawLines(l).find("Empty queue"), std::string::npos);
}

TEST(Charts, LinesHaveOnePolylinePerSeriesAndTicks) {
  LineChart l;
  l.id = "l";
  l.title = "Queue age";
  l.y_label = "hours";
  l.series = {{"median", "s0", "#14213d"}, {"oldest", "s1", "#a3121a"}};
  for (int i = 0; i < 30; ++i) l.points.push_back({"d" + std::to_string(i), {i * 0.5, i * 1.0}});
  const std::string svg = DrawLines(l);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n'), 0);
  size_t lines = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) ++lines;
  EXPECT_EQ(lines, 2u);
  EXPECT_NE(svg.find(">d29<"), std::string::npos);  // the last point is labelled
  EXPECT_NE(svg.find(">30<"), std::string::npos);   // top tick (max 29 -> step 10 -> 30)
}

TEST(Charts, NiceSteps) {
  EXPECT_DOUBLE_EQ(NiceStep(10, 4), 5);
  EXPECT_DOUBLE_EQ(NiceStep(7, 4), 2);
  EXPECT_DOUBLE_EQ(NiceStep(0.3, 4), 0.1);
  EXPECT_EQ(Number(3), "3");
  EXPECT_EQ(Number(2.25), "2.2");
}

}  // namespace
}  // namespace tribune::http::charts
