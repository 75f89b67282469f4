// CoralPhase::Webhook (coral.hpp): Coral's events link a decision record to Coral's comment id, and a moderator's
// later decision on that comment becomes a labelled example.
#include <boost/json.hpp>

#include <optional>

#include "common/log.hpp"
#include "interop/coral_phase_impl.hpp"

namespace tribune::interop {

namespace {

constexpr std::string_view kWithheld = "SYSTEM_WITHHELD";
constexpr std::string_view kFlag = "FLAG";

// A string member, "" when missing or not a string.
std::string_view Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

// The linked record's fields a label needs.
struct Linked {
  std::string text, findings_json, edition;  // the record's: the edition that judged the comment
};

// The rule of the top-scoring finding of a record ([{"rule","score",…}]), "" when none can be learned.
std::string TopRule(const std::string& findings_json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(findings_json, ec);
  if (ec || !v.is_array()) return "";
  std::string best;
  double best_score = -1;
  for (const auto& f : v.get_array()) {
    if (!f.is_object()) continue;
    const std::string_view rule = Str(f.get_object(), "rule");
    const auto* score = f.get_object().if_contains("score");
    const double s = score != nullptr && score->is_number() ? score->to_number<double>() : 0;
    if (!rule.empty() && s > best_score) {
      best = std::string(rule);
      best_score = s;
    }
  }
  if (best == "flood" || best == "flash_mob") return "";  // behaviour, not text
  return best;
}

// Which records a queue event may stand for: what Coral was told that puts a comment in that queue.
std::string_view WantedByQueue(std::string_view queue, std::string_view status) {
  if (queue == "PENDING" && (status.empty() || status == kWithheld)) return kWithheld;
  if (queue == "REPORTED" && (status.empty() || status == "NONE")) return kFlag;
  if (queue.empty() && status == kWithheld) return kWithheld;
  return "";
}

}  // namespace

Reply CoralPhase::Webhook(std::string_view raw_body, std::string_view signature_header) {
  Impl& I = *impl_;
  const CoralPhaseOptions& o = I.options;
  if (raw_body.size() > o.max_webhook_bytes) return CoralError(ErrorCode::kPayloadTooLarge, "request body too large");
  if (!VerifyCoralSignature(raw_body, signature_header, o.webhook_secrets.empty() ? o.secrets : o.webhook_secrets)) {
    return CoralError(ErrorCode::kUnauthenticated, "missing or invalid X-Coral-Signature");
  }
  boost::json::parse_options popts;
  popts.max_depth = 32;
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(raw_body, ec, {}, popts);
  if (ec || !root.is_object()) return CoralError(ErrorCode::kBadRequest, "the body must be a JSON object");
  const boost::json::object& event = root.get_object();
  const boost::json::value* type_v = event.if_contains("type");
  if (type_v == nullptr || !type_v->is_string()) return CoralError(ErrorCode::kBadRequest, "type must be a string");
  const std::string_view type = type_v->get_string();

  Reply received;
  received.body = R"({"received":true})";
  const bool entered = type == "COMMENT_ENTERED_MODERATION_QUEUE";
  const bool left = type == "COMMENT_LEFT_MODERATION_QUEUE";
  const bool updated = type == "COMMENT_STATUS_UPDATED";
  if (!entered && !left && !updated) return received;

  const boost::json::value* data_v = event.if_contains("data");
  if (data_v == nullptr || !data_v->is_object()) return CoralError(ErrorCode::kBadRequest, "data must be an object");
  const boost::json::object& data = data_v->get_object();
  const std::string_view tenant = Str(event, "tenantID"), comment = Str(data, "commentID"),
                         story = Str(data, "storyID");
  if (tenant.empty() || comment.empty() || story.empty()) {
    return CoralError(ErrorCode::kBadRequest, "tenantID, data.commentID and data.storyID must be strings");
  }
  if (tenant.size() > 512 || comment.size() > kMaxFeedbackReference || story.size() > 512 ||
      tenant.find('\0') != std::string_view::npos || comment.find('\0') != std::string_view::npos ||
      story.find('\0') != std::string_view::npos) {
    return CoralError(ErrorCode::kBadRequest, "ids too long or holding NUL");
  }

  // What the event says: the records it may be about (for linking) and the moderator's verdict, if any.
  std::string_view wanted;
  std::string_view verdict;  // "APPROVED" | "REJECTED" | ""
  if (entered) {
    wanted = WantedByQueue(Str(data, "queue"), Str(data, "status"));
  } else if (left) {
    const std::string_view status = Str(data, "status");
    if (status == "APPROVED" || status == "REJECTED") verdict = status;
    wanted = WantedByQueue(Str(data, "queue"), "");
  } else {
    const std::string_view next = Str(data, "newStatus"), old = Str(data, "oldStatus");
    const boost::json::value* moderator = data.if_contains("moderatorID");
    const bool by_system = moderator != nullptr && moderator->is_null();
    if (!by_system && (next == "APPROVED" || next == "REJECTED")) verdict = next;
    wanted = old == kWithheld ? kWithheld : old == "NONE" ? kFlag : std::string_view{};
  }
  if (entered ? wanted.empty() : verdict.empty()) return received;  // nothing to link, nothing to learn

  // Our own records of the last moments must be committed before we look for them.
  I.log.Flush();
  const int64_t since = I.clock.NowMicros() - o.link_window_seconds * 1'000'000;
  std::optional<Linked> linked;
  bool ambiguous = false, newly = false;
  const storage::Params ids{std::string(tenant), std::string(comment)};
  Status st = I.db.Write([&](storage::Session& s) -> Status {
    linked.reset();
    ambiguous = newly = false;
    auto mine = s.Query(
        "SELECT text, findings_json, edition FROM interop_decisions WHERE tenant_id = $1 AND coral_comment_id = $2", ids);
    if (!mine.ok()) return std::move(mine).error();
    if (!mine->empty()) {
      linked = Linked{(*mine)[0].Text(0), (*mine)[0].Text(1), (*mine)[0].Text(2)};
      return Ok{};
    }
    if (wanted.empty()) return Ok{};
    // Whatever edition judged it (a phase URL may name one): a Coral story has one phase configuration.
    auto candidates = s.Query(
        "SELECT id, text, findings_json, edition FROM interop_decisions WHERE tenant_id = $1 AND story_id = $2"
        " AND coral_comment_id IS NULL AND coral_status = $3 AND created_at >= $4"
        " ORDER BY id LIMIT 2",
        {std::string(tenant), std::string(story), std::string(wanted), since});
    if (!candidates.ok()) return std::move(candidates).error();
    if (candidates->size() != 1) {
      ambiguous = candidates->size() > 1;
      return Ok{};
    }
    auto set = s.Exec("UPDATE interop_decisions SET coral_comment_id = $1 WHERE id = $2 AND coral_comment_id IS NULL",
                      {std::string(comment), (*candidates)[0].Int(0)});
    if (!set.ok()) return std::move(set).error();
    linked = Linked{(*candidates)[0].Text(1), (*candidates)[0].Text(2), (*candidates)[0].Text(3)};
    newly = true;
    return Ok{};
  });
  if (!st.ok()) {
    log::Warn("interop: coral webhook not handled", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    return CoralError(ErrorCode::kUnavailable, "try again later");
  }
  if (newly) ++I.linked;
  if (ambiguous) {
    ++I.ambiguous;
    log::Info("interop: coral comment matches several decisions; not linked",
              "\"comment\":\"" + log::JsonEscape(comment) + "\"");
  }
  if (!linked || verdict.empty()) return received;

  const std::string label = verdict == "APPROVED" ? "ok" : TopRule(linked->findings_json);
  if (label.empty() || linked->text.empty()) return received;
  // The same verdict reported twice (LEFT and STATUS_UPDATED, or a redelivery) is learned once.
  auto last = I.db.Read(
      "SELECT label FROM interop_feedback WHERE edition = $1 AND source = 'coral' AND reference = $2"
      " ORDER BY created_at DESC, id DESC LIMIT 1",
      {linked->edition, std::string(comment)});
  if (!last.ok()) return CoralError(ErrorCode::kUnavailable, "try again later");
  if (!last->empty() && (*last)[0].Text(0) == label) return received;
  auto recorded = I.feedback.Record(linked->edition, "coral", label, linked->text, comment);
  if (!recorded.ok()) {
    if (recorded.error().code == ErrorCode::kUnavailable) return CoralError(ErrorCode::kUnavailable, "try again later");
    return received;  // an example the store refuses (e.g. a text over its limit): nothing to learn
  }
  ++I.labelled;
  return received;
}

}  // namespace tribune::interop
