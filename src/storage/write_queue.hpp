// The single writer of a Database backend, with group commit: Submit() queues a write function and waits; one
// thread takes up to `max_batch` queued functions at a time and hands them to the backend's commit, which runs
// each in its own savepoint inside one transaction and reports one Status per function.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/database.hpp"

namespace tribune::storage {

// Runs a write or read function; an exception becomes kInternal (a write must never take the writer down).
inline Status RunGuarded(const std::function<Status(Session&)>& fn, Session& s) {
  try {
    return fn(s);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("exception in transaction: ") + e.what());
  }
}

class WriteQueue {
 public:
  using Fn = std::function<Status(Session&)>;
  // Commits `batch` (in order) and fills `results` with one Status per function.
  using Commit = std::function<void(const std::vector<const Fn*>& batch, std::vector<Status>& results)>;

  WriteQueue(int max_batch, Commit commit) : max_batch_(std::max(1, max_batch)), commit_(std::move(commit)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~WriteQueue() { Close(); }

  // Blocks until the function's batch committed (or failed). kUnavailable once closing.
  Status Submit(Fn fn) {
    Job job{std::move(fn), {}};
    auto done = job.done.get_future();
    {
      std::lock_guard lock(mu_);
      if (closing_) return MakeError(ErrorCode::kUnavailable, "database is closing");
      queue_.push_back(&job);
    }
    cv_.notify_one();
    return done.get();
  }

  // Commits what is queued, then stops the thread. Idempotent; returns false if it was closed already.
  bool Close() {
    {
      std::lock_guard lock(mu_);
      if (closing_) return false;
      closing_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return true;
  }

 private:
  struct Job {
    Fn fn;
    std::promise<Status> done;
  };

  void Loop() {
    std::vector<Job*> jobs;
    std::vector<const Fn*> batch;
    std::vector<Status> results;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;  // closing and drained
        while (!queue_.empty() && static_cast<int>(jobs.size()) < max_batch_) {
          jobs.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      for (Job* j : jobs) batch.push_back(&j->fn);
      commit_(batch, results);
      for (size_t i = 0; i < jobs.size(); ++i) jobs[i]->done.set_value(std::move(results[i]));
      jobs.clear();
      batch.clear();
      results.clear();
    }
  }

  const int max_batch_;
  Commit commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  bool closing_ = false;
  std::thread thread_;
};

}  // namespace tribune::storage
