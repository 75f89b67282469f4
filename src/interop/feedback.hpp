// Labelled examples for the engine's learned model from foreign clients (table interop_feedback): Perspective's
// comments:suggestscore (§1.6) and Coral moderators' decisions (coral.hpp, webhooks). A label is "ok" or a rule
// id; the learner (the edition's ModelKeeper::LearnExample, set by the service wiring) learns each one.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "moderation/engine.hpp"
#include "storage/database.hpp"

namespace tribune::interop {

// Limits of Record (bytes).
inline constexpr size_t kMaxFeedbackText = 65536;
inline constexpr size_t kMaxFeedbackReference = 512;

// Thread-safe.
class FeedbackStore {
 public:
  using Learner = std::function<void(int64_t feedback_id, const std::string& text, const std::string& label)>;

  FeedbackStore(storage::Database& db, const Clock& clock);
  // Stores the example (created_at = now), then calls the learner with (feedback id, text, label) — after the
  // commit, on the calling thread. Errors: kBadRequest (edition or source empty or over 64 bytes; label neither
  // "ok" nor a rule of moderation::KnownRules(); text empty, over kMaxFeedbackText, not UTF-8 or holding NUL;
  // reference over kMaxFeedbackReference or not UTF-8), kUnavailable (database). Nothing stored on error.
  Result<int64_t> Record(std::string_view edition, std::string_view source, std::string_view label,
                         std::string_view text, std::string_view reference);
  // nullptr / empty: examples are stored only (ModelKeeper's CatchUp learns them at the next start).
  void SetLearner(Learner learner);

 private:
  storage::Database& db_;
  const Clock& clock_;
  std::mutex mu_;
  Learner learner_;
};

// The label a suggestscore value teaches (§1.6: 0 acceptable, 1 reject): value < 0.5 → "ok"; RULE_<ID> ≥ 0.5 →
// that rule; another attribute ≥ 0.5 → the rule of the highest-scoring finding of `decision` that feeds it
// (rule_map.hpp Feeds; the first such finding on a tie), nullopt when none does (nothing to learn: the engine
// cannot say which rule). `canonical_attribute` is CanonicalAttribute's result; a NaN value → nullopt.
std::optional<std::string> LabelFor(std::string_view canonical_attribute, double value,
                                    const moderation::Decision& decision);

}  // namespace tribune::interop
