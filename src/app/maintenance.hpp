// Jobs that run on a schedule inside `tribune serve`: the purge of accounts deleted longer ago than the
// restore period, the clean-up of expired tokens, captcha signatures, social logins and old push messages, and
// the daily digests of replies.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/services.hpp"

namespace tribune::app {

class Maintenance {
 public:
  explicit Maintenance(Services& services) : s_(services) {}
  ~Maintenance() { Stop(); }

  // Runs every job once, now, unless another server on the database is running them (then this round is
  // theirs). Thread-safe (one run at a time).
  Status RunDue();
  // Runs RunDue every `interval` on a thread until Stop.
  void Start(std::chrono::seconds interval);
  void Stop();
  // `serve --engine-only`: no site, so only the interop jobs (Coral's decision records past their retention).
  void SetEngineOnly(bool engine_only) { engine_only_ = engine_only; }

 private:
  static constexpr int kMaintenanceLock = 1;
  Status RunJobs();
  Status RunInteropJobs();
  Services& s_;
  bool engine_only_ = false;
  std::mutex run_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tribune::app
