// Builds the community-standards engine from configuration: the policy, every detector, the lexicons.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "moderation/learned/online_model.hpp"
#include "moderation/rule_engine.hpp"

namespace tribune::moderation {

struct EngineConfig {
  std::string edition = "en";          // picks the policy's per-edition overrides
  std::string language = "en";         // the edition's language
  std::string ui_language = "en";      // language of reasons
  std::string policy_file;             // local policy overrides, or empty
  std::string lexicon_dir;             // data/lexicons; empty: the source tree's copy
  std::string cache_dir;               // where compiled matchers are cached, or empty for none
  std::string learned_model;           // data/models/offensive.bin when empty; "none" disables the model
  std::vector<std::string> languages;  // languages comments are expected in; empty: {language}
  // true: the language rule judges each comment against the language its caller names (CheckInput::language,
  // e.g. a Perspective request's `languages`) instead of `languages` (the interop endpoints' engines).
  bool languages_from_input = false;
  std::string language_model;          // data/models/lid.176.ftz when empty; "none" disables the language rule
  size_t max_length = 5000;
  std::vector<std::string> publisher_names;
  // Rule malware_links (moderation/rules/links.hpp).
  std::string blocklist_dir;             // all lists in it are loaded; empty: the source tree's data/blocklists; "none": none
  std::vector<std::string> blocklists;   // extra blocklist files (URLhaus CSV or hosts format)
  std::string public_suffix_list;        // empty: Debian's /usr/share/publicsuffix/public_suffix_list.dat
  // The edition's online model, trained from moderators' decisions (learned/online_model.hpp); nullptr: none.
  std::shared_ptr<learned::OnlineModel> online_model;
};

// Errors: kBadRequest (policy), kUnavailable (lexicons missing or not compilable).
Result<std::unique_ptr<RuleEngine>> BuildRuleEngine(const EngineConfig& config);

// The lexicon directory of the source tree this binary was built from (for development and tests).
std::string DefaultLexiconDir();

}  // namespace tribune::moderation
