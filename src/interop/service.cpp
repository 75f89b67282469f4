#include "interop/service.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/log.hpp"

namespace tribune::interop {

InteropService::InteropService(ApiKeyStore& keys, PerspectiveApi& perspective, CoralPhase& coral,
                               FeedbackStore& feedback, EngineLookup engines, EngineLookup ready_engines,
                               InteropOptions options)
    : keys_(keys), perspective_(perspective), coral_(coral), feedback_(feedback), engines_(std::move(engines)),
      ready_engines_(std::move(ready_engines)), options_(std::move(options)) {}

namespace {

// The key's engine is not available: being built (503, try again in a second) or broken (500).
Reply EngineUnavailable(const Error& error) {
  if (error.code == ErrorCode::kUnavailable) {
    Reply r = PerspectiveError(503, "UNAVAILABLE", "The engine of this key's policy is starting; try again.");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  return PerspectiveError(500, "INTERNAL", "The engine of this key's policy is unavailable.");
}

}  // namespace

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
      char qps[32];
      std::snprintf(qps, sizeof qps, "%g", check.key.qps);  // "1", "0.5", not "1.000000"
      Reply r = PerspectiveError(429, "RESOURCE_EXHAUSTED",
                                 std::string("Quota exceeded: this API key allows ") + qps + " requests per second.");
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
  auto engine = ready_engines_(key.edition);
  if (!engine.ok()) return EngineUnavailable(engine.error());
  return perspective_.Analyze(body, Judge{**engine, key.edition});
}

Reply InteropService::Suggest(std::string_view body, std::string_view presented) const {
  ApiKey key;
  if (auto refused = Admit(presented, key)) return std::move(*refused);
  auto engine = engines_(key.edition);  // suggestscore runs on a worker: it may wait for the build
  if (!engine.ok()) return EngineUnavailable(engine.error());
  Suggestion s;
  Reply reply = perspective_.Suggest(body, Judge{**engine, key.edition}, s);
  if (reply.status != 200) return reply;
  if (options_.feedback_per_key_hour == 0) return reply;  // suggestions accepted, nothing taught
  int retry_after = 0;
  if (!TakeFeedback(key.id, keys_.NowMicros(), retry_after)) {
    Reply r = PerspectiveError(429, "RESOURCE_EXHAUSTED",
                               "Feedback quota exceeded: this API key may suggest " +
                                   std::to_string(options_.feedback_per_key_hour) + " scores per hour.");
    r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  }
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

bool InteropService::TakeFeedback(int64_t key_id, int64_t now_us, int& retry_after) const {
  constexpr int64_t kHour = 3'600'000'000;
  const int64_t hour = now_us / kHour;
  std::lock_guard lock(feedback_mu_);
  if (feedback_counts_.size() > 100'000) feedback_counts_.clear();  // keys are few; never grows without bound
  auto& [window, count] = feedback_counts_[key_id];
  if (window != hour) {
    window = hour;
    count = 0;
  }
  if (count >= options_.feedback_per_key_hour) {
    retry_after = static_cast<int>(std::max<int64_t>(1, ((hour + 1) * kHour - now_us) / 1'000'000));
    return false;
  }
  ++count;
  return true;
}

Reply InteropService::CoralModerate(std::string_view body, std::string_view signature, std::string_view edition,
                                    std::optional<bool> approve_on_publish, std::optional<bool> plain_text) const {
  // An edition named in the URL is acted on (checked, its engine looked up) only once the body is known to be
  // Coral's. Without one, the phase itself checks size and signature first (no second HMAC on the usual path).
  if (!edition.empty() && edition != options_.coral_edition &&
      !VerifyCoralSignature(body, signature, options_.coral_secrets)) {
    return CoralError(ErrorCode::kUnauthenticated, "missing or invalid X-Coral-Signature");
  }
  const std::string chosen(edition.empty() ? std::string_view(options_.coral_edition) : edition);
  if (std::find(options_.coral_editions.begin(), options_.coral_editions.end(), chosen) == options_.coral_editions.end()) {
    // The publisher's mistake in the phase URL: say so (Coral logs it and lets the comment through).
    return CoralError(ErrorCode::kBadRequest, "edition must be one of this site's editions (site.editions).");
  }
  auto engine = engines_(chosen);
  if (!engine.ok()) return Reply{204, "", {}};  // no engine, no decision: the comment is not held up
  const bool approve = approve_on_publish.value_or(options_.coral_approve_on_publish);
  if (plain_text) return coral_.Moderate(body, signature, **engine, chosen, approve, *plain_text);
  return coral_.Moderate(body, signature, **engine, chosen, approve);
}

Reply InteropService::CoralWebhook(std::string_view body, std::string_view signature) const {
  return coral_.Webhook(body, signature);
}

}  // namespace tribune::interop
