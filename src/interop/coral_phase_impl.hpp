// Inside CoralPhase (coral.hpp): the decision log's writer thread, the judge threads, the replay memory.
// Shared by coral_phase.cpp (Moderate) and coral_webhook.cpp (Webhook); not a public interface.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "interop/coral.hpp"

namespace tribune::interop {

// One interop_decisions row.
struct DecisionRow {
  std::string record_key, body_hash, tenant_id, story_id, author_id, edition, action, findings_json, answer,
      coral_status, text;
  int64_t created_at = 0;
};

// Commits rows on its own thread, in batches (one group-committed write per batch), so that no request waits
// for the commit. Bounded: beyond kMaxQueued waiting rows, new ones are dropped (and counted).
class DecisionLog {
 public:
  static constexpr size_t kMaxQueued = 10000;
  static constexpr size_t kMaxBatch = 256;

  explicit DecisionLog(storage::Database& db);
  ~DecisionLog();  // commits what is queued
  void Add(DecisionRow row);
  void Flush();  // returns once every row added before the call is committed or failed
  int64_t recorded() const { return recorded_.load(); }
  int64_t failures() const { return failures_.load(); }

 private:
  void Run();
  Status WriteBatch(const std::vector<DecisionRow>& rows);

  storage::Database& db_;
  std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<DecisionRow> queue_;
  // Rows added / written or given up so far: Flush waits for its own rows only, so that steady traffic cannot
  // keep it waiting.
  int64_t added_ = 0, settled_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> recorded_{0}, failures_{0};
  std::thread thread_;
};

// One comment to judge. The request thread waits for `done` until the deadline, then gives up (`abandoned`);
// whichever comes first decides what Coral was told, and the record says that.
struct Job {
  const moderation::Engine* engine = nullptr;
  std::string language;
  bool approve_on_publish = false;
  std::string text;
  DecisionRow row;  // key fields filled in by the request thread
  std::mutex mu;
  std::condition_variable cv;
  bool done = false, abandoned = false;
  Reply reply;
};

struct CoralPhase::Impl {
  Impl(storage::Database& db, const Clock& clock, FeedbackStore& feedback, CoralPhaseOptions options);
  ~Impl();

  // Judges `job` on this thread, settles what Coral is told and queues the record.
  void Judge(Job& job);
  // Queues `job` for the judge threads; false when max_pending are waiting or running.
  bool Submit(std::shared_ptr<Job> job);
  void JudgeLoop();
  // False when `body_hash` was seen within the replay window (and remembers it otherwise).
  bool FirstSeen(const std::string& body_hash, int64_t now);
  void WaitIdle();

  storage::Database& db;
  const Clock& clock;
  FeedbackStore& feedback;
  const CoralPhaseOptions options;
  DecisionLog log;

  std::mutex jobs_mu;
  std::condition_variable jobs_cv, idle_cv;
  std::deque<std::shared_ptr<Job>> jobs;
  size_t pending = 0;  // queued + running
  bool stopping = false;
  std::vector<std::thread> judges;

  std::mutex replay_mu;
  std::unordered_map<std::string, int64_t> seen;          // body hash → expiry (µs)
  std::deque<std::pair<int64_t, std::string>> seen_order;  // by expiry

  std::atomic<int64_t> answered{0}, late{0}, overloaded{0}, linked{0}, ambiguous{0}, labelled{0};
};

}  // namespace tribune::interop
