// The publisher's policy: per-rule weights, caps and reasons, and the thresholds that turn the sum
// of scores into an action (rspamd's symbols → scores → actions). Loaded from data/policy.toml
// (compiled in) with an optional local override file and per-edition overrides.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"
#include "moderation/engine.hpp"

namespace tribune::moderation {

struct RulePolicy {
  double weight = 0;
  // Replaces `weight` for learned signals (Signal::learned, the online model): TOML key learned_weight;
  // 4.5 when absent, so a learned signal alone at P >= 0.9 holds (hold line 4) and never rejects.
  double learned_weight = 4.5;
  double cap = 0;
  Action max_action = Action::kReject;
  std::map<std::string, std::string> reasons;  // UI language → reader-facing reason
};

class Policy {
 public:
  // The shipped policy, then `local_file` (if non-empty) layered over it, then the overrides of
  // `edition` from either. Errors: kBadRequest naming the file and key (unknown rule id, bad value).
  static Result<Policy> Load(const std::string& local_file, const std::string& edition);
  // From TOML text (tests).
  static Result<Policy> FromToml(std::string_view shipped, std::string_view local, const std::string& edition);

  // Scores the signals and decides. `ui_language` picks the reasons ("en" when missing).
  Decision Decide(const std::vector<Signal>& signals, std::string_view ui_language) const;

  const RulePolicy* Rule(std::string_view id) const;
  double hold_threshold() const { return hold_; }
  double reject_threshold() const { return reject_; }

 private:
  std::map<std::string, RulePolicy, std::less<>> rules_;
  double hold_ = 4;
  double reject_ = 8;
};

// The rule ids of the design, in its order.
const std::vector<std::string>& KnownRules();

}  // namespace tribune::moderation
