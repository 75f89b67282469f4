// A detector finds evidence for one rule (or a family of rules) in a text. Detectors are stateless
// after construction and thread-safe; the Engine runs every detector on every text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "moderation/engine.hpp"
#include "text/views.hpp"

namespace tribune::moderation {

// What a detector may look at besides the text.
struct DetectorInput {
  const text::TextViews& views;
  std::string_view language;          // the edition's language ("en")
  std::string_view article_text;      // title + lead + body of the article, or empty
  const std::vector<std::string>* publisher_names = nullptr;  // the edition's own names
};

// A raw signal: `confidence` in [0, 1] that `rule` applies, with its evidence. The policy turns
// confidences into scores (weight × confidence) and the sum into an action.
struct Signal {
  std::string rule;
  double confidence = 0;
  std::string detail;  // e.g. "masked profanity: f*ck"; shown to moderators, not to the author
  std::vector<std::pair<size_t, size_t>> spans;  // byte offsets into the ORIGINAL text
  // False for statistical evidence about the whole text (the learned model): it adds to the score, so
  // it can hold a comment, but a comment is only rejected when some rejecting rule has a signal with
  // local evidence.
  bool may_reject = true;
  bool learned = false;  // from the online model: scored with the rule's learned_weight, not its weight
};

class Detector {
 public:
  virtual ~Detector() = default;
  // A short name for metrics and the decision record ("privacy", "form", "lexicon").
  virtual std::string_view Name() const = 0;
  // Appends signals for `input`. Must not throw; must finish in time linear in the text.
  virtual void Detect(const DetectorInput& input, std::vector<Signal>& out) const = 0;
  // A supporting detector only adds to evidence others found (its signals cannot hold or reject a
  // comment alone), so the engine runs it only when another detector already signalled.
  virtual bool Supporting() const { return false; }
};

}  // namespace tribune::moderation
