// Detector "learned": a linear classifier (moderation/learned/classifier.hpp) trained on labelled
// English tweets (Davidson et al. 2017: hate speech / offensive language / neither; data/models/README.md)
// adds a second opinion to the lexicon for the rules "hate" and "profanity".
//
// Signals (at most one per text: the classes are exclusive, and a threshold ≥ 0.5 lets only one pass):
//   P(hate)      ≥ threshold → rule "hate",      confidence min(P, hate_cap),      detail "learned: P(hate)=0.73"
//   P(offensive) ≥ threshold → rule "profanity", confidence min(P, profanity_cap), detail "learned: P(offensive)=0.81"
// The detail always shows the model's real probability. The model is a SUPPORTING signal: trained on
// tweets, it gives ordinary news sentences P(offensive) of 0.5-0.87 ("Bitcoin fell again today": 0.76,
// char n-grams), so it speaks only at P >= 0.9 and its confidence is capped below the hold line
// (shipped policy: hate 12 x 0.3 = 3.6, profanity 10 x 0.35 = 3.5, hold at 4). Alone it publishes
// (the finding is recorded); it adds to lexicon or other evidence, and its signals never make a
// comment rejectable by themselves (Signal::may_reject = false).
// "offensive" in the training data is mostly profanity and vulgar insults, so it maps to "profanity";
// nothing is emitted for "insult_threat" (the label does not tell insults from swearing, and addressed
// insults are the lexicon's job with its second-person rule).
// Span: the whole text. The model has no local evidence (it sums thousands of n-gram weights), so it
// cannot point at words; moderators see the lexicon's spans when there are any.
// Runs only when the edition's language is one of `languages` (the model knows English only).
// Thread-safe (the model is immutable; the feature buffer is thread-local), never throws, linear in the
// text: about 2,000 feature look-ups for a 500-byte comment.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"
#include "moderation/learned/classifier.hpp"

namespace tribune::moderation {

struct LearnedOptions {
  double threshold = 0.9;       // emit a class's rule only when its probability reaches this (>= 0.5)
  double hate_cap = 0.3;        // confidence cap for "hate"      (x weight 12 = 3.6 points, below hold)
  double profanity_cap = 0.35;  // confidence cap for "profanity" (x weight 10 = 3.5 points, below hold)
  std::vector<std::string> languages = {"en"};
};

class LearnedDetector final : public Detector {
 public:
  // Reads and validates a model file (data/models/offensive.bin). Errors: kUnavailable naming the file
  // and the problem (missing, bad magic, unsupported version, wrong size/truncated, checksum mismatch).
  static Result<std::unique_ptr<LearnedDetector>> Load(const std::string& model_path, LearnedOptions options = {});
  // From an already loaded model (tests).
  LearnedDetector(learned::LinearModel model, LearnedOptions options);

  std::string_view Name() const override { return "learned"; }
  bool Supporting() const override { return true; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

  // The class probabilities of a text's `squeezed` view (for tests and tools).
  learned::Probabilities Score(std::string_view squeezed) const;
  const learned::LinearModel& model() const { return model_; }

 private:
  learned::LinearModel model_;
  LearnedOptions options_;
};

// data/models/offensive.bin of the source tree this binary was built from (development and tests).
std::string DefaultLearnedModelPath();

}  // namespace tribune::moderation
