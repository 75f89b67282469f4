#include "interop/rule_map.hpp"

#include <algorithm>
#include <cmath>

#include "moderation/policy.hpp"

namespace tribune::interop {

namespace {

using moderation::Action;

constexpr std::string_view kTox = kFlagToxic;
constexpr std::string_view kSpam = kFlagSpam;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

}  // namespace

const std::vector<RuleMapping>& RuleMappings() {
  static const std::vector<RuleMapping> kTable = {
      {"off_topic", {"OFF_TOPIC"}, {}, kSpam, "IRRELEVANT_CONTENT", "", false},
      {"hate", {"TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK"}, {}, kTox, "HATE_SPEECH", "", false},
      {"minors", {"SEXUALLY_EXPLICIT"}, {}, kTox, "ILLEGAL_CONTENT", "", true},
      {"extremism_illegal", {"TOXICITY", "SEVERE_TOXICITY", "THREAT"}, {}, kTox, "ILLEGAL_CONTENT", "", true},
      {"insult_threat", {"TOXICITY", "INSULT", "ATTACK_ON_COMMENTER"}, {"THREAT", "SEVERE_TOXICITY"}, kTox,
       "HARASSMENT_BULLYING", "", false},
      {"insult_publisher", {"TOXICITY", "INSULT", "ATTACK_ON_AUTHOR", "ATTACK_ON_PUBLISHER"}, {}, kTox, "ABUSIVE", "",
       false},
      {"privacy_personal_data", {}, {}, kTox, "OTHER", "personal data", false},
      {"violence_cruelty", {"TOXICITY", "SEVERE_TOXICITY", "THREAT"}, {}, kTox, "OFFENSIVE", "", false},
      {"suicide", {}, {}, kTox, "OTHER", "suicide or self-harm", false},
      {"commercial_political_ads", {"SPAM"}, {}, kSpam, "AD", "", false},
      {"unauthorised_promotion", {"SPAM"}, {}, kSpam, "AD", "", false},
      {"profanity", {"TOXICITY", "PROFANITY", "OBSCENE"}, {}, kTox, "BANNED_WORD", "", false},
      {"spam_scheme", {"SPAM"}, {}, kSpam, "SPAM", "", false},
      {"drugs", {}, {}, kTox, "ILLEGAL_CONTENT", "", true},
      {"malware_links", {"SPAM"}, {}, kSpam, "SPAM", "", false},
      {"flash_mob", {"SPAM"}, {}, kSpam, "SPAM", "", false},
      {"flood", {"SPAM"}, {}, kSpam, "SPAM", "", false},
      {"trolling", {"TOXICITY", "INFLAMMATORY"}, {}, kTox, "ABUSIVE", "", false},
      {"form", {"INCOHERENT", "UNSUBSTANTIAL"}, {}, kSpam, "OTHER", "form", false},
      {"language", {}, {}, kSpam, "OTHER", "language of the edition", false},
  };
  return kTable;
}

const RuleMapping* MappingFor(std::string_view rule) {
  for (const RuleMapping& m : RuleMappings()) {
    if (m.rule == rule) return &m;
  }
  return nullptr;
}

std::vector<std::string> KnownAttributes() {
  std::vector<std::string> out{"LIKELY_TO_REJECT"};
  for (const RuleMapping& m : RuleMappings()) {
    for (const auto* list : {&m.attributes, &m.threat_only}) {
      for (std::string_view a : *list) {
        if (std::find(out.begin(), out.end(), a) == out.end()) out.emplace_back(a);
      }
    }
  }
  for (const RuleMapping& m : RuleMappings()) out.push_back("RULE_" + Upper(m.rule));
  return out;
}

std::optional<std::string> CanonicalAttribute(std::string_view requested) {
  std::string_view name = requested;
  if (name == "TOXICITY_FAST") name = "TOXICITY";
  constexpr std::string_view kExperimental = "_EXPERIMENTAL";
  if (name.size() > kExperimental.size() && name.ends_with(kExperimental)) {
    const std::string_view base = name.substr(0, name.size() - kExperimental.size());
    // Google had experimental variants of these six only.
    for (std::string_view b : {"TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"}) {
      if (base == b) return std::string(base);
    }
    return std::nullopt;
  }
  if (name.starts_with("RULE_")) {
    for (const RuleMapping& m : RuleMappings()) {
      if (name.substr(5) == Upper(m.rule)) return std::string(name);
    }
    return std::nullopt;
  }
  if (name == "LIKELY_TO_REJECT") return std::string(name);
  for (const RuleMapping& m : RuleMappings()) {
    for (const auto* list : {&m.attributes, &m.threat_only}) {
      if (std::find(list->begin(), list->end(), name) != list->end()) return std::string(name);
    }
  }
  return std::nullopt;
}

bool IsThreat(const moderation::Finding& finding) {
  return std::any_of(finding.details.begin(), finding.details.end(),
                     [](const std::string& d) { return d.find(" [threat]") != std::string::npos; });
}

bool Feeds(std::string_view attribute, const moderation::Finding& finding) {
  if (attribute == "LIKELY_TO_REJECT") return true;
  if (attribute.starts_with("RULE_")) return attribute.substr(5) == Upper(finding.rule);
  const RuleMapping* m = MappingFor(finding.rule);
  if (m == nullptr) return false;
  if (std::find(m->attributes.begin(), m->attributes.end(), attribute) != m->attributes.end()) return true;
  return std::find(m->threat_only.begin(), m->threat_only.end(), attribute) != m->threat_only.end() &&
         IsThreat(finding);
}

bool Contributed(Action action, const moderation::Finding& finding) {
  if (finding.score <= 0) return false;
  if (action == Action::kReject) return finding.max_action == Action::kReject;
  if (action == Action::kHold) return finding.max_action >= Action::kHold;
  return false;
}

double BandScore(Action action, double p) {
  p = std::clamp(std::isfinite(p) ? p : 0.0, 0.0, 1.0);
  double v = 0.49 * p;
  if (action == Action::kHold) v = 0.81 + 0.08 * p;
  if (action == Action::kReject) v = 0.91 + 0.09 * p;
  return std::round(v * 1e6) / 1e6;
}

double AttributeScore(std::string_view attribute, Action action,
                      const std::vector<const moderation::Finding*>& findings) {
  double p = 0;
  bool contributed = false;
  for (const moderation::Finding* f : findings) {
    if (!Feeds(attribute, *f)) continue;
    p = std::max(p, f->confidence);
    contributed = contributed || Contributed(action, *f);
  }
  return BandScore(contributed ? action : Action::kPublish, p);
}

double AttributeScore(std::string_view attribute, const moderation::Decision& decision) {
  std::vector<const moderation::Finding*> all;
  all.reserve(decision.findings.size());
  for (const auto& f : decision.findings) all.push_back(&f);
  return AttributeScore(attribute, decision.action, all);
}

}  // namespace tribune::interop
