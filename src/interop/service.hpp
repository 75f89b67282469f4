// The engine as a service, as the HTTP handlers see it: the Perspective-compatible endpoints behind an API key
// (its quota and its edition's policy), suggestscore feeding the learned model, and Coral's external moderation
// phase and webhooks. Each call takes the raw request parts and gives the whole reply, in the peer's own format.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "interop/api_keys.hpp"
#include "interop/coral.hpp"
#include "interop/perspective.hpp"
#include "interop/reply.hpp"
#include "moderation/engine.hpp"

namespace tribune::interop {

// The engine that judges for an edition's policy (app::InteropEngines::For).
using EngineLookup = std::function<Result<const moderation::Engine*>(std::string_view edition)>;

struct InteropOptions {
  std::string coral_edition = "en";       // the policy of Coral's requests unless the phase URL names another
  bool coral_approve_on_publish = false;  // answer {"status":"APPROVED"} instead of 204 for clean comments
  std::vector<std::string> coral_secrets;  // to refuse an unsigned request before saying anything about its URL
  std::vector<std::string> coral_editions;  // the editions a phase URL may name (the site's and coral_edition)
  // Examples one API key may teach per hour through suggestscore (a leaked key must not retrain the model at
  // its whole request quota); over it: 429 and nothing stored. 0: none at all.
  int feedback_per_key_hour = 600;
};

class InteropService {
 public:
  // `engines` may wait for a build (Coral's requests run on workers); `ready_engines` must not (analyze runs on
  // an I/O thread): kUnavailable while the edition's engine is being built.
  InteropService(ApiKeyStore& keys, PerspectiveApi& perspective, CoralPhase& coral, FeedbackStore& feedback,
                 EngineLookup engines, EngineLookup ready_engines, InteropOptions options);

  // comments:analyze; `key` from ?key= or X-Goog-Api-Key ("" when neither).
  Reply Analyze(std::string_view body, std::string_view key) const;
  // comments:suggestscore: each label the engine can name a rule for becomes a stored, learned example.
  Reply Suggest(std::string_view body, std::string_view key) const;
  // Coral's external phase; `edition`, `approve_on_publish` and `plain_text` (?format=PLAIN_TEXT) from the phase
  // URL's query (empty / nullopt: config).
  Reply CoralModerate(std::string_view body, std::string_view signature, std::string_view edition,
                      std::optional<bool> approve_on_publish, std::optional<bool> plain_text = std::nullopt) const;
  Reply CoralWebhook(std::string_view body, std::string_view signature) const;

 private:
  // The key's check as Google's errors, or nullopt when the request may go on (`key` filled).
  std::optional<Reply> Admit(std::string_view presented, ApiKey& key) const;

  ApiKeyStore& keys_;
  PerspectiveApi& perspective_;
  CoralPhase& coral_;
  FeedbackStore& feedback_;
  // Whether `key` may teach one more example this hour (counts it when it may); retry_after in seconds otherwise.
  bool TakeFeedback(int64_t key_id, int64_t now_us, int& retry_after) const;

  EngineLookup engines_;
  EngineLookup ready_engines_;
  InteropOptions options_;
  mutable std::mutex feedback_mu_;
  mutable std::map<int64_t, std::pair<int64_t, int>> feedback_counts_;  // key id → (hour, examples taught in it)
};

}  // namespace tribune::interop
