#include "interop/service.hpp"

#include <algorithm>
#include <vector>

#include "common/log.hpp"

namespace tribune::interop {

InteropService::InteropService(ApiKeyStore& keys, PerspectiveApi& perspective, CoralPhase& coral,
                               FeedbackStore& feedback, EngineLookup engines, InteropOptions options)
    : keys_(keys), perspective_(perspective), coral_(coral), feedback_(feedback), engines_(std::move(engines)),
      options_(std::move(options)) {}

std::optional<Reply> InteropService::Admit(std::string_view presented, ApiKey& key) const {
  const ApiKeyStore::Check check = keys_.Authenticate(presented);
  switch (check.verdict) {
    case ApiKeyStore::Verdict::kOk:
      key = check.key;
      return std::nullopt;
    case ApiKeyStore::Verdict::kMissing:
      return PerspectiveError(403, "PERMISSION_DENIED",
                              "The request is missing a valid API key. Pass it as ?key= or in X-Goog-Api-Key.");
    case ApiKeyStore::Verdict::kInvalid:
      return PerspectiveError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    case ApiKeyStore::Verdict::kOverQuota: {
      Reply r = PerspectiveError(429, "RESOURCE_EXHAUSTED",
                                 "Quota exceeded: this API key allows " + std::to_string(check.key.qps) +
                                     " requests per second.");
      r.headers.emplace_back("Retry-After", std::to_string(std::max(1, check.retry_after_seconds)));
      return r;
    }
    case ApiKeyStore::Verdict::kUnavailable:
      break;
  }
  Reply r = PerspectiveError(503, "UNAVAILABLE", "The service is unavailable; try again.");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

Reply InteropService::Analyze(std::string_view body, std::string_view presented) const {
  ApiKey key;
  if (auto refused = Admit(presented, key)) return std::move(*refused);
  auto engine = engines_(key.edition);
  if (!engine.ok()) return PerspectiveError(500, "INTERNAL", "The engine of this key's policy is unavailable.");
  return perspective_.Analyze(body, Judge{**engine, key.edition});
}

Reply InteropService::Suggest(std::string_view body, std::string_view presented) const {
  ApiKey key;
  if (auto refused = Admit(presented, key)) return std::move(*refused);
  auto engine = engines_(key.edition);
  if (!engine.ok()) return PerspectiveError(500, "INTERNAL", "The engine of this key's policy is unavailable.");
  Suggestion s;
  Reply reply = perspective_.Suggest(body, Judge{**engine, key.edition}, s);
  if (reply.status != 200) return reply;
  // Which rule each label speaks of is what the engine finds in the text; a label it cannot name teaches nothing.
  const moderation::Decision decision = (*engine)->Check({s.text, 0, 0, s.language});
  std::vector<std::string> learned;
  for (const auto& [attribute, value] : s.labels) {
    const auto label = LabelFor(attribute, value, decision);
    if (!label || std::find(learned.begin(), learned.end(), *label) != learned.end()) continue;
    auto stored = feedback_.Record(key.edition, "suggestscore", *label, s.text, s.client_token);
    if (!stored.ok()) {
      log::Error("suggestscore not stored", "\"error\":\"" + log::JsonEscape(stored.error().message) + "\"");
      return PerspectiveError(503, "UNAVAILABLE", "The score could not be stored; try again.");
    }
    learned.push_back(*label);
  }
  return reply;
}

Reply InteropService::CoralModerate(std::string_view body, std::string_view signature, std::string_view edition,
                                    std::optional<bool> approve_on_publish, std::optional<bool> plain_text) const {
  const std::string chosen(edition.empty() ? std::string_view(options_.coral_edition) : edition);
  auto engine = engines_(chosen);
  if (!engine.ok()) {
    if (!VerifyCoralSignature(body, signature, options_.coral_secrets)) {
      return Reply{401, R"({"error":{"code":"unauthenticated","message":"The X-Coral-Signature header does not sign this body with a configured secret."}})", {}};
    }
    // A phase URL naming an edition that cannot be judged is the publisher's mistake: say so (Coral logs it and
    // lets the comment through).
    return Reply{400, R"({"error":{"code":"bad_request","message":"edition must be a policy edition such as \"en\"."}})", {}};
  }
  const bool approve = approve_on_publish.value_or(options_.coral_approve_on_publish);
  if (plain_text) return coral_.Moderate(body, signature, **engine, chosen, approve, *plain_text);
  return coral_.Moderate(body, signature, **engine, chosen, approve);
}

Reply InteropService::CoralWebhook(std::string_view body, std::string_view signature) const {
  return coral_.Webhook(body, signature);
}

}  // namespace tribune::interop
