// Coral Talk's External Moderation Phase (INTEROP.md §2, §3.3): Coral posts each new or edited comment, signed
// with the phase's secret; Tribune's engine judges it and answers within the phase's timeout. Start here for
// Coral. The pieces, each usable alone:
//   VerifyCoralSignature / CoralSignature  X-Coral-Signature (§2.3), also the scheme of Coral's webhooks
//   ParseCoralRequest                      the request body (§2.2)
//   CoralAnswer                            an engine decision as Coral's answer (§3.3), byte-exact
//   CoralPhase                             the whole request (verify, parse, judge within a deadline, answer,
//                                          record the decision off the request path), and Coral's webhooks,
//                                          which link a decision record to Coral's comment id so that a
//                                          moderator's later decision teaches the engine (feedback.hpp)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "interop/feedback.hpp"
#include "interop/reply.hpp"
#include "moderation/engine.hpp"
#include "storage/database.hpp"

namespace tribune::interop {

// §2.3. `header` is X-Coral-Signature ("sha256=<hex>[,sha256=<hex>…]"; elements with another prefix are
// ignored, blanks around elements too). True when any listed signature equals HMAC-SHA256(secret, raw_body)
// under any of `secrets`. The hex is decoded (either case accepted: Coral sends lowercase, and the value is
// a MAC, not a secret) and the 32 bytes compared in constant time (sodium_memcmp). At most 16 elements and the
// first 8 KB of the header are looked at; empty secrets never verify.
bool VerifyCoralSignature(std::string_view raw_body, std::string_view header, const std::vector<std::string>& secrets);
// "sha256=<lowercase hex>" (tests, tools).
std::string CoralSignature(std::string_view raw_body, std::string_view secret);

// §2.2 body, parsed. Coral's JSON is strict (JSON.stringify): parsed with boost::json, at most 32 levels deep.
// Required: action ("NEW" | "EDIT"), comment.body, author.id, story.id, tenantID. The others may be missing
// (→ ""), comment.parentID may be null; a field of the wrong type is an error. Unknown fields are ignored.
// Errors: kBadRequest naming the field ("comment.body must be a string").
struct CoralRequest {
  std::string action;        // "NEW" | "EDIT"
  std::string body;          // as sent (HTML or plain text)
  std::string parent_id;     // "" when null
  std::string author_id, author_role, story_id, story_url, site_id, tenant_id, tenant_domain;
};
Result<CoralRequest> ParseCoralRequest(std::string_view raw_body);

// §3.3: the answer for an engine decision.
//   publish, no findings   → 204, empty body; 200 {"status":"APPROVED"} when approve_on_publish
//   publish with findings  → 200 {"actions":[…]}
//   hold                   → 200 {"status":"SYSTEM_WITHHELD","actions":[…]}
//   reject                 → 200 {"status":"REJECTED","actions":[…],"moderationAction":{"status":"REJECTED",
//                            "rejectionReason":{"code",["legalGrounds",]"detailedExplanation"[,"customReason"]}}}
// actions: one {"actionType":"FLAG","reason":…} per DISTINCT reason, in the order of the findings (a rule the
// table of rule_map.hpp does not know flags COMMENT_DETECTED_TOXIC); left out when there are no findings.
// The rejection reason comes from the top-scoring finding whose rule may reject (max_action reject; the
// top-scoring finding when none may): code per §3.1, detailedExplanation "<rule>: <the finding's reason>" (the
// policy's reason, in the engine's UI language), legalGrounds the same reason for ILLEGAL_CONTENT,
// customReason per §3.1 for OTHER. A rule unknown to the table: code OTHER, customReason the rule id.
// Compact JSON, keys in the order of §4.2's expected answers (byte-exact).
Reply CoralAnswer(const moderation::Decision& decision, bool approve_on_publish);

// A Tribune error body ({"error":{"code":"<ErrorCodeName>","message":…}}) with the HTTP status of the code
// (401 unauthenticated, 400 bad_request, 409 conflict, 413 payload_too_large). The HTTP layer may add its
// request_id.
Reply CoralError(ErrorCode code, std::string_view message);

struct CoralPhaseOptions {
  std::vector<std::string> secrets;     // interop.coral_secrets: the phase's signing secrets (rotation: several)
  // interop.coral_webhook_secrets: the webhook endpoint's signing secrets (Coral gives a webhook its own
  // secret); empty → `secrets`.
  std::vector<std::string> webhook_secrets;
  std::string edition = "en";           // whose policy judges (the lead passes the engine of that edition)
  bool approve_on_publish = false;      // interop.coral_approve_on_publish (or ?approve_on_publish=true)
  // interop.coral_format: "html" (Coral's default phase format: the body goes through HtmlToText) or "plain"
  // (the phase's format is PLAIN_TEXT: judged as sent). Coral does not say which it sends.
  bool plain_text = false;
  int64_t replay_window_seconds = 0;    // > 0: the same raw body within the window → 409 (Tribune error body)
  // Judging runs on `judge_threads` threads of the phase so that the request can answer 204 when the decision
  // is not ready after deadline_ms (the decision is still recorded when it comes). deadline_ms <= 0: judged on
  // the calling thread, no deadline. At most `max_pending` judgments wait or run; beyond that → 204 at once,
  // nothing judged (an engine that cannot keep up must not pile up work).
  int deadline_ms = 150;
  int judge_threads = 2;
  size_t max_pending = 256;
  // comment.body longer than this (bytes): rejected under `form` without running the engine (the engine's own
  // limit, rule_engine.hpp max_length = 5000 code points, rejects such a body anyway). A raw request longer than
  // 8 × max_body_bytes + 64 KB is refused with 413 before anything else.
  size_t max_body_bytes = 65536;
  // Webhooks: a decision record is linked to Coral's comment only within this many seconds after the decision.
  int64_t link_window_seconds = 600;
  size_t max_webhook_bytes = 65536;
  // interop.coral_record_days: Prune() deletes decision records older than this (they hold Coral users' text).
  int64_t record_retention_days = 30;
};

// What a CoralPhase counts (for metrics and tests).
struct CoralPhaseStats {
  int64_t answered = 0;          // Moderate calls answered with the engine's decision in time
  int64_t late = 0;              // answered 204 because the decision was not ready by the deadline
  int64_t overloaded = 0;        // answered 204 because max_pending judgments were waiting
  int64_t recorded = 0;          // interop_decisions rows committed
  int64_t record_failures = 0;   // rows lost to a failed write
  int64_t linked = 0;            // records linked to a Coral comment by a webhook
  int64_t ambiguous = 0;         // webhooks that matched several records (nothing linked)
  int64_t labelled = 0;          // feedback rows written from Coral moderators' decisions
};

// Thread-safe. The engines given to Moderate must outlive the phase (a late judgment still uses its engine
// after Moderate returned; the destructor waits for them).
class CoralPhase {
 public:
  // `feedback` receives the labelled examples of Webhook (its learner teaches the model); it must outlive the
  // phase. Starts the judge threads (when deadline_ms > 0) and the decision log's writer thread.
  CoralPhase(storage::Database& db, const Clock& clock, FeedbackStore& feedback, CoralPhaseOptions options);
  ~CoralPhase();  // waits for running judgments, flushes the decision log
  CoralPhase(const CoralPhase&) = delete;
  CoralPhase& operator=(const CoralPhase&) = delete;

  // The whole external-phase request, in this order: raw size (413), signature (401 + Tribune error body on a
  // bad or missing one), body (400 naming the field), replay (409, when replay_window_seconds > 0; kept in this
  // server's memory: servers sharing a database each refuse their own replays), then `engine` judges the text
  // (HtmlToText(comment.body), or the body as sent when plain_text; `language` is the edition's language; the
  // reasons come in the engine's UI language) and the answer follows §3.3 — 204 when the decision is not ready
  // within deadline_ms, or the engine throws. The decision is recorded in interop_decisions by the writer thread
  // (Coral does not wait for the commit); nothing is recorded for 401/400/409/413 or an engine failure.
  // Caveat of the replay window: Coral has no retries, so a replayed body is an attacker's or the same author
  // posting the same text on the same story twice in the window; the second gets 409, which Coral ignores (the
  // comment goes on unjudged by Tribune). Off by default.
  Reply Moderate(std::string_view raw_body, std::string_view signature_header, const moderation::Engine& engine,
                 std::string_view language, bool approve_on_publish);
  // The same with the body format chosen per request (e.g. the phase URL's ?format=PLAIN_TEXT).
  Reply Moderate(std::string_view raw_body, std::string_view signature_header, const moderation::Engine& engine,
                 std::string_view language, bool approve_on_publish, bool plain_text);

  // A Coral webhook event (coralproject/talk docs/docs/webhooks.md), signed like the phase (webhook_secrets):
  // {"id","type","tenantID","tenantDomain","data":{…},"createdAt"}. 200 {"received":true} for any well-signed
  // event (unknown types included), 401 bad signature, 400 malformed (not an object, `type` not a string, or a
  // handled type without data.commentID / data.storyID / tenantID), 413 over max_webhook_bytes.
  //  - COMMENT_ENTERED_MODERATION_QUEUE links the comment to this server's decision record: queue PENDING (or
  //    status SYSTEM_WITHHELD) → the records Coral was told SYSTEM_WITHHELD, queue REPORTED → the records answered
  //    with flags only; among them the unlinked ones of that tenant and story from the last link_window_seconds.
  //    Exactly one → linked; several → nothing (never guesses); other queues (UNMODERATED, …) → nothing.
  //  - COMMENT_STATUS_UPDATED with newStatus APPROVED / REJECTED by a moderator (moderatorID not null), and
  //    COMMENT_LEFT_MODERATION_QUEUE with status APPROVED / REJECTED: the linked record's text becomes a labelled
  //    example (FeedbackStore, source "coral", reference the comment id): "ok" for APPROVED, the rule of the
  //    record's top-scoring finding for REJECTED (nothing when it has none, or it is a behaviour rule: flood,
  //    flash_mob). Not linked yet → linked first as above (by oldStatus SYSTEM_WITHHELD / NONE, or the queue).
  //    The same label twice in a row for one comment is learned once.
  Reply Webhook(std::string_view raw_body, std::string_view signature_header);

  // Deletes the decision records older than record_retention_days (for the maintenance job). Returns how many.
  // Errors: kUnavailable (database).
  Result<int64_t> Prune();

  // Waits until every judgment started so far has finished and its row is committed (or failed: stats()).
  void Flush();
  CoralPhaseStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::interop
