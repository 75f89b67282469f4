// The engine as a service, as the HTTP handlers see it: the Perspective-compatible endpoints behind an API key
// (its quota and its edition's policy), suggestscore feeding the learned model, and Coral's external moderation
// phase and webhooks. Each call takes the raw request parts and gives the whole reply, in the peer's own format.
#pragma once

#include <functional>
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
};

class InteropService {
 public:
  InteropService(ApiKeyStore& keys, PerspectiveApi& perspective, CoralPhase& coral, FeedbackStore& feedback,
                 EngineLookup engines, InteropOptions options);

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
  EngineLookup engines_;
  InteropOptions options_;
};

}  // namespace tribune::interop
