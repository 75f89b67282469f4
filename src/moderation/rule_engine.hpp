// The community-standards engine: form prechecks, text views, every detector, then the policy.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "moderation/behaviour/monitor.hpp"
#include "moderation/detector.hpp"
#include "moderation/engine.hpp"
#include "moderation/policy.hpp"

namespace tribune::moderation {

struct RuleEngineOptions {
  size_t max_length = 5000;                  // code points; longer texts are rejected before any detector
  std::string ui_language = "en";            // language of the reasons shown to authors
  std::vector<std::string> publisher_names;  // for insult_publisher
};

class RuleEngine final : public Engine {
 public:
  RuleEngine(Policy policy, std::vector<std::unique_ptr<Detector>> detectors, RuleEngineOptions options);

  // Invalid, blank, over-long or control-character text is rejected under `form` first (as the minimal
  // engine does); otherwise every detector runs on the text's views and the policy decides.
  Decision Check(const CheckInput& input) const override;
  std::string_view Name() const override { return "rules"; }

  const Policy& policy() const { return policy_; }

  // The edition's behaviour monitor (flash_mob, flood, trolling): consulted, read-only, for every check
  // that carries an Attempt. Not owned; must outlive the engine's use. nullptr: text rules only.
  void SetMonitor(const behaviour::BehaviourState* monitor) { monitor_ = monitor; }
  const behaviour::BehaviourState* monitor() const { return monitor_; }

 private:
  Policy policy_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  RuleEngineOptions options_;
  MinimalEngine precheck_;
  const behaviour::BehaviourState* monitor_ = nullptr;
};

}  // namespace tribune::moderation
