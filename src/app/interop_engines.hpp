// The moderation engines behind the interop endpoints (INTEROP.md): one per edition, built on first use from
// the site's engine configuration (BuildEngine) with that edition's policy overrides, its reasons in the
// edition's language (English when the policy has none), texts up to interop.perspective_max_text_bytes, and
// the language rule judging each comment against the language its request names (CheckInput::language)
// instead of the site's languages. No behaviour monitor: foreign comments carry no Tribune account or article.
//
// Building an engine takes a while (lexicons, models); it happens once per edition, under that edition's own
// lock, so requests for editions already built never wait for it. A build that fails fails for good (the
// configuration and files do not change while the server runs): later calls return the same error at once.
// At most `max_editions` editions are built (an edition can come from a request's query string); beyond:
// kBadRequest. Thread-safe; the engines live as long as this object.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/result.hpp"
#include "moderation/engine.hpp"
#include "moderation/learned/online_model.hpp"
#include "moderation/rules/language.hpp"

namespace tribune::app {

class InteropEngines {
 public:
  static constexpr size_t kDefaultMaxEditions = 8;

  // Built lazily, one per edition, from the same config as the site's engine (BuildEngine in services.cpp), but
  // with the policy overrides of that edition, and with the language rule judging against the language of each
  // request (CheckInput::language) instead of the site's languages. `online_model` (may be null) is shared.
  InteropEngines(const Config& config, std::string data_dir,
                 std::shared_ptr<moderation::learned::OnlineModel> online_model,
                 size_t max_editions = kDefaultMaxEditions);
  ~InteropEngines();
  InteropEngines(const InteropEngines&) = delete;
  InteropEngines& operator=(const InteropEngines&) = delete;

  Result<const moderation::Engine*> For(std::string_view edition);  // kBadRequest for an edition not [a-z]{2,8}
  // The same without waiting, for callers on an I/O thread: the engine when it is built; otherwise its build is
  // started on a thread of its own (once) and kUnavailable says to try again shortly.
  Result<const moderation::Engine*> Ready(std::string_view edition);
  // One fastText+CLD2 detector for language guessing (null if moderation.language_model is "none" or the model
  // cannot be loaded). Loaded on first use.
  const moderation::LanguageDetector* language_detector();

 private:
  struct Slot;

  const Config config_;
  const std::string data_dir_;
  const std::shared_ptr<moderation::learned::OnlineModel> online_model_;
  const size_t max_editions_;
  std::mutex mu_;  // guards slots_ (not the builds)
  std::map<std::string, std::unique_ptr<Slot>, std::less<>> slots_;
  std::vector<std::thread> builders_;  // Ready's background builds, joined by the destructor
  std::once_flag detector_once_;
  std::unique_ptr<moderation::LanguageDetector> detector_;
};

}  // namespace tribune::app
