#include "site/templates.hpp"

#include <gtest/gtest.h>

namespace tribune::site {
namespace {

TEST(Templates, EveryTemplateParsesInEveryLanguageWithEveryStringKnown) {
  const auto errors = CheckTemplates();
  for (const auto& e : errors) ADD_FAILURE() << e;
}

TEST(Templates, VariablesAreEscapedAndStringsLocalised) {
  Data d;
  d.set("not_found", Bool(true));
  const std::string en = Render("error", Lang::kEn, d);
  EXPECT_NE(en.find("Page not found"), std::string::npos);
  const std::string ru = Render("error", Lang::kRu, d);
  EXPECT_NE(ru.find("Страница не найдена"), std::string::npos);

  Data page;
  page.set("title", "<script>alert(1)</script>");
  page.set("content", "<p>trusted</p>");
  const std::string html = Render("layout", Lang::kFr, page);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("<p>trusted</p>"), std::string::npos);
  EXPECT_NE(html.find("lang=\"\""), std::string::npos);  // unset variables render empty
  EXPECT_NE(html.find("Règles de la communauté"), std::string::npos);
}

TEST(Templates, AnUnknownTemplateRendersNothing) { EXPECT_EQ(Render("no_such_template", Lang::kEn, Data()), ""); }

}  // namespace
}  // namespace tribune::site
