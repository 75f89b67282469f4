#include "interop/feedback.hpp"

#include <algorithm>
#include <cmath>

#include "common/log.hpp"
#include "interop/rule_map.hpp"
#include "moderation/policy.hpp"
#include "text/utf8.hpp"

namespace tribune::interop {

namespace {

// Behaviour rules judge who posts when, not the text: no text model can learn them.
bool BehaviourRule(std::string_view rule) { return rule == "flood" || rule == "flash_mob"; }

bool KnownRule(std::string_view rule) {
  const auto& rules = moderation::KnownRules();
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

}  // namespace

FeedbackStore::FeedbackStore(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

void FeedbackStore::SetLearner(Learner learner) {
  std::lock_guard lock(mu_);
  learner_ = std::move(learner);
}

Result<int64_t> FeedbackStore::Record(std::string_view edition, std::string_view source, std::string_view label,
                                      std::string_view text, std::string_view reference) {
  if (edition.empty() || edition.size() > 64 || !text::IsValidUtf8(edition)) return Bad("bad edition");
  if (source.empty() || source.size() > 64 || !text::IsValidUtf8(source)) return Bad("bad source");
  if (label != "ok" && !KnownRule(label)) return Bad("unknown label: " + std::string(label.substr(0, 64)));
  if (text.empty()) return Bad("empty text");
  if (text.size() > kMaxFeedbackText) return Bad("text too long");
  // PostgreSQL's TEXT holds neither NUL nor invalid UTF-8.
  if (!text::IsValidUtf8(text) || text.find('\0') != std::string_view::npos) return Bad("text is not valid UTF-8");
  if (reference.size() > kMaxFeedbackReference || !text::IsValidUtf8(reference) ||
      reference.find('\0') != std::string_view::npos) {
    return Bad("bad reference");
  }
  const int64_t now = clock_.NowMicros();
  int64_t id = 0;
  const storage::Params params{std::string(edition), std::string(source), std::string(label), std::string(text),
                               std::string(reference), now};
  Status st = db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query(
        "INSERT INTO interop_feedback (edition, source, label, text, reference, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params);
    if (!rows.ok()) return std::move(rows).error();
    id = (*rows)[0].Int(0);
    return Ok{};
  });
  if (!st.ok()) {
    log::Warn("interop: feedback not stored", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    return MakeError(ErrorCode::kUnavailable, "feedback not stored");
  }
  Learner learner;
  {
    std::lock_guard lock(mu_);
    learner = learner_;
  }
  if (learner) learner(id, std::string(text), std::string(label));
  return id;
}

std::optional<std::string> LabelFor(std::string_view canonical_attribute, double value,
                                    const moderation::Decision& decision) {
  if (std::isnan(value)) return std::nullopt;
  if (value < 0.5) return std::string("ok");
  if (canonical_attribute.starts_with("RULE_")) {
    for (const RuleMapping& m : RuleMappings()) {
      std::string upper(m.rule);
      for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      if (canonical_attribute.substr(5) == upper) {
        if (BehaviourRule(m.rule)) return std::nullopt;
        return std::string(m.rule);
      }
    }
    return std::nullopt;
  }
  const moderation::Finding* best = nullptr;
  for (const moderation::Finding& f : decision.findings) {
    if (BehaviourRule(f.rule) || !KnownRule(f.rule) || !Feeds(canonical_attribute, f)) continue;
    if (best == nullptr || f.score > best->score) best = &f;
  }
  if (best == nullptr) return std::nullopt;
  return best->rule;
}

}  // namespace tribune::interop
