// Shared by the Perspective tests: the real engine (shipped policy and lexicons, EngineConfig defaults but a
// lexicon cache shared with the moderation tests) and the language detector, built once per process.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "interop/perspective.hpp"
#include "moderation/factory.hpp"
#include "moderation/rules/language.hpp"

namespace tribune::interop::testing {

inline const moderation::RuleEngine& RealEngine() {
  static std::unique_ptr<moderation::RuleEngine> engine = [] {
    moderation::EngineConfig config;
    config.cache_dir = (std::filesystem::temp_directory_path() / "tribune-test-lexicon-cache").string();
    auto built = moderation::BuildRuleEngine(config);
    if (!built.ok()) throw std::runtime_error(built.error().message);
    return std::move(built).value();
  }();
  return *engine;
}

inline const moderation::LanguageDetector& Detector() {
  static std::unique_ptr<moderation::LanguageDetector> detector = [] {
    auto loaded = moderation::LanguageDetector::Load(moderation::DefaultLanguageModelPath(), {});
    if (!loaded.ok()) throw std::runtime_error(loaded.error().message);
    return std::move(loaded).value();
  }();
  return *detector;
}

// The real engine, counting its Check calls.
class CountingEngine final : public moderation::Engine {
 public:
  moderation::Decision Check(const moderation::CheckInput& input) const override {
    ++calls;
    last_language = std::string(input.language);
    return RealEngine().Check(input);
  }
  std::string_view Name() const override { return "counting"; }
  mutable std::atomic<int> calls{0};
  mutable std::string last_language;
};

}  // namespace tribune::interop::testing
