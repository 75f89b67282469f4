// The engine as a service (issue 11): API keys, the Perspective-compatible API, Coral's external phase and
// webhooks, and the feedback store that teaches the edition's learned model — built from config section [interop].
#include <filesystem>

#include "app/interop_engines.hpp"
#include "app/services.hpp"
#include "interop/service.hpp"
#include "moderation/factory.hpp"

namespace tribune::app {

namespace {

// The languages the engine has lexicons for: the judged languages of the Perspective API.
std::vector<std::string> LexiconLanguages(const Config& c) {
  std::string dir = c.GetString("moderation.lexicon_dir");
  if (dir.empty()) dir = moderation::DefaultLexiconDir();
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status BuildInterop(Services& s) {
  const Config& c = s.config;
  s.interop_engines = std::make_unique<InteropEngines>(c, s.data_dir, s.model ? s.model->model() : nullptr);
  s.api_keys = std::make_unique<interop::ApiKeyStore>(*s.db, s.clock);

  interop::PerspectiveOptions po;
  po.max_text_bytes = static_cast<size_t>(std::clamp<int64_t>(c.GetInt("interop.perspective_max_text_bytes"), 1, 1 << 20));
  po.languages = LexiconLanguages(c);
  // The fastText model is loaded by the first request that needs a guess, not by every server's start-up (a site
  // that never serves the interop endpoints never loads it).
  interop::LanguageGuesser guess = [engines = s.interop_engines.get()](std::string_view text) {
    const moderation::LanguageDetector* lid = engines->language_detector();  // loaded once, on first use
    if (lid == nullptr) return std::vector<std::pair<std::string, double>>{};
    return interop::MakeLanguageGuesser(*lid)(text);  // a lambda over the detector: nothing to keep
  };
  s.perspective = std::make_unique<interop::PerspectiveApi>(std::move(po), std::move(guess));

  const std::string default_edition = c.GetString("site.default_edition");
  interop::CoralPhaseOptions co;
  co.secrets = c.GetList("interop.coral_secrets");
  co.webhook_secrets = c.GetList("interop.coral_webhook_secrets");
  co.record_retention_days = std::max<int64_t>(1, c.GetInt("interop.coral_record_days"));
  const std::string format = c.GetString("interop.coral_format");
  if (format != "html" && format != "plain") return MakeError(ErrorCode::kBadRequest, "interop.coral_format must be \"html\" or \"plain\"");
  co.plain_text = format == "plain";
  co.edition = c.GetString("interop.coral_edition").empty() ? default_edition : c.GetString("interop.coral_edition");
  co.approve_on_publish = c.GetBool("interop.coral_approve_on_publish");
  co.replay_window_seconds = std::max<int64_t>(0, c.GetInt("interop.coral_replay_seconds"));
  co.deadline_ms = static_cast<int>(std::clamp<int64_t>(c.GetInt("interop.coral_deadline_ms"), 10, 10'000));
  for (const std::string& secret : co.secrets) {
    if (secret.size() < 16) return MakeError(ErrorCode::kBadRequest, "interop.coral_secrets: a secret is shorter than 16 characters");
  }
  const std::string coral_edition = co.edition;
  const bool approve = co.approve_on_publish;
  std::vector<std::string> coral_secrets = co.secrets;
  std::vector<std::string> coral_editions = c.GetList("site.editions");
  coral_editions.push_back(default_edition);
  coral_editions.push_back(coral_edition);
  s.feedback = std::make_unique<interop::FeedbackStore>(*s.db, s.clock);
  if (s.model) {
    s.feedback->SetLearner([keeper = s.model.get()](int64_t id, const std::string& text, const std::string& label) {
      keeper->LearnExample(id, text, label);
    });
  }
  s.coral = std::make_unique<interop::CoralPhase>(*s.db, s.clock, *s.feedback, std::move(co));
  s.interop = std::make_unique<interop::InteropService>(
      *s.api_keys, *s.perspective, *s.coral, *s.feedback,
      [engines = s.interop_engines.get()](std::string_view edition) { return engines->For(edition); },
      [engines = s.interop_engines.get()](std::string_view edition) { return engines->Ready(edition); },
      interop::InteropOptions{coral_edition, approve, std::move(coral_secrets), std::move(coral_editions),
                              static_cast<int>(std::clamp<int64_t>(c.GetInt("interop.feedback_per_key_hour"), 0, 1'000'000))});
  return Ok{};
}

}  // namespace tribune::app
