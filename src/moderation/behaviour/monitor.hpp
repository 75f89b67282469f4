// Start here for the behaviour rules: `flash_mob`, `flood` and `trolling` judge a comment by what else
// happened recently — across accounts and threads — rather than by its text alone.
//
// One BehaviourMonitor per edition holds the sliding window in memory:
//   - near duplicates across accounts (NearDuplicateIndex: MinHash + LSH clusters) → flash_mob;
//   - token buckets per account and per (account, thread), runs of short or incoherent comments,
//     an account repeating itself, two accounts locked in a reply chain → flood;
//   - each account's standing (rejections, reports received, insult findings, moderators' decisions),
//     decaying with a half-life, plus the text's own provocations → trolling.
//
// The life of one attempt:
//   Observation obs = monitor.Observe(attempt, views, article_text);   // fingerprint etc.; no state change
//   monitor.Assess(obs, content_signals, out);                         // read-only: behaviour signals
//   ... the policy decides; the caller stores the comment (or the rejection) ...
//   Recorded r = monitor.Record(event, obs, action, rules);            // joins the window
//   r.to_hold: comments published earlier that must now be held (their cluster reached N accounts).
//
// The source of truth is the caller's event log (table moderation_window, written in the same transaction
// as the comment): at start-up the caller replays the window through Record, so a restart loses nothing,
// and a second server (PostgreSQL, issue 9) can apply the events of the others the same way. Every method
// is thread-safe (one mutex; a check holds it for a few microseconds).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "moderation/behaviour/fingerprint.hpp"
#include "moderation/behaviour/near_duplicates.hpp"
#include "moderation/detector.hpp"
#include "moderation/engine.hpp"
#include "text/views.hpp"

namespace tribune::moderation::behaviour {

struct BehaviourOptions {
  // flash_mob
  int64_t window_us = 24LL * 3600 * 1000000;  // the sliding window (per edition)
  uint32_t cluster_accounts = 5;              // distinct accounts that make a cluster a campaign
  double min_similarity = 0.35;               // estimated Jaccard that links two comments (NearDuplicateIndex)
  int64_t new_account_us = 7LL * 86400 * 1000000;  // accounts younger than this raise the score
  size_t max_window_entries = 4'000'000;      // hard memory bound of the window
  // flood (all off when limits_enabled is false: imports, load tests)
  bool limits_enabled = true;
  double account_burst = 10;                  // comments an account may post at once ...
  double account_per_minute = 2;              // ... then this many per minute
  double thread_burst = 6;                    // the same per (account, thread)
  double thread_per_minute = 1;
  int64_t run_us = 30LL * 60 * 1000000;       // short/incoherent runs and self-repetition count within this
  uint32_t short_run = 4;                     // this many short or incoherent comments in one thread → flood
  uint32_t self_repeats = 3;                  // the same account posting near-duplicates this often → flood
  int64_t chain_us = 60LL * 60 * 1000000;     // reply chains count within this
  uint32_t chain_replies = 12;                // replies between the same two accounts in one thread → flood
  // trolling
  double standing_half_life_days = 14;        // an account's standing decays with this half-life
  double standing_hold = 3.0;                 // standing at which trolling alone holds the account's comments
  size_t max_accounts = 2'000'000;            // per-account state kept; the idlest are forgotten first
};

// Who posts what where, and when. Times are microseconds since the epoch (the injected clock).
struct Attempt {
  int64_t account_id = 0;
  int64_t account_created_us = 0;  // 0: unknown (no age bonus)
  int64_t article_id = 0;
  int64_t parent_author_id = 0;    // author of the comment this one replies to; 0 for a top-level comment
  int64_t time_us = 0;
};

// What the monitor keeps of one attempt. Built by Observe; persisted by the caller (Serialize) so a
// restart can replay it without the text.
struct Observation {
  Attempt attempt;
  Fingerprint fingerprint;
  uint32_t text_bytes = 0;     // size of the text (the behaviour findings' span covers all of it)
  uint32_t letters = 0;        // letters in the text
  bool incoherent = false;     // no word of three letters or more, or mostly symbols and repeats
  std::string Serialize() const;
  static std::optional<Observation> Parse(std::string_view bytes);
};

// Things that move an account's standing (trolling prior).
enum class StandingEvent { kRejected, kInsultFinding, kReportReceived, kModeratorRejected, kModeratorApproved, kHeld };

// How much an attempt with this outcome, or an event, moves its author's standing (the caller persists
// Standing() + this; Record and NoteStanding apply it in memory).
double StandingChange(Action action, const std::vector<std::string>& rules);
double StandingChange(StandingEvent event);

struct Recorded {
  int64_t cluster_id = 0;
  bool cluster_reached = false;     // this attempt brought its cluster to cluster_accounts
  std::vector<int64_t> to_hold;     // event ids of published members to hold now (only when cluster_reached)
};

struct ClusterView {
  int64_t id = 0;
  uint32_t accounts = 0;
  std::vector<Member> members;  // oldest first
};

// The state behind flash_mob, flood and trolling as the engine and the services see it. BehaviourMonitor
// keeps it in this process, with the event log in the database for restarts; an implementation shared by
// several servers (PostgreSQL, issue 9) can stand behind the same interface.
class BehaviourState {
 public:
  virtual ~BehaviourState() = default;

  virtual Observation Observe(const Attempt& attempt, const text::TextViews& views,
                              std::string_view article_text) const = 0;

  // Appends flash_mob / flood / trolling signals for the attempt. `content` holds the signals the text
  // detectors found (insults and provocations raise a troll's score). Changes nothing.
  virtual void Assess(const Observation& obs, const std::vector<Signal>& content, std::vector<Signal>& out) const = 0;

  // Adds the attempt to the window. `event_id` is the comment id when the comment was stored (published or
  // held), else the id of the rejection's decision record; ids increase. `rules` are the rules of the
  // decision's findings (an insult finding lowers the account's standing).
  // `replay`: the attempt is replayed from the event log at start-up; its standing change is already in the
  // restored standing (RestoreStanding), so it is not applied again.
  virtual Recorded Record(int64_t event_id, const Observation& obs, Action action,
                          const std::vector<std::string>& rules, bool replay) = 0;
  Recorded Record(int64_t event_id, const Observation& obs, Action action, const std::vector<std::string>& rules) {
    return Record(event_id, obs, action, rules, false);
  }

  // A moderator's decision or a reader's report about one of the account's comments.
  virtual void NoteStanding(int64_t account_id, StandingEvent event, int64_t time_us) = 0;
  // The account's standing now (0 = clean); higher is worse.
  virtual double Standing(int64_t account_id, int64_t now_us) const = 0;
  // A persisted standing, as of `at_us` (start-up).
  virtual void RestoreStanding(int64_t account_id, double standing, int64_t at_us) = 0;

  // A moderator judged the cluster legitimate (a popular quote, a shared link): its members are not
  // flagged as a flash mob any more while it lives in the window.
  virtual void ApproveCluster(int64_t cluster_id, int64_t now_us) = 0;
  virtual bool ClusterApproved(int64_t cluster_id) const = 0;

  virtual std::optional<int64_t> ClusterOf(int64_t event_id) const = 0;
  // Sizes the window for `entries` comments up front (start-up, from the log), so growing costs no pauses.
  virtual void Reserve(size_t entries) = 0;
  virtual ClusterView Cluster(int64_t cluster_id, int64_t now_us) const = 0;
  virtual const BehaviourOptions& options() const = 0;
};

// The in-process BehaviourState.
class BehaviourMonitor final : public BehaviourState {
 public:
  explicit BehaviourMonitor(BehaviourOptions options = {});

  Observation Observe(const Attempt& attempt, const text::TextViews& views,
                      std::string_view article_text) const override;
  void Assess(const Observation& obs, const std::vector<Signal>& content, std::vector<Signal>& out) const override;
  using BehaviourState::Record;
  Recorded Record(int64_t event_id, const Observation& obs, Action action, const std::vector<std::string>& rules,
                  bool replay) override;
  void NoteStanding(int64_t account_id, StandingEvent event, int64_t time_us) override;
  double Standing(int64_t account_id, int64_t now_us) const override;
  void RestoreStanding(int64_t account_id, double standing, int64_t at_us) override;
  void ApproveCluster(int64_t cluster_id, int64_t now_us) override;
  bool ClusterApproved(int64_t cluster_id) const override;
  std::optional<int64_t> ClusterOf(int64_t event_id) const override;
  void Reserve(size_t entries) override;
  ClusterView Cluster(int64_t cluster_id, int64_t now_us) const override;
  const BehaviourOptions& options() const override { return options_; }

  struct Stats {
    NearDuplicateIndex::Stats window;
    size_t accounts = 0;
    size_t threads = 0;
    uint64_t dropped_accounts = 0;  // account states forgotten early because of max_accounts
  };
  Stats stats() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_us = 0;
  };
  struct AccountState {
    Bucket bucket;
    double standing = 0;
    int64_t standing_at_us = 0;
    int64_t last_us = 0;
  };
  struct ThreadState {  // one account in one thread
    Bucket bucket;
    uint32_t short_run = 0;
    int64_t run_start_us = 0;
    int64_t last_us = 0;
  };
  struct ChainState {  // two accounts replying to each other in one thread
    uint32_t replies = 0;
    int64_t start_us = 0;
  };

  struct ArticleEntry {
    size_t text_hash = 0;
    std::shared_ptr<const ArticleShingles> shingles;
  };
  static constexpr uint32_t kShortLetters = 15;     // fewer letters: a "short" comment for flood runs
  static constexpr double kStandingFloor = 0.5;     // standing below this says nothing about trolling
  static constexpr uint32_t kSweepEvery = 4096;     // records between sweeps of idle state
  static constexpr size_t kArticleCache = 1024;     // articles whose shingles are kept

  static constexpr int64_t kShortBurstUs = 60LL * 60 * 1000000;  // identical short copies count within this

  // Whether a cluster is a flash mob: cluster_accounts accounts; for short texts (identical copies only)
  // twice as many, all within kShortBurstUs.
  bool IsCampaign(const ClusterInfo& c, const Fingerprint& fp, int64_t now_us) const;
  std::shared_ptr<const ArticleShingles> ArticleShinglesFor(int64_t article_id, std::string_view article_text) const;
  void AddStanding(AccountState& acc, double delta, int64_t now_us);
  void AssessFlashMob(const Observation& obs, const ClusterInfo& cluster, std::vector<Signal>& out) const;
  void AssessFlood(const Observation& obs, const ClusterInfo& cluster, std::vector<Signal>& out) const;
  void AssessTrolling(const Observation& obs, const std::vector<Signal>& content, std::vector<Signal>& out) const;
  double Decayed(double standing, int64_t from_us, int64_t to_us) const;
  double TokensAt(const Bucket& b, double burst, double per_minute, int64_t now_us) const;
  void ForgetIdle(int64_t now_us);

  BehaviourOptions options_;
  mutable std::mutex mu_;
  NearDuplicateIndex window_;
  std::unordered_map<int64_t, AccountState> accounts_;
  std::map<std::pair<int64_t, int64_t>, ThreadState> threads_;            // (account, article), recent only
  std::map<std::tuple<int64_t, int64_t, int64_t>, ChainState> chains_;   // (article, low account, high account)
  std::unordered_map<int64_t, int64_t> reached_;   // clusters that reached cluster_accounts → last time seen
  std::unordered_map<int64_t, int64_t> approved_;  // clusters a moderator approved → when
  int64_t last_time_us_ = 0;
  uint32_t records_since_sweep_ = 0;
  uint64_t dropped_accounts_ = 0;
  mutable std::mutex articles_mu_;
  mutable std::unordered_map<int64_t, ArticleEntry> articles_;
};

}  // namespace tribune::moderation::behaviour
