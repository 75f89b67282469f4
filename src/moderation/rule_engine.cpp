#include "moderation/rule_engine.hpp"

namespace tribune::moderation {

RuleEngine::RuleEngine(Policy policy, std::vector<std::unique_ptr<Detector>> detectors, RuleEngineOptions options)
    : policy_(std::move(policy)),
      detectors_(std::move(detectors)),
      options_(std::move(options)),
      precheck_(options_.max_length) {}

Decision RuleEngine::Check(const CheckInput& input) const {
  Decision pre = precheck_.Check(input);
  if (pre.action != Action::kPublish) return pre;

  const text::TextViews views = text::BuildViews(input.text, /*with_words=*/false);
  DetectorInput di{views, input.language, input.article_text, &options_.publisher_names};
  std::vector<Signal> signals;
  for (const auto& d : detectors_) {
    if (!d->Supporting()) d->Detect(di, signals);
  }
  if (!signals.empty()) {
    for (const auto& d : detectors_) {
      if (d->Supporting()) d->Detect(di, signals);
    }
  }
  std::shared_ptr<behaviour::Observation> observation;
  if (monitor_ != nullptr && input.attempt != nullptr) {
    observation = std::make_shared<behaviour::Observation>(monitor_->Observe(*input.attempt, views, input.article_text));
    std::vector<Signal> behaviour_signals;
    monitor_->Assess(*observation, signals, behaviour_signals);
    for (Signal& s : behaviour_signals) signals.push_back(std::move(s));
  }
  Decision d = policy_.Decide(signals, options_.ui_language);
  d.observation = std::move(observation);
  return d;
}

}  // namespace tribune::moderation
