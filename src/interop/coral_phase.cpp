// CoralPhase::Moderate (coral.hpp): verify, parse, judge within the deadline, answer, record off the request path.
#include <sodium.h>

#include <algorithm>
#include <chrono>

#include "common/log.hpp"
#include "common/random.hpp"
#include "interop/coral_phase_impl.hpp"
#include "interop/html_text.hpp"

namespace tribune::interop {

namespace {

constexpr size_t kMaxReplayEntries = 100000;

// PostgreSQL's TEXT holds no NUL (JSON may carry \u0000; boost::json already refuses invalid UTF-8).
std::string Storable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

void HashField(crypto_hash_sha256_state& st, std::string_view field) {
  const std::string prefix = std::to_string(field.size()) + ":";
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size());
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

// §2.2: Coral sends no comment id; a decision is keyed on tenant, story, author and body: the SHA-256 (hex) of
// "<len>:<tenant><len>:<story><len>:<author><len>:<body>" (length-prefixed, so no two tuples share a key).
std::string RecordKey(const CoralRequest& r) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  HashField(st, r.tenant_id);
  HashField(st, r.story_id);
  HashField(st, r.author_id);
  HashField(st, r.body);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// What Coral was told, in one word (column coral_status).
std::string_view CoralStatus(const moderation::Decision& d, const Reply& told) {
  if (told.status == 204) return "";
  switch (d.action) {
    case moderation::Action::kPublish: return d.findings.empty() ? "APPROVED" : "FLAG";
    case moderation::Action::kHold: return "SYSTEM_WITHHELD";
    case moderation::Action::kReject: return "REJECTED";
  }
  return "";
}

Reply NoDecision() {
  Reply r;
  r.status = 204;
  return r;
}

// A body over max_body_bytes, judged without the engine as the engine's precheck would (form, English as the
// engine's own prechecks are).
moderation::Decision TooLong(size_t size, size_t limit) {
  moderation::Decision d;
  d.action = moderation::Action::kReject;
  moderation::Finding f;
  f.rule = "form";
  f.score = 1.0;
  f.confidence = 1.0;
  f.reason = "The comment is " + std::to_string(size) + " bytes long; the limit is " + std::to_string(limit) + ".";
  d.findings.push_back(std::move(f));
  return d;
}

}  // namespace

// ---- DecisionLog ----

DecisionLog::DecisionLog(storage::Database& db) : db_(db), thread_([this] { Run(); }) {}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void DecisionLog::Add(DecisionRow row) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      // Logged once per 1024 drops: an overloaded database must not flood the log too.
      if ((failures_++ & 1023) == 0) log::Warn("interop: coral decision log full; records dropped");
      return;
    }
    queue_.push_back(std::move(row));
    ++added_;
  }
  cv_.notify_one();
}

void DecisionLog::Flush() {
  std::unique_lock lock(mu_);
  const int64_t target = added_;
  idle_cv_.wait(lock, [&] { return settled_ >= target; });
}

Status DecisionLog::WriteBatch(const std::vector<DecisionRow>& rows) {
  return db_.Write([&rows](storage::Session& s) -> Status {
    for (const DecisionRow& r : rows) {
      auto st = s.Exec(
          "INSERT INTO interop_decisions (record_key, body_hash, tenant_id, story_id, author_id, edition, action,"
          " findings_json, answer, coral_status, text, created_at)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {r.record_key, r.body_hash, r.tenant_id, r.story_id, r.author_id, r.edition, r.action, r.findings_json,
           r.answer, r.coral_status, r.text, r.created_at});
      if (!st.ok()) return std::move(st).error();
    }
    return Ok{};
  });
}

void DecisionLog::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stop_) return;
      continue;
    }
    std::vector<DecisionRow> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    Status st = WriteBatch(batch);
    if (st.ok()) {
      recorded_ += static_cast<int64_t>(batch.size());
    } else if (batch.size() > 1) {
      // One bad row must not lose the others: each on its own.
      for (const DecisionRow& r : batch) {
        if (WriteBatch({r}).ok()) {
          ++recorded_;
        } else {
          ++failures_;
        }
      }
    } else {
      ++failures_;
    }
    if (!st.ok()) {
      log::Warn("interop: coral decision record failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    }
    lock.lock();
    settled_ += static_cast<int64_t>(batch.size());
    idle_cv_.notify_all();
  }
}

// ---- CoralPhase::Impl ----

CoralPhase::Impl::Impl(storage::Database& db_, const Clock& clock_, FeedbackStore& feedback_, CoralPhaseOptions o)
    : db(db_), clock(clock_), feedback(feedback_), options(std::move(o)), log(db_) {
  if (options.deadline_ms > 0) {
    const int n = std::clamp(options.judge_threads, 1, 64);
    for (int i = 0; i < n; ++i) judges.emplace_back([this] { JudgeLoop(); });
  }
}

CoralPhase::Impl::~Impl() {
  {
    std::lock_guard lock(jobs_mu);
    stopping = true;
  }
  jobs_cv.notify_all();
  for (auto& t : judges) t.join();  // the judges finish what is queued first
}

bool CoralPhase::Impl::Submit(std::shared_ptr<Job> job) {
  {
    std::lock_guard lock(jobs_mu);
    if (pending >= std::max<size_t>(options.max_pending, 1)) return false;
    ++pending;
    jobs.push_back(std::move(job));
  }
  jobs_cv.notify_one();
  return true;
}

void CoralPhase::Impl::JudgeLoop() {
  std::unique_lock lock(jobs_mu);
  for (;;) {
    jobs_cv.wait(lock, [&] { return stopping || !jobs.empty(); });
    if (jobs.empty()) return;  // stopping, nothing left
    std::shared_ptr<Job> job = std::move(jobs.front());
    jobs.pop_front();
    lock.unlock();
    Judge(*job);
    lock.lock();
    if (--pending == 0) idle_cv.notify_all();
  }
}

void CoralPhase::Impl::WaitIdle() {
  std::unique_lock lock(jobs_mu);
  idle_cv.wait(lock, [&] { return pending == 0; });
}

void CoralPhase::Impl::Judge(Job& job) {
  moderation::Decision decision;
  bool failed = false;
  try {
    decision = job.engine->Check(moderation::CheckInput{.text = job.text, .language = job.language});
  } catch (const std::exception& e) {
    failed = true;
    log::Error("interop: engine failed on a coral comment", "\"what\":\"" + log::JsonEscape(e.what()) + "\"");
  } catch (...) {
    failed = true;
    log::Error("interop: engine failed on a coral comment");
  }
  Reply answer = failed ? NoDecision() : CoralAnswer(decision, job.approve_on_publish);
  Reply told;
  {
    std::lock_guard lock(job.mu);
    told = job.abandoned ? NoDecision() : answer;
    if (!job.abandoned) job.reply = std::move(answer);
    job.done = true;
  }
  job.cv.notify_all();
  if (failed) return;
  DecisionRow& row = job.row;
  row.action = moderation::ActionName(decision.action);
  row.findings_json = Storable(moderation::FindingsToJson(decision.findings));
  row.coral_status = CoralStatus(decision, told);
  row.answer = std::move(told.body);
  log.Add(std::move(row));
}

bool CoralPhase::Impl::FirstSeen(const std::string& body_hash, int64_t now) {
  const int64_t window = options.replay_window_seconds * 1'000'000;
  std::lock_guard lock(replay_mu);
  while (!seen_order.empty() && (seen_order.front().first <= now || seen_order.size() > kMaxReplayEntries)) {
    auto it = seen.find(seen_order.front().second);
    if (it != seen.end() && it->second == seen_order.front().first) seen.erase(it);
    seen_order.pop_front();
  }
  auto [it, inserted] = seen.try_emplace(body_hash, now + window);
  if (!inserted) {
    if (it->second > now) return false;
    it->second = now + window;
  }
  seen_order.emplace_back(now + window, body_hash);
  return true;
}

// ---- CoralPhase ----

CoralPhase::CoralPhase(storage::Database& db, const Clock& clock, FeedbackStore& feedback, CoralPhaseOptions options)
    : impl_(std::make_unique<Impl>(db, clock, feedback, std::move(options))) {}

CoralPhase::~CoralPhase() {
  // Judges first (their records go to the log), then the log commits what is queued.
  impl_.reset();
}

void CoralPhase::Flush() {
  impl_->WaitIdle();
  impl_->log.Flush();
}

Result<int64_t> CoralPhase::Prune() {
  const int64_t before = impl_->clock.NowMicros() - impl_->options.record_retention_days * 86'400'000'000;
  int64_t deleted = 0;
  Status st = impl_->db.Write([&](storage::Session& s) -> Status {
    auto n = s.Exec("DELETE FROM interop_decisions WHERE created_at < $1", {before});
    if (!n.ok()) return std::move(n).error();
    deleted = *n;
    return Ok{};
  });
  if (!st.ok()) return MakeError(ErrorCode::kUnavailable, "decision records not pruned: " + st.error().message);
  return deleted;
}

CoralPhaseStats CoralPhase::stats() const {
  CoralPhaseStats s;
  s.answered = impl_->answered;
  s.late = impl_->late;
  s.overloaded = impl_->overloaded;
  s.recorded = impl_->log.recorded();
  s.record_failures = impl_->log.failures();
  s.linked = impl_->linked;
  s.ambiguous = impl_->ambiguous;
  s.labelled = impl_->labelled;
  return s;
}

Reply CoralPhase::Moderate(std::string_view raw_body, std::string_view signature_header,
                           const moderation::Engine& engine, std::string_view language, bool approve_on_publish) {
  return Moderate(raw_body, signature_header, engine, language, approve_on_publish, impl_->options.plain_text);
}

Reply CoralPhase::Moderate(std::string_view raw_body, std::string_view signature_header,
                           const moderation::Engine& engine, std::string_view language, bool approve_on_publish,
                           bool plain_text) {
  Impl& I = *impl_;
  const CoralPhaseOptions& o = I.options;
  if (raw_body.size() > 8 * o.max_body_bytes + 65536) {
    return CoralError(ErrorCode::kPayloadTooLarge, "request body too large");
  }
  if (!VerifyCoralSignature(raw_body, signature_header, o.secrets)) {
    return CoralError(ErrorCode::kUnauthenticated, "missing or invalid X-Coral-Signature");
  }
  auto parsed = ParseCoralRequest(raw_body);
  if (!parsed.ok()) return CoralError(ErrorCode::kBadRequest, parsed.error().message);
  const CoralRequest& req = *parsed;
  const int64_t now = I.clock.NowMicros();
  std::string body_hash = Sha256Hex(raw_body);
  if (o.replay_window_seconds > 0 && !I.FirstSeen(body_hash, now)) {
    return CoralError(ErrorCode::kConflict, "this request was already answered");
  }

  auto job = std::make_shared<Job>();
  job->engine = &engine;
  job->language.assign(language);
  job->approve_on_publish = approve_on_publish;
  DecisionRow& row = job->row;
  row.record_key = RecordKey(req);
  row.body_hash = std::move(body_hash);
  row.tenant_id = Storable(req.tenant_id);
  row.story_id = Storable(req.story_id);
  row.author_id = Storable(req.author_id);
  row.edition.assign(language);  // the edition that judged it (the phase URL's ?edition= or the configured one)
  row.created_at = now;

  if (req.body.size() > o.max_body_bytes) {
    const moderation::Decision d = TooLong(req.body.size(), o.max_body_bytes);
    Reply answer = CoralAnswer(d, approve_on_publish);
    row.action = moderation::ActionName(d.action);
    row.findings_json = moderation::FindingsToJson(d.findings);
    row.coral_status = CoralStatus(d, answer);
    row.answer = answer.body;
    I.log.Add(std::move(row));  // text "": nothing to learn from it
    ++I.answered;
    return answer;
  }
  job->text = plain_text ? req.body : HtmlToText(req.body);
  row.text = Storable(job->text);

  if (o.deadline_ms <= 0) {
    I.Judge(*job);
    ++I.answered;
    return std::move(job->reply);
  }
  if (!I.Submit(job)) {
    if ((I.overloaded++ & 1023) == 0) log::Warn("interop: coral judgments pile up; answered 204 unjudged");
    return NoDecision();
  }
  std::unique_lock lock(job->mu);
  if (!job->cv.wait_for(lock, std::chrono::milliseconds(o.deadline_ms), [&] { return job->done; })) {
    job->abandoned = true;
    ++I.late;
    return NoDecision();
  }
  ++I.answered;
  return std::move(job->reply);
}

}  // namespace tribune::interop
