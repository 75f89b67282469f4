// A test engine: holds texts containing "HOLD" for a moderator (rule trolling, the span of the word);
// otherwise the minimal engine decides.
#pragma once

#include <string_view>

#include "moderation/engine.hpp"

namespace tribune::testing {

class HoldingEngine final : public moderation::Engine {
 public:
  moderation::Decision Check(const moderation::CheckInput& in) const override {
    auto d = minimal_.Check(in);
    if (d.action == moderation::Action::kPublish && in.text.find("HOLD") != std::string_view::npos) {
      d.action = moderation::Action::kHold;
      d.findings.push_back({"trolling", 5, "held for review", {{in.text.find("HOLD"), in.text.find("HOLD") + 4}}});
    }
    return d;
  }
  std::string_view Name() const override { return "holding"; }

 private:
  moderation::MinimalEngine minimal_{100};
};

}  // namespace tribune::testing
