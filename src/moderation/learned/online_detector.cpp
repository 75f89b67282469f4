#include "moderation/learned/online_detector.hpp"

#include <algorithm>
#include <cstdio>

namespace tribune::moderation {

OnlineDetector::OnlineDetector(std::shared_ptr<learned::OnlineModel> model, OnlineDetectorOptions options)
    : model_(std::move(model)), options_(options) {
  options_.threshold = std::clamp(options_.threshold, 0.01, 1.0);
}

void OnlineDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  if (!model_ || input.views.original.empty() || input.views.squeezed.text.empty()) return;
  try {
    thread_local std::vector<learned::Feature> features;
    features.clear();
    learned::ExtractFeatures(input.views.squeezed.text, model_->feature_config(), features);
    for (const learned::RuleProbability& p : model_->PredictFeatures(features)) {
      if (p.abstaining || p.probability < options_.threshold) continue;
      char detail[160];
      std::snprintf(detail, sizeof detail, "model: P(%s)=%.2f (%llu examples)", p.rule.c_str(), p.probability,
                    static_cast<unsigned long long>(p.examples));
      Signal s;
      s.rule = p.rule;
      s.confidence = p.probability;
      s.detail = detail;
      s.spans.emplace_back(0, input.views.original.size());
      s.may_reject = false;  // a probability for the whole text, no local evidence
      s.learned = true;      // scored with the rule's learned_weight
      out.push_back(std::move(s));
    }
  } catch (...) {
    // Out of memory: no opinion.
  }
}

}  // namespace tribune::moderation
