#include "moderation/factory.hpp"

#include <filesystem>

#include "moderation/rules/form.hpp"
#include "moderation/rules/language.hpp"
#include "moderation/learned/online_detector.hpp"
#include "moderation/rules/learned.hpp"
#include "moderation/rules/lexicon.hpp"
#include "moderation/rules/links.hpp"
#include "moderation/rules/off_topic.hpp"
#include "moderation/rules/privacy.hpp"
#include "moderation/rules/promotion.hpp"

namespace tribune::moderation {

std::string DefaultLexiconDir() { return std::string(TRIBUNE_SOURCE_DIR) + "/data/lexicons"; }

Result<std::unique_ptr<RuleEngine>> BuildRuleEngine(const EngineConfig& config) {
  auto policy = Policy::Load(config.policy_file, config.edition);
  if (!policy.ok()) return std::move(policy).error();

  std::vector<std::unique_ptr<Detector>> detectors;
  detectors.push_back(std::make_unique<FormDetector>());
  detectors.push_back(std::make_unique<PrivacyDetector>());
  auto links = LinksDetector::Load(LinksOptions{.blocklist_dir = config.blocklist_dir,
                                                .blocklists = config.blocklists,
                                                .public_suffix_list = config.public_suffix_list});
  if (!links.ok()) return std::move(links).error();
  detectors.push_back(std::move(links).value());
  detectors.push_back(std::make_unique<OffTopicDetector>());
  // Selling and spamming: prices, codes, handles, wallets, links (the phrases are lexicon data).
  auto promotion = PromotionDetector::Load(config.public_suffix_list);
  if (!promotion.ok()) return std::move(promotion).error();
  detectors.push_back(std::move(promotion).value());

  const std::string lexicon_dir = config.lexicon_dir.empty() ? DefaultLexiconDir() : config.lexicon_dir;
  if (!std::filesystem::is_directory(lexicon_dir)) {
    return MakeError(ErrorCode::kUnavailable, "lexicon directory " + lexicon_dir + " not found (moderation.lexicon_dir)");
  }
  std::vector<std::string> languages;
  for (const auto& entry : std::filesystem::directory_iterator(lexicon_dir)) {
    if (entry.is_directory()) languages.push_back(entry.path().filename().string());
  }
  std::sort(languages.begin(), languages.end());
  auto lexicon = LexiconDetector::Load(lexicon_dir, languages, config.cache_dir, config.publisher_names);
  if (!lexicon.ok()) return std::move(lexicon).error();
  detectors.push_back(std::move(lexicon).value());

  // The language rule (fastText + CLD2; holds at most). "none" switches it off.
  if (config.language_model != "none") {
    auto lang = LanguageDetector::Load(config.language_model.empty() ? DefaultLanguageModelPath() : config.language_model,
                                       config.languages_from_input ? std::vector<std::string>{}  // the input's
                                       : config.languages.empty()    ? std::vector<std::string>{config.language}
                                                                     : config.languages);
    if (!lang.ok()) return std::move(lang).error();
    detectors.push_back(std::move(lang).value());
  }

  // The edition's model learned from its moderators (holds at most on its own; abstains until trained).
  if (config.online_model) detectors.push_back(std::make_unique<OnlineDetector>(config.online_model));
  // The learned baseline (English; holds at most on its own). "none" switches it off.
  if (config.learned_model != "none") {
    auto learned = LearnedDetector::Load(config.learned_model.empty() ? DefaultLearnedModelPath() : config.learned_model);
    if (!learned.ok()) return std::move(learned).error();
    detectors.push_back(std::move(learned).value());
  }

  RuleEngineOptions options;
  options.max_length = config.max_length;
  options.ui_language = config.ui_language;
  options.publisher_names = config.publisher_names;
  return std::make_unique<RuleEngine>(std::move(policy).value(), std::move(detectors), std::move(options));
}

}  // namespace tribune::moderation
