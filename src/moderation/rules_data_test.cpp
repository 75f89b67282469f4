// Behaviour as data: every tests/moderation/<rule>.tsv line is `text<TAB>expected rules<TAB>expected action`.
// The driver runs the full engine (shipped policy, real lexicons), prints precision and recall of the
// file's rule and the share of right actions, and fails below the floors the file declares:
//   # floor: precision=0.90 recall=0.85 action=0.80
// A line `# article: TEXT` makes TEXT the article (CheckInput::article_text) of the lines after it, and
// `# languages: en ru fr` the edition's languages (site.languages; "en" when absent): tables of content
// rules list every language they hold lines in, so the language rule does not hold those lines.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

#include "support/moderation_table.hpp"
#include "moderation/factory.hpp"

namespace tribune::moderation {
namespace {

struct Floors {
  double precision = 0, recall = 0, action = 0;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}


// One engine per set of edition languages, built on first use (the lexicon cache makes the second fast).
class Engines {
 public:
  const RuleEngine* For(const std::string& languages) {
    auto it = engines_.find(languages);
    if (it != engines_.end()) return it->second.get();
    EngineConfig config;
    config.publisher_names = {"Tribune", "The Daily Tribune"};  // as site.publisher_names would
    config.cache_dir = ::testing::TempDir() + "tribune-rules-data-cache";
    std::istringstream in(languages);
    for (std::string l; in >> l;) config.languages.push_back(l);
    auto engine = BuildRuleEngine(config);
    if (!engine.ok()) {
      ADD_FAILURE() << engine.error().message;
      return nullptr;
    }
    return (engines_[languages] = std::move(engine).value()).get();
  }

 private:
  std::map<std::string, std::unique_ptr<RuleEngine>> engines_;
};

TEST(RulesData, EveryTableMeetsItsFloors) {
  Engines engines;
  ASSERT_NE(engines.For("en"), nullptr);
  const std::filesystem::path dir = std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation";
  ASSERT_TRUE(std::filesystem::exists(dir));
  int tables = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tsv") continue;
    ++tables;
    const std::string rule = entry.path().stem().string();
    std::ifstream in(entry.path());
    Floors floors;
    bool has_floor = false;
    int tp = 0, fp = 0, fn = 0, lines = 0, right_action = 0, action_lines = 0;
    std::string line;
    std::ostringstream misses;
    std::string article;
    const RuleEngine* engine = engines.For("en");
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      if (line.rfind("# languages:", 0) == 0) {  // the edition's languages (site.languages); default "en"
        engine = engines.For(line.substr(12));
        ASSERT_NE(engine, nullptr);
        continue;
      }
      if (line.rfind("# article:", 0) == 0) {  // the article the following lines are comments on
        article = line.substr(10);
        continue;
      }
      if (line[0] == '#') {
        if (line.find("floor:") != std::string::npos) {
          has_floor = true;
          std::sscanf(line.c_str() + line.find("floor:"), "floor: precision=%lf recall=%lf action=%lf", &floors.precision,
                      &floors.recall, &floors.action);
        }
        continue;
      }
      auto cols = Split(line, '\t');
      ASSERT_GE(cols.size(), 3u) << entry.path() << ":" << line_no << " needs 3 tab-separated columns";
      const std::string text = tribune::testing::UnescapeTableText(cols[0]);
      std::set<std::string> expected;
      if (cols[1] != "-")
        for (auto& r : Split(cols[1], ',')) expected.insert(r);
      Decision d = engine->Check(CheckInput{.text = text, .language = "en", .article_text = article});
      std::set<std::string> found;
      for (const auto& f : d.findings) found.insert(f.rule);
      ++lines;
      const bool want = expected.count(rule) > 0, got = found.count(rule) > 0;
      tp += want && got;
      fp += !want && got;
      fn += want && !got;
      if (want != got) misses << "  " << (want ? "missed: " : "false positive: ") << cols[0].substr(0, 100) << "\n";
      if (cols[2] != "*") {
        ++action_lines;
        if (cols[2] == ActionName(d.action)) {
          ++right_action;
        } else {
          misses << "  action " << ActionName(d.action) << " != " << cols[2] << ": " << cols[0].substr(0, 100) << "\n";
        }
      }
    }
    const double precision = tp + fp ? double(tp) / (tp + fp) : 1.0;
    const double recall = tp + fn ? double(tp) / (tp + fn) : 1.0;
    const double action = action_lines ? double(right_action) / action_lines : 1.0;
    std::printf("%-26s lines %4d  precision %.3f (floor %.2f)  recall %.3f (floor %.2f)  action %.3f (floor %.2f)\n",
                rule.c_str(), lines, precision, floors.precision, recall, floors.recall, action, floors.action);
    EXPECT_TRUE(has_floor) << entry.path() << " declares no floor";
    EXPECT_GE(precision, floors.precision) << rule << "\n" << misses.str();
    EXPECT_GE(recall, floors.recall) << rule << "\n" << misses.str();
    EXPECT_GE(action, floors.action) << rule << "\n" << misses.str();
  }
  EXPECT_GT(tables, 0);
}

}  // namespace
}  // namespace tribune::moderation
