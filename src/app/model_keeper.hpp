// Keeps an edition's online model (moderation/learned/online_model.hpp) learning from its moderators and
// stored: every decision updates the model at once (the engine's "model" detector sees it on the next
// check); the model is written to the database every `save_every` decisions and when the server stops,
// and at start-up the decisions recorded after the stored copy are learned again, so a crash loses none.
// Labelled examples from foreign clients (interop_feedback: Perspective's suggestscore, Coral moderators'
// verdicts; interop/feedback.hpp) are learned the same way (LearnExample) and caught up with after the
// moderators' decisions.
// Servers sharing a database (Share()) learn every server's decisions: a decision is announced on
// kLearnChannel and each server's keeper, the deciding one included, learns it from there — so their models
// agree, and the copy saved (whole, by whichever server saves) holds them all, except a decision a server had
// not heard yet when it saved (or missed while its LISTEN connection was down); a stopping server first waits
// for its own announcements to come back (Drain), so its last decisions are in the copy it saves.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "moderation/learned/online_model.hpp"
#include "storage/database.hpp"

namespace tribune::app {

class ModelKeeper {
 public:
  // Loads the stored model of `edition` (an empty one when there is none) and catches up with the
  // moderators' decisions made since it was stored. Errors: kUnavailable (database, unreadable model).
  static Result<std::unique_ptr<ModelKeeper>> Open(storage::Database& db, const Clock& clock, std::string edition,
                                                   int save_every = 25);
  ~ModelKeeper();  // saves what is not saved yet

  // One moderator decision about `comment_id`: `label` is "ok" or a rule id.
  void Learn(int64_t comment_id, const std::string& text, const std::string& label);
  // One labelled example of interop_feedback (row `feedback_id`, of this edition): `label` is "ok" or a rule id.
  // Shared: announced as "<edition>,f<feedback id>,<label>" (servers without LearnExample ignore it: "f…" is no
  // comment id), each server reads the text from interop_feedback.
  void LearnExample(int64_t feedback_id, const std::string& text, const std::string& label);
  // From now on decisions go through the database's notifications (see above). Errors: kUnavailable.
  Status Share();
  // Writes the model now if it changed since the last save.
  Status Flush();
  // Shared mode: waits (at most `timeout`) until this server has heard every decision announced before the call —
  // a marker sent after them comes back last — so that the copy Flush then saves holds them (a server stopping
  // right after a decision). Returns false on timeout or when the marker cannot be sent; true when not shared.
  bool Drain(std::chrono::milliseconds timeout);

  const std::shared_ptr<moderation::learned::OnlineModel>& model() const { return model_; }
  int64_t caught_up() const { return caught_up_; }  // decisions and examples learned again at start-up

 private:
  ModelKeeper(storage::Database& db, const Clock& clock, std::string edition, int save_every,
              std::shared_ptr<moderation::learned::OnlineModel> model);
  Status CatchUp();
  void LearnHere(const std::string& text, const std::string& label);
  void Heard(const std::string& payload);

  storage::Database& db_;
  const Clock& clock_;
  std::string edition_;
  int save_every_;
  std::shared_ptr<moderation::learned::OnlineModel> model_;
  std::mutex mu_;
  int unsaved_ = 0;
  int64_t caught_up_ = 0;
  bool shared_ = false;
  std::condition_variable drained_cv_;
  std::string drain_marker_;  // the payload Drain waits for (under mu_)
  bool drained_ = false;
};

inline constexpr const char* kLearnChannel = "tribune_learn";

}  // namespace tribune::app
