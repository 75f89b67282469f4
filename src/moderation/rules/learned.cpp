#include "moderation/rules/learned.hpp"

#include <algorithm>
#include <cstdio>

// The classifier's implementation is compiled here: the moderation library picks up sources from
// rules/*.cpp only (src/moderation/CMakeLists.txt), and the trainer links this library for it.

namespace tribune::moderation {

std::string DefaultLearnedModelPath() { return std::string(TRIBUNE_SOURCE_DIR) + "/data/models/offensive.bin"; }

Result<std::unique_ptr<LearnedDetector>> LearnedDetector::Load(const std::string& model_path, LearnedOptions options) {
  auto model = learned::LinearModel::Load(model_path);
  if (!model.ok()) return std::move(model).error();
  if (options.threshold < 0.5 || options.threshold > 1) {
    return MakeError(ErrorCode::kBadRequest, "learned detector: threshold must be in [0.5, 1]");
  }
  return std::make_unique<LearnedDetector>(std::move(model).value(), std::move(options));
}

LearnedDetector::LearnedDetector(learned::LinearModel model, LearnedOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  options_.threshold = std::clamp(options_.threshold, 0.5, 1.0);
}

learned::Probabilities LearnedDetector::Score(std::string_view squeezed) const {
  thread_local std::vector<learned::Feature> features;
  features.clear();
  learned::ExtractFeatures(squeezed, model_.config(), features);
  if (features.empty()) return {0, 0, 1};
  return model_.Predict(features);
}

void LearnedDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  if (input.views.original.empty() || input.views.squeezed.text.empty()) return;
  if (std::find(options_.languages.begin(), options_.languages.end(), input.language) == options_.languages.end()) {
    return;
  }
  try {
    const learned::Probabilities p = Score(input.views.squeezed.text);
    auto emit = [&](const char* rule, const char* label, double prob, double cap) {
      char detail[64];
      std::snprintf(detail, sizeof detail, "learned: P(%s)=%.2f", label, prob);
      Signal s;
      s.rule = rule;
      s.confidence = std::min(prob, cap);
      s.detail = detail;
      s.spans.emplace_back(0, input.views.original.size());
      s.may_reject = false;  // a probability for the whole text, no local evidence: at most a hold alone
      out.push_back(std::move(s));
    };
    const double hate = p[learned::kHate];
    const double offensive = p[learned::kOffensive];
    if (hate >= options_.threshold && hate >= offensive) {
      emit("hate", "hate", hate, options_.hate_cap);
    } else if (offensive >= options_.threshold) {
      emit("profanity", "offensive", offensive, options_.profanity_cap);
    }
  } catch (...) {
    // Out of memory for the feature buffer: no opinion.
  }
}

}  // namespace tribune::moderation
