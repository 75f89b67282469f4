// fuzz_engine: the whole community-standards pipeline, RuleEngine::Check on arbitrary bytes.
//
// The engine is built once (BuildRuleEngine, the shipped policy and lexicons) with max_length 1,000,000
// code points, so every input libFuzzer can make (-max_len=65536) reaches the detectors when it is valid
// UTF-8. Invalid UTF-8 must be rejected under "form" before any detector sees it.
// Invariants checked on every decision:
//   - the action is publish, hold or reject; hold and reject come with at least one finding;
//   - every finding names a known rule id, has a positive finite score and a reason;
//   - every span satisfies start < end <= input size and starts and ends on code-point boundaries;
//   - invalid UTF-8 gives exactly reject + one "form" finding;
//   - the findings serialise (FindingsToJson).
// The edition language passed with the text cycles through the shipped lexicon languages by input size,
// so `local` lexicon entries are exercised for each.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "moderation/factory.hpp"
#include "moderation/policy.hpp"
#include "text/utf8.hpp"

namespace {

using namespace tribune;

const moderation::RuleEngine* g_engine = nullptr;

constexpr std::string_view kLanguages[] = {"en", "de", "es", "fr", "ru"};

bool IsKnownRule(const std::string& rule) {
  for (const auto& r : moderation::KnownRules()) {
    if (r == rule) return true;
  }
  return false;
}

bool OnCodePointBoundary(std::string_view text, size_t i) {
  return i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  moderation::EngineConfig config;
  config.max_length = 1'000'000;
  config.publisher_names = {"Tribune", "The Tribune", "Tribune Daily"};
  auto built = moderation::BuildRuleEngine(config);
  if (!built.ok()) {
    std::fprintf(stderr, "fuzz_engine: BuildRuleEngine failed: %s\n", built.error().message.c_str());
    std::abort();
  }
  g_engine = std::move(built).value().release();  // lives for the process
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  moderation::CheckInput input;
  input.text = text;
  input.article_id = 1;
  input.account_id = 1;
  input.language = kLanguages[size % std::size(kLanguages)];
  // Half the inputs are judged against an article (off_topic): a fixed one, or the input itself (an
  // article is stored text, but the detector must survive whatever it is given).
  constexpr std::string_view kArticle =
      "Council approves the tram line. The council voted to fund a tram line between the station and the "
      "university campus; construction starts in spring and trams carry passengers from 2029.";
  if (size % 4 == 1) input.article_text = kArticle;
  if (size % 4 == 3) input.article_text = text;

  const moderation::Decision d = g_engine->Check(input);

  const int action = static_cast<int>(d.action);
  FUZZ_CHECK(action >= static_cast<int>(moderation::Action::kPublish) &&
                 action <= static_cast<int>(moderation::Action::kReject),
             "action %d is not publish/hold/reject", action);
  FUZZ_CHECK(d.action == moderation::Action::kPublish || !d.findings.empty(), "%s without findings",
             moderation::ActionName(d.action));

  if (!text::IsValidUtf8(text)) {
    FUZZ_CHECK(d.action == moderation::Action::kReject && d.findings.size() == 1 && d.findings[0].rule == "form",
               "invalid UTF-8 gave action %s with %zu findings (first rule \"%s\"), not reject + one form finding",
               moderation::ActionName(d.action), d.findings.size(),
               d.findings.empty() ? "" : d.findings[0].rule.c_str());
  }

  for (const moderation::Finding& f : d.findings) {
    FUZZ_CHECK(IsKnownRule(f.rule), "unknown rule id \"%s\"", f.rule.c_str());
    FUZZ_CHECK(std::isfinite(f.score) && f.score > 0, "rule %s: score %g", f.rule.c_str(), f.score);
    FUZZ_CHECK(!f.reason.empty(), "rule %s: empty reason", f.rule.c_str());
    for (const auto& [start, end] : f.spans) {
      FUZZ_CHECK(start < end && end <= size, "rule %s: span [%zu, %zu) on a %zu-byte input", f.rule.c_str(), start,
                 end, size);
      FUZZ_CHECK(OnCodePointBoundary(text, start) && OnCodePointBoundary(text, end),
                 "rule %s: span [%zu, %zu) splits a UTF-8 sequence", f.rule.c_str(), start, end);
    }
  }
  const std::string json = moderation::FindingsToJson(d.findings);
  FUZZ_CHECK(!json.empty() && json.front() == '[', "FindingsToJson gave \"%.40s\"", json.c_str());
  return 0;
}
