// Training and evaluation of the learned classifier (classifier.hpp): CSV reading, data cleaning,
// feature extraction through text::BuildViews, AdaGrad softmax regression, stratified k-fold
// cross-validation and its report. Used by tools/train_offensive and the tests; not linked into the
// server. Everything is deterministic for a given seed: own PRNG (splitmix64), fixed iteration
// order, folds trained in parallel threads but each fold single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/learned/classifier.hpp"

namespace tribune::moderation::learned {

// RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a field in double quotes may hold
// commas, newlines and doubled quotes (""). A quote inside an unquoted field is kept as a character.
// Errors: kBadRequest for an unterminated quoted field or text after a closing quote (line named).
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view data);

struct Example {
  std::string text;
  int label = kNeither;  // Class
};

// Reads the Davidson et al. CSV (columns looked up by name in the header: `class`, `tweet`) and cleans
// each tweet with CleanTweet. Rows whose class is not 0/1/2 are an error (row named).
Result<std::vector<Example>> LoadLabelledCsv(const std::string& path);

// Dataset cleaning for tweets: HTML entities decoded (&amp; &lt; &gt; &quot; &#39; &#NNN; &#xHH;),
// @handles and the retweet marker "RT" removed, invalid UTF-8 replaced by U+FFFD. News comments have
// none of these, so the model should not learn from them.
std::string CleanTweet(std::string_view tweet);

// `s` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
std::string RepairUtf8(std::string_view s);

// The features the detector computes at run time: ExtractFeatures(BuildViews(text).squeezed.text).
std::vector<Feature> Featurize(std::string_view text, const FeatureConfig& config);

struct TrainOptions {
  int epochs = 10;
  float learning_rate = 0.03f;  // AdaGrad base rate (chosen by 5-fold CV: 0.02–0.05 plateau)
  float l2 = 1e-6f;            // per-update L2 on the touched weights
  float balance = 0.5f;        // class weight (N / (K × N_c))^balance: 0 none, 1 fully balanced
  uint64_t seed = 20170311;
};

// Trains on examples[i] for i in `rows` (features precomputed). Deterministic.
LinearModel Train(const std::vector<std::vector<Feature>>& features, const std::vector<int>& labels,
                  const std::vector<size_t>& rows, const FeatureConfig& config, const TrainOptions& options);

// Fold index (0..k-1) for every example: each class is shuffled (seeded) and dealt round-robin.
std::vector<int> StratifiedFolds(const std::vector<int>& labels, int k, uint64_t seed);

struct Metrics {
  std::array<std::array<long, kNumClasses>, kNumClasses> confusion{};  // [true][predicted]
  long total() const;
  double precision(int c) const;
  double recall(int c) const;
  double f1(int c) const;
  long support(int c) const;
  double weighted_precision() const;
  double weighted_recall() const;
  double weighted_f1() const;
  double accuracy() const;
  void Add(int truth, int predicted) { ++confusion[truth][predicted]; }
};

// One-vs-rest counts at a probability threshold (what the detector emits).
struct ThresholdCounts {
  long tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 0; }
  double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 0; }
};

struct CrossValidation {
  Metrics pooled;                      // argmax predictions of every example by the fold that held it out
  std::vector<double> fold_weighted_f1;
  ThresholdCounts hate_at;             // P(hate) ≥ threshold vs class hate
  ThresholdCounts offensive_at;        // P(offensive) ≥ threshold vs class offensive
  ThresholdCounts toxic_at;            // P(hate)+P(offensive) ≥ threshold vs class hate or offensive
  double threshold = 0.5;
};

// k-fold stratified cross-validation; folds run on up to `threads` threads (results do not depend on it).
CrossValidation CrossValidate(const std::vector<std::vector<Feature>>& features, const std::vector<int>& labels,
                              const FeatureConfig& config, const TrainOptions& options, int folds, double threshold,
                              int threads);

// A plain-text report of a cross-validation (per-class and weighted P/R/F1, confusion matrix, ...).
std::string FormatReport(const CrossValidation& cv);

}  // namespace tribune::moderation::learned
