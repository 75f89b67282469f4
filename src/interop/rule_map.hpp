// How the community-standards engine's rules and actions look to foreign clients (INTEROP.md §3): the
// Perspective attributes each rule feeds, the score bands, and Coral's flag reasons and rejection codes.
// One table, used by the Perspective endpoints (perspective.hpp) and Coral's external phase (coral.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "moderation/engine.hpp"

namespace tribune::interop {

// Coral's FLAG reasons.
inline constexpr std::string_view kFlagToxic = "COMMENT_DETECTED_TOXIC";
inline constexpr std::string_view kFlagSpam = "COMMENT_DETECTED_SPAM";

struct RuleMapping {
  std::string_view rule;                       // Tribune's rule id
  std::vector<std::string_view> attributes;    // Perspective attributes it feeds (canonical names)
  std::vector<std::string_view> threat_only;   // attributes it feeds only when the evidence is a threat
  std::string_view coral_flag;                 // kFlagToxic or kFlagSpam
  std::string_view rejection_code;             // Coral's rejectionReason.code
  std::string_view custom_reason;              // rejectionReason.customReason (code OTHER), or empty
  bool legal_grounds = false;                  // ILLEGAL_CONTENT: rejectionReason.legalGrounds is sent
};

// §3.1, one entry per rule of moderation::KnownRules(), in that order.
const std::vector<RuleMapping>& RuleMappings();
// nullptr for a rule the table does not know.
const RuleMapping* MappingFor(std::string_view rule);

// The attribute a requested name stands for: the name itself for the attributes of §3.1 and LIKELY_TO_REJECT;
// the base attribute for `<NAME>_EXPERIMENTAL` and TOXICITY_FAST; `RULE_<ID>` for a known rule id in capitals.
// nullopt: unknown (FLIRTATION, misspellings, RULE_ of no rule). Names are case-sensitive, as Google's were.
std::optional<std::string> CanonicalAttribute(std::string_view requested);

// Every canonical attribute name this server answers (for docs and errors), LIKELY_TO_REJECT first.
std::vector<std::string> KnownAttributes();

// Whether the finding's evidence is a threat (insult_threat feeds THREAT and SEVERE_TOXICITY only then): a
// lexicon detail marked " [threat]" (entries in the threats part of the insult_threat lexicons).
bool IsThreat(const moderation::Finding& finding);

// Whether `finding` feeds canonical attribute `attribute`: LIKELY_TO_REJECT takes every finding, RULE_<ID>
// the findings of that rule, the others per the table.
bool Feeds(std::string_view attribute, const moderation::Finding& finding);

// Whether a finding contributed to `action`: to a hold when its rule may hold, to a rejection when it may
// reject; nothing contributes to publish.
bool Contributed(moderation::Action action, const moderation::Finding& finding);

// §3.2: the score of `attribute` for a decision. p = the highest confidence of the findings that feed it;
// publish (or none of them contributed) → 0.49·p, hold → 0.81 + 0.08·p, reject → 0.91 + 0.09·p; rounded to six
// decimals. `findings` lets a caller score a subset (one sentence's findings) under the decision's action.
double BandScore(moderation::Action action, double p);
double AttributeScore(std::string_view attribute, moderation::Action action,
                      const std::vector<const moderation::Finding*>& findings);
double AttributeScore(std::string_view attribute, const moderation::Decision& decision);

}  // namespace tribune::interop
