#include "app/interop_engines.hpp"

#include <algorithm>
#include <atomic>

#include "app/services.hpp"
#include "common/log.hpp"

namespace tribune::app {

struct InteropEngines::Slot {
  std::once_flag once;
  std::atomic<bool> done{false};  // the build has finished (engine or error set)
  std::unique_ptr<moderation::Engine> engine;
  Error error;  // when engine is null after the build
};

namespace {

bool ValidEdition(std::string_view e) {
  return e.size() >= 2 && e.size() <= 8 && std::all_of(e.begin(), e.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

InteropEngines::InteropEngines(const Config& config, std::string data_dir,
                               std::shared_ptr<moderation::learned::OnlineModel> online_model, size_t max_editions)
    : config_(config), data_dir_(std::move(data_dir)), online_model_(std::move(online_model)),
      max_editions_(max_editions) {}

InteropEngines::~InteropEngines() {
  std::vector<std::thread> builders;
  {
    std::lock_guard lock(mu_);
    builders.swap(builders_);
  }
  for (auto& t : builders) t.join();
}

Result<const moderation::Engine*> InteropEngines::Ready(std::string_view edition) {
  if (!ValidEdition(edition)) return MakeError(ErrorCode::kBadRequest, "edition must be 2 to 8 letters a-z");
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(edition);
    if (it != slots_.end() && it->second->done.load(std::memory_order_acquire)) {
      if (!it->second->engine) return it->second->error;
      return static_cast<const moderation::Engine*>(it->second->engine.get());
    }
    if (it == slots_.end()) {  // nobody builds it yet (a slot exists from the first For or Ready on)
      if (slots_.size() >= max_editions_) {
        return MakeError(ErrorCode::kBadRequest, "edition " + std::string(edition) + " would be more than " +
                                                     std::to_string(max_editions_) + " editions on this server");
      }
      slots_.emplace(std::string(edition), std::make_unique<Slot>());
      builders_.emplace_back([this, e = std::string(edition)] { (void)For(e); });
    }
  }
  return MakeError(ErrorCode::kUnavailable, "the engine of edition " + std::string(edition) + " is being built");
}

Result<const moderation::Engine*> InteropEngines::For(std::string_view edition) {
  if (!ValidEdition(edition)) return MakeError(ErrorCode::kBadRequest, "edition must be 2 to 8 letters a-z");
  Slot* slot = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(edition);
    if (it == slots_.end()) {
      if (slots_.size() >= max_editions_) {
        return MakeError(ErrorCode::kBadRequest, "edition " + std::string(edition) + " would be more than " +
                                                     std::to_string(max_editions_) + " editions on this server");
      }
      it = slots_.emplace(std::string(edition), std::make_unique<Slot>()).first;
    }
    slot = it->second.get();
  }
  std::call_once(slot->once, [&] {
    EngineVariant variant;
    variant.edition = std::string(edition);
    variant.languages_from_input = true;
    variant.ui_language = variant.edition;
    variant.max_length = static_cast<size_t>(std::max<int64_t>(config_.GetInt("comments.max_length"),
                                                               config_.GetInt("interop.perspective_max_text_bytes")));
    auto built = BuildEngine(config_, data_dir_, variant, nullptr, online_model_);
    if (built.ok()) {
      slot->engine = std::move(built).value();
    } else {
      slot->error = std::move(built).error();
      slot->error.message = "engine for edition " + variant.edition + ": " + slot->error.message;
    }
  });
  slot->done.store(true, std::memory_order_release);
  if (!slot->engine) return slot->error;
  return static_cast<const moderation::Engine*>(slot->engine.get());
}

const moderation::LanguageDetector* InteropEngines::language_detector() {
  std::call_once(detector_once_, [&] {
    const std::string& path = config_.GetString("moderation.language_model");
    if (path == "none") return;
    auto loaded = moderation::LanguageDetector::Load(path.empty() ? moderation::DefaultLanguageModelPath() : path, {});
    if (loaded.ok()) {
      detector_ = std::move(loaded).value();
    } else {
      log::Warn("interop: no language detection", "\"error\":\"" + log::JsonEscape(loaded.error().message) + "\"");
    }
  });
  return detector_.get();
}

}  // namespace tribune::app
