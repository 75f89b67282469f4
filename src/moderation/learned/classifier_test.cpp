#include "moderation/learned/classifier.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace tribune::moderation::learned {
namespace {

std::vector<Feature> Extract(std::string_view s, const FeatureConfig& c = {}) {
  std::vector<Feature> f;
  ExtractFeatures(s, c, f);
  return f;
}

TEST(LearnedFeatures, CountsWordsBigramsAndCharacterNgrams) {
  FeatureConfig c;
  // "ab cd": words ab, cd (+ bigram); chars " ab cd " = 7 bytes → 5 + 4 + 3 n-grams of length 3/4/5.
  EXPECT_EQ(Extract("ab cd", c).size(), 2u + 1u + 12u);
  c.flags = kWordUnigrams;
  EXPECT_EQ(Extract("ab cd", c).size(), 2u);
  c.flags = kCharNgrams;
  EXPECT_EQ(Extract("ab, cd!!", c).size(), 12u);  // punctuation runs become one space
}

TEST(LearnedFeatures, AreDeterministicInRangeAndIgnoreLinksAndApostrophes) {
  FeatureConfig c;
  auto a = Extract("you don't say, see https://t.co/abc", c);
  EXPECT_EQ(a, Extract("you dont say, see", c));
  EXPECT_EQ(a, Extract("you don’t say, see www.example.com", c));
  for (Feature f : a) EXPECT_LT(FeatureBucket(f), c.buckets());
  EXPECT_TRUE(Extract("", c).empty());
  EXPECT_TRUE(Extract("  ,, ", c).empty());
  c.hash_seed = 1;
  EXPECT_NE(a, Extract("you don't say, see", c));
}

LinearModel SmallModel() {
  FeatureConfig c;
  c.hash_bits = 10;
  LinearModel m(c);
  for (size_t i = 0; i < m.weights().size(); ++i) m.weights()[i] = static_cast<float>(int(i % 7) - 3) * 0.25f;
  m.bias() = {-1.0f, 0.5f, 0.25f};
  return m;
}

TEST(LearnedModel, SerialisesAndParsesBack) {
  LinearModel m = SmallModel();
  std::string bytes = m.Serialize();
  EXPECT_EQ(bytes.size(), 48u + (3u + 3u * 1024u) * 4u + 8u);
  auto back = LinearModel::Parse(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->config(), m.config());
  EXPECT_EQ(back->weights(), m.weights());
  EXPECT_EQ(back->bias(), m.bias());
  auto f = Extract("some words here", m.config());
  EXPECT_EQ(back->Predict(f), m.Predict(f));
  auto p = m.Predict(f);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0f, 1e-5);
}

void ExpectRefused(std::string_view bytes, std::string_view message_part) {
  auto r = LinearModel::Parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find(message_part), std::string::npos) << r.error().message;
}

TEST(LearnedModel, RefusesCorruptOrTruncatedFiles) {
  const std::string good = SmallModel().Serialize();
  ExpectRefused("", "too short");
  ExpectRefused(good.substr(0, 20), "too short");
  ExpectRefused(good.substr(0, good.size() - 1), "truncated");
  ExpectRefused(good.substr(0, good.size() / 2), "truncated");
  ExpectRefused(good + "x", "trailing");
  std::string bad = good;
  bad[0] = 'X';
  ExpectRefused(bad, "magic");
  bad = good;
  bad[8] = 2;  // version
  ExpectRefused(bad, "version 2");
  bad = good;
  bad[16] = 4;  // classes
  ExpectRefused(bad, "classes");
  bad = good;
  bad[12] = 11;  // hash_bits: sizes no longer match
  ExpectRefused(bad, "weight count");
  bad = good;
  bad[1000] ^= 0x10;  // a weight
  ExpectRefused(bad, "checksum");
}

TEST(LearnedModel, SavesAndLoadsFiles) {
  const std::string path = ::testing::TempDir() + "/learned_model_test.bin";
  LinearModel m = SmallModel();
  ASSERT_TRUE(m.Save(path).ok());
  auto back = LinearModel::Load(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->weights(), m.weights());
  auto missing = LinearModel::Load(path + ".missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tribune::moderation::learned
