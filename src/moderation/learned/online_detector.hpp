// Detector "model": the edition's online model (online_model.hpp), learned from its moderators'
// decisions, as per-rule signals. Runs on every text (not a supporting detector: the model is how a
// publisher teaches the engine a rule no other detector knows, e.g. its own spam).
//
// For every rule the model knows and does not abstain on (≥ min_examples of the rule and of "ok"):
//   P(rule) ≥ threshold (default 0.7) → Signal{rule, confidence P(rule), detail
//   "model: P(spam_scheme)=0.93 (214 examples)", span: the whole text, may_reject = false,
//   learned = true}. The policy scores learned signals with the rule's `learned_weight` (default 4.5:
//   alone at P ≥ 0.9 the comment is held, never rejected) instead of its `weight`.
// Thread-safe: the model takes a shared lock for Predict and may be trained concurrently (Update).
// Never throws; linear in the text.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "moderation/detector.hpp"
#include "moderation/learned/online_model.hpp"

namespace tribune::moderation {

struct OnlineDetectorOptions {
  double threshold = 0.7;  // in (0, 1]
};

class OnlineDetector final : public Detector {
 public:
  OnlineDetector(std::shared_ptr<learned::OnlineModel> model, OnlineDetectorOptions options = {});

  std::string_view Name() const override { return "model"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

  const std::shared_ptr<learned::OnlineModel>& model() const { return model_; }

 private:
  std::shared_ptr<learned::OnlineModel> model_;
  OnlineDetectorOptions options_;
};

}  // namespace tribune::moderation
