#include "moderation/learned/trainer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tribune::moderation::learned {
namespace {

TEST(LearnedCsv, ParsesQuotedFieldsDoubledQuotesAndNewlines) {
  auto rows = ParseCsv("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n3,plain \"q\",z");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"2", "two\nlines", ""}));
  EXPECT_EQ((*rows)[3], (std::vector<std::string>{"3", "plain \"q\"", "z"}));
  EXPECT_EQ(ParseCsv("\"\"\"\",x\n")->at(0), (std::vector<std::string>{"\"", "x"}));
}

TEST(LearnedCsv, RefusesAnUnterminatedQuote) {
  auto rows = ParseCsv("a,b\n1,\"open\n2,3\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message.find("line 2"), std::string::npos) << rows.error().message;
  EXPECT_FALSE(ParseCsv("a,\"b\"c\n").ok());
}

TEST(LearnedClean, DecodesEntitiesAndDropsHandlesAndRetweetMarkers) {
  EXPECT_EQ(CleanTweet("RT @some_one: fish &amp; chips &#8220;ok&#8221; &#128514;"),
            "   : fish & chips \u201cok\u201d \U0001F602");
  EXPECT_EQ(CleanTweet("ART and RTs stay; mail@example.com"), "ART and RTs stay; mail@example.com");
  EXPECT_EQ(CleanTweet("bad \xff byte &#xD800;"), "bad \uFFFD byte \uFFFD");
}

// A tiny synthetic, obviously separable task.
void Synthetic(std::vector<std::vector<Feature>>& features, std::vector<int>& labels, const FeatureConfig& config) {
  const char* hate[] = {"zorgs are vermin", "all zorgs are vermin and must go", "vermin zorgs again"};
  const char* offensive[] = {"this is blarg crap", "blarg you, crap", "what blarg crap this is"};
  const char* neither[] = {"the council met today", "the weather today is fine", "council budget news today"};
  for (int rep = 0; rep < 10; ++rep) {
    for (int i = 0; i < 3; ++i) {
      for (auto [set, label] : {std::pair{hate, kHate}, std::pair{offensive, kOffensive}, std::pair{neither, kNeither}}) {
        features.push_back(Featurize(set[i], config));
        labels.push_back(label);
      }
    }
  }
}

TEST(LearnedTrainer, IsDeterministicAndLearnsASeparableSet) {
  FeatureConfig config;
  config.hash_bits = 12;
  std::vector<std::vector<Feature>> features;
  std::vector<int> labels;
  Synthetic(features, labels, config);
  std::vector<size_t> all(labels.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  TrainOptions options;
  options.epochs = 5;
  const std::string a = Train(features, labels, all, config, options).Serialize();
  const std::string b = Train(features, labels, all, config, options).Serialize();
  EXPECT_EQ(a, b);
  options.seed += 1;
  EXPECT_NE(a, Train(features, labels, all, config, options).Serialize());

  auto model = LinearModel::Parse(a);
  ASSERT_TRUE(model.ok());
  EXPECT_GT(model->Predict(Featurize("zorgs are vermin", config))[kHate], 0.5f);
  EXPECT_GT(model->Predict(Featurize("blarg crap", config))[kOffensive], 0.5f);
  EXPECT_GT(model->Predict(Featurize("council news today", config))[kNeither], 0.5f);

  // Cross-validation does not depend on the number of threads.
  options.seed -= 1;
  CrossValidation one = CrossValidate(features, labels, config, options, 3, 0.5, 1);
  CrossValidation three = CrossValidate(features, labels, config, options, 3, 0.5, 3);
  EXPECT_EQ(one.pooled.confusion, three.pooled.confusion);
  EXPECT_EQ(one.fold_weighted_f1, three.fold_weighted_f1);
  EXPECT_GT(one.pooled.weighted_f1(), 0.9);
}

TEST(LearnedTrainer, StratifiedFoldsKeepClassShares) {
  std::vector<int> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(i < 10 ? kHate : i < 70 ? kOffensive : kNeither);
  auto fold = StratifiedFolds(labels, 5, 7);
  for (int k = 0; k < 5; ++k) {
    int counts[3] = {0, 0, 0};
    for (size_t i = 0; i < labels.size(); ++i) {
      if (fold[i] == k) ++counts[labels[i]];
    }
    EXPECT_EQ(counts[kHate], 2);
    EXPECT_EQ(counts[kOffensive], 12);
    EXPECT_EQ(counts[kNeither], 6);
  }
  EXPECT_EQ(fold, StratifiedFolds(labels, 5, 7));
}

TEST(LearnedMetrics, ComputesPerClassAndWeightedScores) {
  Metrics m;
  // hate: 1 right, 1 called offensive; offensive: 2 right; neither: 1 right, 1 called offensive.
  m.Add(kHate, kHate);
  m.Add(kHate, kOffensive);
  m.Add(kOffensive, kOffensive);
  m.Add(kOffensive, kOffensive);
  m.Add(kNeither, kNeither);
  m.Add(kNeither, kOffensive);
  EXPECT_DOUBLE_EQ(m.precision(kHate), 1.0);
  EXPECT_DOUBLE_EQ(m.recall(kHate), 0.5);
  EXPECT_DOUBLE_EQ(m.precision(kOffensive), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(kOffensive), 1.0);
  EXPECT_DOUBLE_EQ(m.weighted_recall(), 4.0 / 6.0);
  EXPECT_NEAR(m.weighted_f1(), (2.0 / 3 + 2.0 / 3 + 2.0 / 3) / 3, 1e-12);
}

}  // namespace
}  // namespace tribune::moderation::learned
