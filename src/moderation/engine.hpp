// Start here for moderation. Every comment text, on post and on edit, passes through an Engine
// that returns an action and the findings that explain it.
//
// A finding names a rule (the ids of DESIGN.md: "form", "profanity", ...), a score, a reason the
// author can read, and evidence spans as byte offsets into the original text. This issue ships the
// MinimalEngine (form checks only); the community-standards engine replaces it behind this interface.
#pragma once

#include <boost/json/array.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::moderation {

namespace behaviour {
struct Attempt;
struct Observation;
}  // namespace behaviour

enum class Action { kPublish, kHold, kReject };

// "publish" | "hold" | "reject".
const char* ActionName(Action action);

struct Finding {
  std::string rule;
  double score = 0;
  std::string reason;
  std::vector<std::pair<size_t, size_t>> spans;  // [start, end) byte offsets into the text
  std::vector<std::string> details;  // what matched, for moderators ("lexicon en/profanity: ...")
  // The strongest detector confidence behind the finding, in [0, 1], before the rule's weight (0 when the
  // engine does not know it), and the most the rule may cause (its policy max_action): together they say
  // whether and how the finding contributed to the action (interop scores, INTEROP.md §3.2).
  double confidence = 0;
  Action max_action = Action::kReject;
};

struct Decision {
  Action action = Action::kPublish;
  std::vector<Finding> findings;
  // What the behaviour monitor computed about the attempt (set when CheckInput::attempt was given), for
  // BehaviourMonitor::Record once the caller has stored the outcome.
  std::shared_ptr<const behaviour::Observation> observation;
};

struct CheckInput {
  std::string_view text;  // the comment body as the author sent it
  int64_t article_id = 0;
  int64_t account_id = 0;
  std::string_view language;  // the edition's language, e.g. "en"
  // The article's title, tags, lead and body (for off_topic), or empty when not known.
  std::string_view article_text = {};
  // Who posts where and when, for the behaviour rules (flash_mob, flood, trolling); nullptr: judge the
  // text alone (a dry run without context).
  const behaviour::Attempt* attempt = nullptr;
};

// The article as CheckInput::article_text wants it: the title and tags three times (they name the
// subject), then the lead and the body.
std::string ArticleContext(std::string_view title, std::string_view tags, std::string_view lead,
                           std::string_view body);

// Thread-safe: Check is called concurrently from request threads.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual Decision Check(const CheckInput& input) const = 0;
  // Recorded with each decision ("minimal", ...).
  virtual std::string_view Name() const = 0;
};

// Rejects, under rule "form": invalid UTF-8, empty or blank text, text over `max_length` code points,
// and control characters (NUL, C0 other than tab/newline/CR, C1). Publishes everything else.
class MinimalEngine final : public Engine {
 public:
  explicit MinimalEngine(size_t max_length) : max_length_(max_length) {}
  Decision Check(const CheckInput& input) const override;
  std::string_view Name() const override { return "minimal"; }

 private:
  size_t max_length_;
};

// Findings as the JSON array API.md describes: [{"rule","score","reason","spans":[[s,e],...]}].
boost::json::array FindingsArray(const std::vector<Finding>& findings);
std::string FindingsToJson(const std::vector<Finding>& findings);

}  // namespace tribune::moderation
